// Carries one HTTP/2 client stream (the own core's, as a node:http2-shaped Duplex: compat-stream.ts)
// to its upstream: over HTTP/2 (node:http2 client sessions, trailers and RST_STREAM passed both
// ways, as gRPC needs) or over HTTP/1.1 (undici's raw dispatch API). Bodiless requests to HTTP/1.1
// upstreams take the raw sockets instead (h2core/raw-h1.ts).
import http2 from 'node:http2';
import { PassThrough } from 'node:stream';
import type { Dispatcher } from 'undici';
import { countBodyIn, countBodyOut, grpcStatusOf } from '../observe/access-log-bytes.ts';
import type { Exchange, Outcome } from './exchange.ts';
import { grpcLocalReply } from './grpc.ts';
import { appendHeader, h2ResponseHeaderPairs, type H2Upstreams } from './h2-upstream.ts';
import { clientResponseHeaders } from './headers.ts';
import { type LocalReply, UPSTREAM_RESET } from './local-reply.ts';
import { cancelStream, watchSend } from './client-deadlines.ts';
import * as guard from './h2-stream-guard.ts';
import type { CoreHttp2Stream } from './h2core/compat-stream.ts';
import { copyStream } from './mirror.ts';
import { originOf } from './live-origins.ts';
import { holdBody } from './replay-body.ts';
import { upstreamErrorReason } from './upstream-errors.ts';
import type { RetryCause } from './retry.ts';

const { NGHTTP2_CANCEL, NGHTTP2_INTERNAL_ERROR, NGHTTP2_NO_ERROR, NGHTTP2_FLAG_END_STREAM, NGHTTP2_REFUSED_STREAM } = http2.constants;

/** What the upstream side of an HTTP/2 stream needs: the stream's exchange (exchange.ts). */
export type H2Target = Exchange;

export function writeLocalH2(stream: CoreHttp2Stream, reply: LocalReply, head: boolean, grpcType: string | undefined): void {
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

export function pairsToObject(status: number, pairs: readonly string[]): http2.OutgoingHttpHeaders {
  const out: http2.OutgoingHttpHeaders = { ':status': status };
  for (let i = 0; i < pairs.length; i += 2) appendHeader(out, pairs[i]!.toLowerCase(), pairs[i + 1]!);
  return out;
}

/**
 * HTTP/2 client -> h2c upstream. A route that retries resends a bodiless request (retry.ts) after a
 * listed status, a reset, or a refused stream (REFUSED_STREAM, also what a GOAWAY leaves unprocessed).
 */
export function proxyH2ToH2c(stream: CoreHttp2Stream, h2: H2Upstreams, t: H2Target): void {
  let status = 0;
  let trailers: http2.OutgoingHttpHeaders | undefined;
  /** the current attempt's stream; undefined while a retry waits out its backoff */
  let up: http2.ClientHttp2Stream | undefined;
  let wait: NodeJS.Timeout | undefined;
  const retried = (cause: RetryCause): boolean => {
    const ms = t.retries ? t.retryAfter(cause) : -1;
    if (ms < 0) return false;
    up = undefined;
    wait = setTimeout(() => {
      wait = undefined;
      if (!t.open || !guard.usable(stream)) return;
      if (!t.nextAttempt()) return failBeforeHeaders(stream, t, 'reset');
      attempt();
    }, ms);
    t.cancelUpstream = () => clearTimeout(wait);
    return true;
  };
  const attempt = (): void => {
    let u: http2.ClientHttp2Stream;
    try {
      u = h2.request(t.origin, t.method, t.url, t.headers, t.bodyless);
    } catch (err) {
      return failBeforeHeaders(stream, t, err as Error);
    }
    up = u;
    u.on('error', () => {});
    t.cancelUpstream = () => u.close(NGHTTP2_CANCEL);
    if (!t.bodyless) stream.pipe(u);
    if (t.mirrorBody !== undefined) copyStream(stream, t.mirrorBody);
    u.on('response', (headers, flags) => {
      const s = Number(headers[':status']);
      // A closed exchange timed out (deadlines.ts) and answered already.
      if (u !== up || !guard.usable(stream) || !t.open) return;
      // A status the route retries is never shown to the client.
      if (retried(s)) return u.close(NGHTTP2_CANCEL);
      status = s;
      const out = pairsToObject(status, t.responseHeaders(status, h2ResponseHeaderPairs(headers)));
      // A trailers-only answer (a gRPC error) is a single HEADERS frame with END_STREAM.
      if ((flags & NGHTTP2_FLAG_END_STREAM) !== 0) {
        guard.respond(stream, out, { endStream: true });
        return;
      }
      if (!guard.respond(stream, out, { waitForTrailers: true })) return;
      // Not ended by pipe: node:http2 ends the readable side of a reset stream too, and a reset must
      // reach the client as a reset (below), not as a clean end.
      u.pipe(stream, { end: false });
      countBodyOut(u, t);
    });
    u.on('trailers', (headers) => {
      if (u !== up) return;
      grpcStatusOf(headers, t);
      trailers = pairsToObject(0, h2ResponseHeaderPairs(headers));
      delete trailers[':status'];
    });
    u.on('close', () => {
      if (u !== up || !t.open) return;
      const code = u.rstCode ?? NGHTTP2_NO_ERROR;
      if (code === NGHTTP2_NO_ERROR && stream.headersSent) guard.end(stream);
      if (code !== NGHTTP2_NO_ERROR && guard.usable(stream)) {
        if (!stream.headersSent) {
          if (status === 0 && retried(code === NGHTTP2_REFUSED_STREAM ? 'refused_stream' : 'reset')) return;
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
  };
  stream.on('wantTrailers', () => guard.sendTrailers(stream, trailers ?? {}));
  if (!t.bodyless) countBodyIn(stream, t);
  stream.on('close', () => {
    clearTimeout(wait);
    // The client cancelled (RST_STREAM) or went away: cancel the upstream stream too.
    const code = stream.rstCode ?? NGHTTP2_NO_ERROR;
    if (up !== undefined && !up.destroyed && (code !== NGHTTP2_NO_ERROR || !up.readableEnded)) up.close(code !== NGHTTP2_NO_ERROR ? code : NGHTTP2_CANCEL);
    t.finish(code === NGHTTP2_NO_ERROR && status !== 0 ? status : 499);
  });
  attempt();
}

/** The upstream failed before its response head: 503 to the client, the exchange ends with `outcome`. */
export function failBeforeHeaders(stream: CoreHttp2Stream, t: H2Target, outcome: Exclude<Outcome, undefined>): void {
  writeLocalH2(stream, UPSTREAM_RESET, t.head, t.grpcType);
  t.finish(503, outcome);
}

/** HTTP/2 client -> HTTP/1.1 upstream, through undici's pool. */
export function proxyH2ToH1(stream: CoreHttp2Stream, pool: Pick<Dispatcher, 'dispatch'>, t: H2Target): void {
  const handler = new H2FromH1Handler(stream, t);
  const hold = t.bodyless || t.mirrorBody !== undefined ? 0 : t.bodyHold;
  // A retrying route holds the body (up to its limit) before sending it, so that a retry can resend it.
  if (hold > 0) {
    holdBody(stream, hold, undefined, (b) => {
      if (!t.open) return;
      t.replayBody = b.held;
      pool.dispatch({ path: t.url, method: t.method, headers: t.headers, body: b.held ?? b.stream, upgrade: null }, handler);
    });
    return;
  }
  // undici destroys a body stream once it has sent it; destroying the Http2Stream itself would
  // reset the client's stream before the response, so the body goes through a PassThrough.
  const body = t.bodyless ? null : stream.pipe(new PassThrough());
  if (body !== null) countBodyIn(stream, t);
  if (t.mirrorBody !== undefined) copyStream(stream, t.mirrorBody);
  pool.dispatch({ path: t.url, method: t.method, headers: t.headers, body, upgrade: null }, handler);
}

/** A route retry (retry.ts) of an HTTP/2 client's request to an HTTP/1.1 upstream: again after `wait` ms, to the next endpoint. */
function retryH2ToH1(stream: CoreHttp2Stream, t: H2Target, wait: number): void {
  // The client may leave during the backoff: the exchange ends then, not when the timer fires.
  const closed = (): void => {
    clearTimeout(timer);
    t.finish(499);
  };
  const timer = setTimeout(() => {
    stream.off('close', closed);
    if (!t.open) return;
    if (!t.nextAttempt()) return failBeforeHeaders(stream, t, 'reset');
    const pool = t.pool ?? t.dp.upstreams.pool(originOf(t.endpoint!));
    pool.dispatch({ path: t.url, method: t.method, headers: t.headers, body: t.replayBody ?? null, upgrade: null }, new H2FromH1Handler(stream, t));
  }, wait);
  stream.once('close', closed);
  t.cancelUpstream = () => clearTimeout(timer);
}

/** undici legacy dispatch handler writing to an HTTP/2 stream. */
class H2FromH1Handler {
  #abort: ((err?: Error) => void) | undefined;
  /** this attempt was given up for a route retry: what undici still reports is ignored */
  #retired = false;
  #resume: (() => void) | undefined;
  #status = 0;
  #trailers: http2.OutgoingHttpHeaders | undefined;
  readonly #stream: CoreHttp2Stream;
  readonly #t: H2Target;

  readonly #closed = (): void => {
    if (this.#t.open) {
      this.#abort?.(new Error('client closed the stream'));
      this.#t.finish(499);
    }
  };
  readonly #drained = (): void => this.#resume?.();
  readonly #wantTrailers = (): void => guard.sendTrailers(this.#stream, this.#trailers ?? {});

  constructor(stream: CoreHttp2Stream, t: H2Target) {
    this.#stream = stream;
    this.#t = t;
    stream.once('close', this.#closed);
    stream.on('drain', this.#drained);
    stream.on('wantTrailers', this.#wantTrailers);
  }

  /** Gives this attempt up for a route retry after `wait` ms; false when there is none (-1). */
  #retire(wait: number): boolean {
    if (wait < 0) return false;
    this.#retired = true;
    const stream = this.#stream;
    stream.off('close', this.#closed);
    stream.off('drain', this.#drained);
    stream.off('wantTrailers', this.#wantTrailers);
    this.#abort?.(new Error('retried'));
    retryH2ToH1(stream, this.#t, wait);
    return true;
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
    // A status the route retries is never shown to the client.
    if (this.#t.retries && this.#retire(this.#t.retryAfter(statusCode))) return false;
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
    if (!this.#t.open || this.#retired) return;
    const stream = this.#stream;
    if (!stream.headersSent && this.#t.retries && this.#retire(this.#t.retryAfter(upstreamErrorReason(err)))) return;
    if (!stream.headersSent) failBeforeHeaders(stream, this.#t, err);
    else {
      guard.reset(stream, NGHTTP2_INTERNAL_ERROR);
      this.#t.finish(this.#status, 'reset_after_headers');
    }
  }
}
