// The JSON access log line written straight into the log's buffer, byte by byte: no string per line
// (building one and encoding it cost a small GET's line ~1 µs and most of the log's garbage). Only
// plain ASCII is written here, which needs no escape and is one byte per character; a line with
// anything else (a quote, a backslash, a control character, non-ASCII) is left to jsonLine's
// string. The same text jsonLine and JSON.stringify give (test/observe/access-log-json.test.ts).
import { type AccessEntry, grpcStatusCode, protocolOf, requestHeader, responseFlags, traceId, ttfbMs } from './access-log-entry.ts';
import { isoTimeAt } from './access-log-time.ts';

/** `s` as it is (ASCII known to need no escape: keys, punctuation); at < 0 passes through. */
function lit(buf: Buffer, at: number, s: string): number {
  if (at < 0) return at;
  for (let i = 0; i < s.length; i++) buf[at + i] = s.charCodeAt(i);
  return at + s.length;
}

/** `s`'s characters when all are printable ASCII other than `"` and `\`, else -1. */
function plain(buf: Buffer, at: number, s: string): number {
  if (at < 0) return at;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7f || c === 0x22 || c === 0x5c) return -1;
    buf[at + i] = c;
  }
  return at + s.length;
}

/** A quoted string field: `,"key":"value"` (key with its comma and quotes, as written in KEY_*). */
function field(buf: Buffer, at: number, key: string, s: string): number {
  return lit(buf, plain(buf, lit(buf, at, key), s), '"');
}

/** A number as JSON.stringify writes it (digits by hand for the usual small non-negative integers). */
function num(buf: Buffer, at: number, n: number): number {
  if (at < 0) return at;
  if (!(Number.isInteger(n) && n >= 0 && n < 1e15)) return lit(buf, at, Number.isFinite(n) ? String(n) : 'null');
  let end = at + 1;
  for (let m = n; m >= 10; m = Math.floor(m / 10)) end++;
  for (let i = end - 1, m = n; i >= at; i--, m = Math.floor(m / 10)) buf[i] = 0x30 + (m % 10);
  return end;
}

/**
 * Writes `e`'s line (no newline) into `buf` from `at` and returns where it ends: past buf's end
 * when it did not fit (what fit is garbage), -1 when a value is not plain ASCII.
 */
export function encodeJsonLine(e: AccessEntry, buf: Buffer, at: number): number {
  const x = e.x;
  let p = lit(buf, at, '{"time":"');
  p = lit(buf, p, isoTimeAt(x.startedAt));
  p = field(buf, p, '","listener":"', x.listener);
  p = lit(buf, lit(buf, lit(buf, p, ',"protocol":"'), protocolOf(x)), '"');
  p = field(buf, p, ',"method":"', x.method);
  p = field(buf, p, ',"authority":"', x.authority);
  p = field(buf, p, ',"path":"', x.target);
  p = num(buf, lit(buf, p, ',"status":'), e.status);
  const grpc = grpcStatusCode(x, e.status);
  if (grpc !== undefined) p = num(buf, lit(buf, p, ',"grpc_status":'), grpc);
  p = num(buf, lit(buf, p, ',"duration_ms":'), Math.round(e.endedAt - x.startedAt));
  const ttfb = ttfbMs(x);
  if (ttfb !== undefined) p = num(buf, lit(buf, p, ',"ttfb_ms":'), ttfb);
  p = num(buf, lit(buf, p, ',"bytes_received":'), x.bytesIn ?? 0);
  p = num(buf, lit(buf, p, ',"bytes_sent":'), x.bytesOut ?? 0);
  if (x.clientAddress !== undefined) p = field(buf, p, ',"client":"', x.clientAddress);
  const ua = requestHeader(x.raw, 'user-agent');
  if (ua !== undefined) p = field(buf, p, ',"user_agent":"', ua);
  const rid = x.requestId === '' ? requestHeader(x.raw, 'x-request-id') : x.requestId;
  if (rid !== undefined) p = field(buf, p, ',"request_id":"', rid);
  if (x.ingress !== '') p = field(buf, p, ',"route":"', x.ingress);
  if (x.split !== undefined && x.split >= 0) p = num(buf, lit(buf, p, ',"split":'), x.split);
  if (x.clusterName !== '') p = field(buf, p, ',"cluster":"', x.clusterName);
  const ep = x.endpoint;
  if (ep !== undefined) {
    // upstreamHost()'s text, without making the string: [v6]:port or v4:port
    const v6 = ep.address.includes(':');
    p = plain(buf, lit(buf, p, v6 ? ',"upstream":"[' : ',"upstream":"'), ep.address);
    p = lit(buf, num(buf, lit(buf, p, v6 ? ']:' : ':'), ep.port), '"');
  }
  p = lit(buf, lit(buf, lit(buf, p, ',"flags":"'), responseFlags(e)), '"');
  const trace = traceId(x);
  if (trace !== undefined) p = field(buf, p, ',"trace_id":"', trace);
  return lit(buf, p, '}');
}
