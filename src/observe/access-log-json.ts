// The JSON access log line, written straight into one string: no object per line and no
// JSON.stringify of it (which was most of a line's cost), and the strings checked for anything JSON
// must escape in one test over all of them; only a line that has some goes through
// JSON.stringify per string. The same text JSON.stringify gives for the same fields
// (test/observe/access-log-json.test.ts); fields with nothing to say are left out, as it does.
import { type AccessEntry, grpcStatusCode, protocolOf, requestHeader, responseFlags, traceId, ttfbMs, upstreamHost } from './access-log-entry.ts';
import { isoTimeAt } from './access-log-time.ts';
import { BoundedTable } from '../snapshot/bounded-table.ts';

// Control characters, `"` and `\` need escapes; a surrogate half might be lone (JSON.stringify
// escapes those), so a line with one takes the slow road too.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds.
const NEEDS_ESCAPE = /[\u0000-\u001f"\\\ud800-\udfff]/;

// Listener, route and cluster names come from the configuration and repeat on every line: each
// one's check is remembered (bounded: names a config churns through fall out, busy ones stay).
const plainNames = new BoundedTable<boolean>(2048);
function plainName(s: string): boolean {
  let plain = plainNames.get(s);
  if (plain === undefined) {
    plain = !NEEDS_ESCAPE.test(s);
    plainNames.set(s, plain);
  }
  return plain;
}

const quote = (s: string): string => '"' + s + '"';
const escaped = (s: string): string => JSON.stringify(s);

export function jsonLine(e: AccessEntry): string {
  const x = e.x;
  const client = x.clientAddress;
  const ua = requestHeader(x.raw, 'user-agent');
  const rid = x.requestId === '' ? requestHeader(x.raw, 'x-request-id') : x.requestId;
  const upstream = upstreamHost(x);
  const trace = traceId(x);
  const all = x.method + x.authority + x.target + (client ?? '') + (ua ?? '') + (rid ?? '') + (upstream ?? '') + (trace ?? '');
  const q = NEEDS_ESCAPE.test(all) || !plainName(x.listener) || !plainName(x.ingress) || !plainName(x.clusterName) ? escaped : quote;
  let line = '{"time":"' + isoTimeAt(x.startedAt) + '","listener":' + q(x.listener) + ',"protocol":"' + protocolOf(x) + '","method":' + q(x.method) +
    ',"authority":' + q(x.authority) + ',"path":' + q(x.target) + ',"status":' + e.status;
  const grpc = grpcStatusCode(x, e.status);
  if (grpc !== undefined) line += ',"grpc_status":' + grpc;
  line += ',"duration_ms":' + Math.round(e.endedAt - x.startedAt);
  const ttfb = ttfbMs(x);
  if (ttfb !== undefined) line += ',"ttfb_ms":' + ttfb;
  line += ',"bytes_received":' + (x.bytesIn ?? 0) + ',"bytes_sent":' + (x.bytesOut ?? 0);
  if (client !== undefined) line += ',"client":' + q(client);
  if (ua !== undefined) line += ',"user_agent":' + q(ua);
  if (rid !== undefined) line += ',"request_id":' + q(rid);
  if (x.ingress !== '') line += ',"route":' + q(x.ingress);
  if (x.split !== undefined && x.split >= 0) line += ',"split":' + x.split;
  if (x.clusterName !== '') line += ',"cluster":' + q(x.clusterName);
  if (upstream !== undefined) line += ',"upstream":' + q(upstream);
  line += ',"flags":"' + responseFlags(e) + '"';
  if (trace !== undefined) line += ',"trace_id":' + q(trace);
  return line + '}';
}
