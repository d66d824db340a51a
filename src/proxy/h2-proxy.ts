// Carries one HTTP/2 client stream to its upstream: over HTTP/2 (h2c sessions, trailers and
// RST_STREAM passed both ways, as gRPC needs) or over HTTP/1.1 (undici's raw dispatch API).
import http2 from 'node:http2';
import { PassThrough } from 'node:stream';
import type { Pool } from 'undici';
import { countBodyIn, countBodyOut, grpcStatusOf } from '../observe/access-log-bytes.ts';
import type { Exchange, Outcome } from './exchange.ts';
import { grpcLocalReply } from './grpc.ts';
import { appendHeader, h2ResponseHeaderPairs, type H2Upstreams } from './h2-upstream.ts';
import { clientResponseHeaders, isHopByHop, responseConnectionTokens } from './headers.ts';
import { type LocalReply, UPSTREAM_RESET } from './local-reply.ts';
import { cancelStream, watchSend } from './client-deadlines.ts';
import * as guard from './h2-stream-guard.ts';
import { copyStream } from './mirror.ts';

const { NGHTTP2_CANCEL, NGHTTP2_INTERNAL_ERROR, NGHTTP2_NO_ERROR, NGHTTP2_FLAG_END_STREAM } = http2.constants;

/** What the upstream side of an HTTP/2 stream needs: the stream's exchange (exchange.ts). */
export type H2Target = Exchange;

export function writeLocalH2(stream: http2.ServerHttp2Stream, reply: LocalReply, head: boolean, grpcType: string | undefined): void {
  if (!guard.usable(stream) || stream.headersSent) return;
  const r = grpcType ? grpcLocalReply(reply, grpcType) : reply;
  const headers: http2.OutgoingHttpHeaders = { ':status': r.status };
  for (const [n, v] of r.headers) appendHeader(headers, n, v);
  const body = Buffer.from(r.body);
  if (body.length === 0 || head) {
    if (!grpcType) headers['content-length'] = String(body.length);
    guard.respond(stream, headers, { endStream: true });
    return;
  }
  headers['content-length'] = String(body.length);
  if (guard.respond(stream, headers)) guard.end(stream, body);
}

/**
 * An HTTP/1.1 upstream's response fields (parsed as strings) as an HTTP/2 client's header object,
 * in one pass: what clientResponseHeaders() then pairsToObject() make, without the array between
 * (for routes that do not edit response headers).
 */
export function h1ResponseToH2(status: number, raw: readonly string[]): http2.OutgoingHttpHeaders {
  let listed: Set<string> | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 10 && name.toLowerCase() === 'connection') listed = responseConnectionTokens(raw[i + 1]!, listed);
  }
  const out: http2.OutgoingHttpHeaders = { ':status': status };
  for (let i = 0; i < raw.length; i += 2) {
    const lower = raw[i]!.toLowerCase();
    if (!isHopByHop(lower) && (listed === undefined || !listed.has(lower))) appendHeader(out, lower, raw[i + 1]!);
  }
  return out;
}

export function pairsToObject(status: number, pairs: readonly string[]): http2.OutgoingHttpHeaders {
  const out: http2.OutgoingHttpHeaders = { ':status': status };
  for (let i = 0; i < pairs.length; i += 2) appendHeader(out, pairs[i]!.toLowerCase(), pairs[i + 1]!);
  return out;
}

/** HTTP/2 client -> h2c upstream. */
export function proxyH2ToH2c(stream: http2.ServerHttp2Stream, h2: H2Upstreams, t: H2Target): void {
  let status = 0;
  let trailers: http2.OutgoingHttpHeaders | undefined;
  let up: http2.ClientHttp2Stream;
  try {
    up = h2.request(t.origin, t.method, t.url, t.headers, t.bodyless);
  } catch (err) {
    return failBeforeHeaders(stream, t, err as Error);
  }
  up.on('error', () => {});
  t.cancelUpstream = () => up.close(NGHTTP2_CANCEL);
  if (!t.bodyless) {
    stream.pipe(up);
    countBodyIn(stream, t);
  }
  if (t.mirrorBody !== undefined) copyStream(stream, t.mirrorBody);
  up.on('response', (headers, flags) => {
    status = Number(headers[':status']);
    // A closed exchange timed out (deadlines.ts) and answered already.
    if (!guard.usable(stream) || !t.open) return;
    const out = pairsToObject(status, t.responseHeaders(status, h2ResponseHeaderPairs(headers)));
    // A trailers-only answer (a gRPC error) is a single HEADERS frame with END_STREAM.
    if ((flags & NGHTTP2_FLAG_END_STREAM) !== 0) {
      guard.respond(stream, out, { endStream: true });
      return;
    }
    if (!guard.respond(stream, out, { waitForTrailers: true })) return;
    // Not ended by pipe: node:http2 ends the readable side of a reset stream too, and a reset must
    // reach the client as a reset (below), not as a clean end.
    up.pipe(stream, { end: false });
    countBodyOut(up, t);
  });
  up.on('trailers', (headers) => {
    grpcStatusOf(headers, t);
    trailers = pairsToObject(0, h2ResponseHeaderPairs(headers));
    delete trailers[':status'];
  });
  stream.on('wantTrailers', () => guard.sendTrailers(stream, trailers ?? {}));
  up.on('close', () => {
    if (!t.open) return;
    const code = up.rstCode ?? NGHTTP2_NO_ERROR;
    if (code === NGHTTP2_NO_ERROR && stream.headersSent) guard.end(stream);
    if (code !== NGHTTP2_NO_ERROR && guard.usable(stream)) {
      if (!stream.headersSent) {
        return failBeforeHeaders(stream, t, new Error(`upstream reset the stream (code ${code})`));
      }
      // The upstream cancelled or reset mid-response: the client sees the same.
      guard.reset(stream, code);
      return t.finish(status, 'reset_after_headers');
    } else if (status === 0 && guard.usable(stream)) {
      return failBeforeHeaders(stream, t, new Error('upstream closed before headers'));
    }
    t.finish(status);
  });
  stream.on('close', () => {
    // The client cancelled (RST_STREAM) or went away: cancel the upstream stream too.
    const code = stream.rstCode ?? NGHTTP2_NO_ERROR;
    if (!up.destroyed && (code !== NGHTTP2_NO_ERROR || !up.readableEnded)) up.close(code !== NGHTTP2_NO_ERROR ? code : NGHTTP2_CANCEL);
    t.finish(code === NGHTTP2_NO_ERROR && status !== 0 ? status : 499);
  });
}

/** The upstream failed before its response head: 503 to the client, the exchange ends with `outcome`. */
export function failBeforeHeaders(stream: http2.ServerHttp2Stream, t: H2Target, outcome: Exclude<Outcome, undefined>): void {
  writeLocalH2(stream, UPSTREAM_RESET, t.head, t.grpcType);
  t.finish(503, outcome);
}

/** HTTP/2 client -> HTTP/1.1 upstream, through undici's pool. */
export function proxyH2ToH1(stream: http2.ServerHttp2Stream, pool: Pool, t: H2Target): void {
  const handler = new H2FromH1Handler(stream, t);
  // undici destroys a body stream once it has sent it; destroying the Http2Stream itself would
  // reset the client's stream before the response, so the body goes through a PassThrough.
  const body = t.bodyless ? null : stream.pipe(new PassThrough());
  if (body !== null) countBodyIn(stream, t);
  if (t.mirrorBody !== undefined) copyStream(stream, t.mirrorBody);
  pool.dispatch({ path: t.url, method: t.method, headers: t.headers, body, upgrade: null }, handler);
}

/** undici legacy dispatch handler writing to an HTTP/2 stream. */
class H2FromH1Handler {
  #abort: ((err?: Error) => void) | undefined;
  #resume: (() => void) | undefined;
  #status = 0;
  #trailers: http2.OutgoingHttpHeaders | undefined;
  readonly #stream: http2.ServerHttp2Stream;
  readonly #t: H2Target;

  constructor(stream: http2.ServerHttp2Stream, t: H2Target) {
    this.#stream = stream;
    this.#t = t;
    stream.once('close', () => {
      if (t.open) {
        this.#abort?.(new Error('client closed the stream'));
        t.finish(499);
      }
    });
    stream.on('drain', () => this.#resume?.());
    stream.on('wantTrailers', () => guard.sendTrailers(this.#stream, this.#trailers ?? {}));
  }

  onConnect(abort: (err?: Error) => void): void {
    this.#abort = abort;
    this.#t.cancelUpstream = () => abort(new Error('route timeout'));
    if (!this.#t.open) abort(new Error('client closed the stream'));
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    if (statusCode < 200) return true;
    // Timed out (deadlines.ts) before undici could be stopped: the client has its answer.
    if (!this.#t.open) {
      this.#abort?.(new Error('route timeout'));
      return false;
    }
    this.#status = statusCode;
    this.#resume = resume;
    if (!guard.usable(this.#stream)) return false;
    const pairs = this.#t.responseHeaders(statusCode, clientResponseHeaders(rawHeaders));
    // Only an upstream that announces trailers (`Trailer:`) gets a trailers frame reserved.
    const announced = rawHeaders.some((h, i) => i % 2 === 0 && h.length === 7 && h.toString('latin1').toLowerCase() === 'trailer');
    // clientResponseHeaders already dropped the connection-specific headers HTTP/2 forbids.
    if (guard.respond(this.#stream, pairsToObject(statusCode, pairs), { waitForTrailers: announced })) return true;
    // The stream is gone, or node refused the head (the guard answered 502): stop the upstream.
    this.#abort?.(new Error('the client stream cannot take the response'));
    this.#t.finish(this.#stream.headersSent ? 502 : 499);
    return false;
  }

  onData(chunk: Buffer): boolean {
    const stream = this.#stream;
    if (!guard.usable(stream)) return false;
    this.#t.bytesOut += chunk.length;
    const ok = guard.write(stream, chunk);
    // From the first write the client did not take: most responses never get here.
    if (!ok) watchSend(this.#t.dp.sends, stream, () => cancelStream(stream));
    return ok;
  }

  onComplete(trailers: Array<Buffer | string> | null): void {
    if (trailers && trailers.length > 0) {
      this.#trailers = {};
      for (let i = 0; i < trailers.length; i += 2) this.#trailers[trailers[i]!.toString().toLowerCase()] = trailers[i + 1]!.toString();
      grpcStatusOf(this.#trailers, this.#t);
    }
    guard.end(this.#stream);
    this.#t.finish(this.#status);
  }

  onError(err: Error & { code?: string }): void {
    if (!this.#t.open) return;
    const stream = this.#stream;
    if (!stream.headersSent) failBeforeHeaders(stream, this.#t, err);
    else {
      guard.reset(stream, NGHTTP2_INTERNAL_ERROR);
      this.#t.finish(this.#status, 'reset_after_headers');
    }
  }
}
