// The client's address behind trusted proxies: Envoy's use_remote_address with xff_num_trusted_hops
// (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_conn_man/headers#x-forwarded-for).
// Pure: the client's raw headers and the connection's peer in, an address out.
import { isIP } from 'node:net';

/**
 * With `hops` trusted proxies in front, the client is the `hops`-th X-Forwarded-For entry from the
 * right, as the client sent it (several fields count as one list, in order); when there are fewer
 * entries, or that entry is not an IP address, the peer is (a proxy that did not append, or a
 * client talking to Sluice directly).
 */
export function trustedClientAddress(raw: readonly string[], hops: number, peer: string | undefined): string | undefined {
  let xff: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.length === 15 && raw[i]!.toLowerCase() === 'x-forwarded-for') xff = xff === undefined ? raw[i + 1]! : `${xff},${raw[i + 1]!}`;
  }
  if (xff === undefined) return peer;
  const entries = xff.split(',');
  const at = entries.length - hops;
  if (at < 0) return peer;
  const entry = entries[at]!.trim();
  return isIP(entry) !== 0 ? entry : peer;
}
