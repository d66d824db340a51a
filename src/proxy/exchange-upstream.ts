// An exchange's upstream request headers (exchange.ts) and their small edits, kept out of its life story.
import type { Endpoint, HeaderPair } from '../snapshot/types.ts';
import type { ForwardDecision } from './exchange-policy.ts';
import type { ExchangeFields } from './exchange-fields.ts';
import { type ExchangeFacts, FROM_UPGRADE, VIA_H2C } from './exchange-steps.ts';
import { upstreamRequestHeaders } from './headers.ts';
import { setRequestId } from '../observe/request-id.ts';
import { propagate } from '../observe/trace-requests.ts';

/**
 * The headers for the upstream request: the client's, edited by the route, with the forwarding
 * headers, the exchange's request id and its trace context.
 */
export function upstreamHeadersFor(x: ExchangeFields, facts: ExchangeFacts, decision: ForwardDecision): string[] {
  const headers = upstreamRequestHeaders({
    raw: facts.raw,
    host: decision.split.autoHost ? endpointHost(x.endpoint!) : decision.upstreamHost,
    edits: decision.request,
    clientAddress: facts.clientAddress,
    proto: facts.secure ? 'https' : 'http',
    ...(x.dp.trustedHops > 0 && { trustedClient: x.clientAddress }),
    keepTeTrailers: x.via === VIA_H2C,
    keepUpgrade: x.from === FROM_UPGRADE,
    drop: facts.drop,
  });
  if (x.requestId !== '') setRequestId(headers, x.requestId);
  if (x.span !== undefined) propagate(headers, x.span);
  return headers;
}

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
