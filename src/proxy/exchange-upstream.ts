// Small edits of an exchange's upstream request headers (exchange.ts), kept out of its life story.
import type { Endpoint, HeaderPair } from '../snapshot/types.ts';

/**
 * The Host of a url-rewrite's autoHostname (Envoy's auto_host_rewrite): the endpoint's DNS name
 * (a `dns` cluster) or address, without the port; an IPv6 address in brackets.
 */
export function endpointHost(endpoint: Endpoint): string {
  return endpoint.address.includes(':') ? `[${endpoint.address}]` : endpoint.address;
}

/** Sets each pair on [name, value, ...] headers (lower-case names), replacing that name's entries; `host` stays first. */
export function setHeaders(headers: string[], pairs: readonly HeaderPair[]): void {
  for (const [name, value] of pairs) {
    for (let i = headers.length - 2; i >= 2; i -= 2) if (headers[i]!.toLowerCase() === name) headers.splice(i, 2);
    headers.push(name, value);
  }
}
