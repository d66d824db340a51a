// HTTP/2 client stream -> HTTP/1.1 upstream over the fast path's raw keep-alive sockets, for
// requests without a body (the usual GET). undici's dispatch was a sixth of the CPU of an HTTP/2
// request here; this reuses the fast path's strict response parser and pool instead. Requests with
// a body, and gRPC, keep going through undici (h2-proxy.ts), which streams them.
import http2 from 'node:http2';
import type { Endpoint } from '../snapshot/types.ts';
import { LENGTH, NO_BODY, type ResponseHead } from './fast/parse.ts';
import { type FastUpstreams, IDEMPOTENT, type UpstreamConn, type UpstreamOwner } from './fast/upstream-pool.ts';
import { dispatch, Resends, resendIfStale, UpstreamResponseReader } from './fast/upstream-response.ts';
import { type UpstreamErrorReason, upstreamErrorReason } from './upstream-errors.ts';
import type { Outcome } from './exchange.ts';
import { backedUp, requestHead } from './fast/wire.ts';
import { failBeforeHeaders, h1ResponseToH2, pairsToObject, type H2Target } from './h2-proxy.ts';
import { clientResponseHeaders } from './headers.ts';
import { cancelStream, watchSend } from './client-deadlines.ts';
import * as guard from './h2-stream-guard.ts';
import { whenClosed } from './h2-session-guard.ts';

const { NGHTTP2_INTERNAL_ERROR } = http2.constants;

// respond()'s options, shared: node copies them anyway.
const HEAD_ONLY: http2.ServerStreamResponseOptions = Object.freeze({ endStream: true });
const BODY_FOLLOWS: http2.ServerStreamResponseOptions = Object.freeze({ endStream: false });
const TRAILERS_FOLLOW: http2.ServerStreamResponseOptions = Object.freeze({ endStream: false, waitForTrailers: true });

/** Body pieces up to this size are copied rather than written as views of the read buffer. */
const COPY_MAX = 16 * 1024;

// nghttp2 already refuses CR, LF and NUL in field values and malformed :method/:path; this is the
// belt to those braces, since the values are written into an HTTP/1.1 head verbatim.
const UNSAFE_VALUE = /[\r\n\0]/;
const UNSAFE_TARGET = /[\s\0]/;

/** Whether proxyH2ToH1Raw can carry this request (otherwise use proxyH2ToH1). */
export function rawEligible(t: H2Target): boolean {
  if (!t.bodyless || t.grpcType !== undefined || UNSAFE_TARGET.test(t.url) || UNSAFE_TARGET.test(t.method)) return false;
  for (let i = 1; i < t.headers.length; i += 2) if (UNSAFE_VALUE.test(t.headers[i]!)) return false;
  return true;
}

export function proxyH2ToH1Raw(stream: http2.ServerHttp2Stream, pool: FastUpstreams, endpoint: Endpoint, t: H2Target): void {
  new RawExchange(stream, pool, endpoint, t).start();
}

// The stream's listeners are shared functions finding their exchange on the stream, rather than
// closures made per request (each costs an allocation, and tsx's keepNames a call, per request).
const EXCHANGE = Symbol('sluice.rawExchange');
type TaggedStream = http2.ServerHttp2Stream & { [EXCHANGE]?: RawExchange };

function streamDrained(this: TaggedStream): void {
  this[EXCHANGE]?.onStreamDrain();
}

class RawExchange extends UpstreamResponseReader implements UpstreamOwner {
  readonly #stream: http2.ServerHttp2Stream;
  readonly #pool: FastUpstreams;
  #endpoint: Endpoint;
  readonly #t: H2Target;
  readonly #resends = new Resends();
  #conn: UpstreamConn | null = null;
  /** the upstream announced trailers (`Trailer:`): the client stream waits for them */
  #announced = false;
  /** the chunked body's trailers, once read (most responses have none) */
  #trailers: http2.OutgoingHttpHeaders | undefined = undefined;
  #finished = false;
  /** the last upstreamData left a view of the read buffer somewhere (see #out) */
  #kept = false;
  /** a 'drain' listener is on the stream */
  #draining = false;

  constructor(stream: http2.ServerHttp2Stream, pool: FastUpstreams, endpoint: Endpoint, t: H2Target) {
    super();
    this.#stream = stream;
    this.#pool = pool;
    this.#endpoint = endpoint;
    this.#t = t;
  }

  start(): void {
    const head = requestHead(this.#t.method, this.#t.url, this.#t.headers, false);
    this.#resends.arm(head, IDEMPOTENT.has(this.#t.method), this.#t.retries);
    (this.#stream as TaggedStream)[EXCHANGE] = this;
    whenClosed(this.#stream, this);
    this.expectResponse(this.#t.head, false);
    // A route timeout (deadlines.ts): the exchange answers the stream; the upstream socket goes.
    // Only routes with a timeout get one, so the usual request makes no closure for it.
    if (this.#t.decision.timeout !== undefined) this.#t.cancelUpstream = () => this.#cancel();
    this.#conn = dispatch(this.#pool, this.#endpoint, this, head, false);
  }

  #cancel(): void {
    this.#finished = true;
    this.#resends.cancel();
    this.#drop();
  }

  onStreamClose(): void {
    if (this.#finished) return;
    // The client reset the stream or went away mid-exchange: the upstream socket is mid-message.
    this.#drop();
    this.#finish(499);
  };

  onStreamDrain(): void {
    this.#conn?.socket.resume();
  }

  // ---- UpstreamOwner

  upstreamDrain(): void {
    // No request body: nothing waits for the upstream to drain.
  }

  keepsReadBuffer(): boolean {
    // (The chunked decoder copies trailer bytes it has to keep; its data goes through #out.)
    return this.#kept || this.holdsPartialHead;
  }

  /**
   * What to write to the stream for a view of the read buffer. node:http2 hands the bytes to
   * nghttp2, which sends them later, so a view keeps the buffer; small pieces (most responses) are
   * copied instead, which lets the connection read into the same buffer again.
   */
  #out(piece: Buffer): Buffer {
    if (piece.length <= COPY_MAX) return Buffer.from(piece);
    this.#kept = true;
    return piece;
  }

  upstreamData(conn: UpstreamConn, chunk: Buffer): void {
    if (conn !== this.#conn) return;
    this.#kept = false;
    if (this.readingBody && !guard.usable(this.#stream)) return this.onStreamClose();
    this.readResponse(chunk);
  }

  upstreamClosed(conn: UpstreamConn, err: (Error & { code?: string }) | undefined): void {
    if (conn !== this.#conn) return;
    this.#conn = null;
    if (this.responseClosed()) return;
    this.#conn = resendIfStale(this.#pool, this.#endpoint, this, conn, this.awaitingHead, this.#resends.stale);
    this.#resends.stale = '';
    // No error (a close or FIN before the answer) is a reset.
    if (this.#conn === null) this.#failed(err ?? 'reset');
  }

  // ---- the response (UpstreamResponseReader)

  protected responseHead(_buf: Buffer, head: ResponseHead, _bodyStart: number): number {
    this.#t.upstreamResponded();
    if (!guard.usable(this.#stream)) {
      this.onStreamClose();
      return -1;
    }
    // A status the route retries is never shown to the client.
    if (this.#resends.route !== '') {
      const wait = this.#t.retryAfter(head.status);
      if (wait >= 0) {
        this.#retry(wait);
        return -1;
      }
    }
    const t = this.#t;
    const fields = t.editsResponse ? pairsToObject(head.status, t.responseHeaders(head.status, clientResponseHeaders(head.raw))) : h1ResponseToH2(head.status, head.raw);
    this.#announced = head.raw.some((h, i) => i % 2 === 0 && h.length === 7 && h.toLowerCase() === 'trailer');
    if (this.#announced) this.#stream.once('wantTrailers', () => guard.sendTrailers(this.#stream, this.#trailers ?? {}));
    const empty = head.framing === NO_BODY || (head.framing === LENGTH && head.contentLength === 0);
    if (!guard.respond(this.#stream, fields, this.#announced ? TRAILERS_FOLLOW : empty ? HEAD_ONLY : BODY_FOLLOWS)) {
      // Gone, or node refused the head (the guard answered 502): the upstream is mid-message.
      this.#drop();
      this.#finish(this.#stream.headersSent ? 502 : 499);
      return -1;
    }
    return 0;
  }

  protected responseBody(piece: Buffer, last: boolean): void {
    // The last piece and END_STREAM in one go (the usual small response: one read, one call).
    if (last && !this.#announced) guard.end(this.#stream, this.#out(piece));
    else guard.write(this.#stream, this.#out(piece));
  }

  chunkData(data: Buffer): void {
    guard.write(this.#stream, this.#out(data));
  }

  protected responseTrailers(raw: Buffer | null): void {
    if (raw !== null && this.#announced) this.#trailers = trailerObject(raw);
  }

  protected responseFlowed(): void {
    const s = this.#stream;
    if (this.#conn === null || !backedUp(s)) return;
    // Listened for only when it is needed: most responses never fill the stream's buffer.
    this.#conn.socket.pause();
    if (!this.#draining) {
      this.#draining = true;
      s.on('drain', streamDrained);
      watchSend(this.#t.dp.sends, s, () => cancelStream(s));
    }
  }

  protected responseDone(): void {
    const conn = this.#conn;
    this.#conn = null;
    if (conn !== null) {
      if (this.resReusable) this.#pool.release(conn, this.resKeepAliveMs);
      else {
        conn.owner = null;
        conn.socket.destroy();
      }
    }
    guard.end(this.#stream);
    this.#finish(this.resStatus);
  }

  protected responseFailed(reason: UpstreamErrorReason): void {
    this.#failed(reason);
  }

  // ---- endings

  /** Resends the request after `wait` ms on a new connection (the old one is mid-message or gone). */
  #retry(wait: number): void {
    this.#drop();
    this.#resends.after(wait, () => {
      const t = this.#t;
      if (this.#finished) return;
      if (!t.nextAttempt()) return this.#failed('reset');
      this.#endpoint = t.endpoint!;
      this.expectResponse(t.head, false);
      this.#resends.stale = this.#resends.route;
      this.#conn = dispatch(this.#pool, this.#endpoint, this, this.#resends.route, false);
    });
  }

  #failed(outcome: UpstreamErrorReason | (Error & { code?: string })): void {
    const s = this.#stream;
    if (this.#resends.route !== '' && !s.headersSent && guard.usable(s)) {
      const wait = this.#t.retryAfter(typeof outcome === 'string' ? outcome : upstreamErrorReason(outcome));
      if (wait >= 0) return this.#retry(wait);
    }
    this.#drop();
    if (!s.headersSent) {
      failBeforeHeaders(s, this.#t, outcome);
      return this.#finish(503);
    }
    guard.reset(s, NGHTTP2_INTERNAL_ERROR);
    this.#finish(this.resStatus, 'reset_after_headers');
  }

  /** Gives up the upstream connection mid-message: it can never be reused. */
  #drop(): void {
    this.stopReading();
    const conn = this.#conn;
    this.#conn = null;
    if (conn !== null) {
      conn.owner = null;
      conn.socket.destroy();
    }
  }

  #finish(status: number, outcome?: Outcome): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#resends.cancel();
    if (this.#draining) this.#stream.off('drain', streamDrained);
    this.#t.counted(0, this.resBytes, this.resHeadAt);
    this.#t.finish(status, outcome);
  }
}

/** `name: value\r\n` lines of a chunked body's trailer section as HTTP/2 trailers (names lower-cased). */
function trailerObject(raw: Buffer): http2.OutgoingHttpHeaders {
  const out: http2.OutgoingHttpHeaders = {};
  for (const line of raw.toString('latin1').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    // Connection-specific fields are not allowed in HTTP/2 trailers either.
    if (name === 'transfer-encoding' || name === 'connection' || name === 'content-length') continue;
    const value = line.slice(colon + 1).trim();
    const prev = out[name];
    out[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [String(prev), value];
  }
  return out;
}
