// Writing to the own core's stream (src/net/h2/stream.ts) without a Duplex: the gateway's own
// answers (local replies, 503s, timeouts) and the response head of an HTTP/1.1 upstream as flat
// HTTP/2 field pairs.
import type { H2Stream } from '../../net/h2/stream.ts';
import { grpcLocalReply } from '../grpc.ts';
import { isHopByHop, responseConnectionTokens } from '../headers.ts';
import type { LocalReply } from '../local-reply.ts';

/** A local reply (gRPC-shaped for a gRPC call) on a stream not yet answered. */
export function writeLocalCore(stream: H2Stream, reply: LocalReply, head: boolean, grpcType: string | undefined): void {
  if (stream.closed || stream.headersSent) return;
  const r = grpcType ? grpcLocalReply(reply, grpcType) : reply;
  const pairs: string[] = [];
  for (const [n, v] of r.headers) pairs.push(n.toLowerCase(), v);
  const body = Buffer.from(r.body);
  if (body.length === 0 || head) {
    if (!grpcType) pairs.push('content-length', String(body.length));
    stream.respond(r.status, pairs, true);
    return;
  }
  pairs.push('content-length', String(body.length));
  stream.respond(r.status, pairs);
  stream.write(body);
  stream.end();
}

/**
 * An HTTP/1.1 upstream's response fields as HTTP/2 pairs in one pass: names lower-cased, hop-by-hop
 * fields and those its Connection header names dropped (what clientResponseHeaders does, for routes
 * that do not edit response headers).
 */
export function h1ResponsePairs(raw: readonly string[]): string[] {
  let listed: Set<string> | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 10 && name.toLowerCase() === 'connection') listed = responseConnectionTokens(raw[i + 1]!, listed);
  }
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const lower = raw[i]!.toLowerCase();
    if (!isHopByHop(lower) && (listed === undefined || !listed.has(lower))) out.push(lower, raw[i + 1]!);
  }
  return out;
}

/** Lower-cases the names of flat pairs in place (HTTP/2 field names are lower case). */
export function lowerNames(pairs: string[]): string[] {
  for (let i = 0; i < pairs.length; i += 2) pairs[i] = pairs[i]!.toLowerCase();
  return pairs;
}

/** `name: value\r\n` lines of a chunked body's trailer section as HTTP/2 trailer pairs. */
export function trailerPairs(raw: Buffer): string[] {
  const out: string[] = [];
  for (const line of raw.toString('latin1').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    // Connection-specific fields are not allowed in HTTP/2 trailers either.
    if (name === 'transfer-encoding' || name === 'connection' || name === 'content-length') continue;
    out.push(name, line.slice(colon + 1).trim());
  }
  return out;
}

/**
 * Fields that may appear once (node:http2's list, from RFC 9110's single-value fields): an upstream
 * that sends one twice gets a 502 (as node:http2 refuses it), not two values a client must choose from.
 */
const SINGLE_VALUE: ReadonlySet<string> = new Set([
  'access-control-allow-credentials', 'access-control-max-age', 'access-control-request-method', 'age', 'authorization',
  'content-encoding', 'content-language', 'content-length', 'content-location', 'content-md5', 'content-range',
  'content-type', 'date', 'dnt', 'etag', 'expires', 'from', 'host', 'if-match', 'if-modified-since', 'if-none-match',
  'if-range', 'if-unmodified-since', 'last-modified', 'location', 'max-forwards', 'proxy-authorization', 'range',
  'referer', 'retry-after', 'tk', 'upgrade-insecure-requests', 'user-agent', 'x-content-type-options',
]);

/** The first single-value field that appears twice in lower-cased pairs, or undefined. */
export function refusedField(pairs: readonly string[]): string | undefined {
  let seen: Set<string> | undefined;
  for (let i = 0; i < pairs.length; i += 2) {
    const name = pairs[i]!;
    if (!SINGLE_VALUE.has(name)) continue;
    if (seen?.has(name)) return name;
    (seen ??= new Set()).add(name);
  }
  return undefined;
}
