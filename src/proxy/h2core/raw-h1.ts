// The HTTP/2 front end's fast path: a bodiless request from an HTTP/2 stream to an HTTP/1.1
// upstream over the fast path's raw keep-alive sockets (its strict response parser and pool; undici
// was a sixth of an HTTP/2 request's CPU), with nothing between them: the upstream parser's pieces
// go to stream.write() as they come, the stream's onDrain resumes the upstream socket. No Readable,
// no Writable, no header object. Requests with a body, and gRPC, go through h2-proxy.ts, which streams them.
import type { H2Stream } from '../../net/h2/stream.ts';
import { CANCEL, INTERNAL_ERROR } from '../../net/h2/frames.ts';
import { WRITE_HIGH_WATER } from '../../net/h2/stream.ts';
import type { Endpoint } from '../../snapshot/types.ts';
import { sendProgress } from '../client-deadlines.ts';
import type { Exchange, Outcome } from '../exchange.ts';
import { LENGTH, NO_BODY, type ResponseHead } from '../fast/parse.ts';
import { type FastUpstreams, IDEMPOTENT, type UpstreamConn, type UpstreamOwner } from '../fast/upstream-pool.ts';
import { dispatch, Resends, resendIfStale, UpstreamResponseReader } from '../fast/upstream-response.ts';
import { requestHead } from '../fast/wire.ts';
import { clientResponseHeaders } from '../headers.ts';
import { UPSTREAM_RESET } from '../local-reply.ts';
import { type UpstreamErrorReason, upstreamErrorReason } from '../upstream-errors.ts';
import { h1ResponsePairs, lowerNames, refusedField, trailerPairs, writeLocalCore } from './reply.ts';

/** Body pieces up to this size are copied rather than queued as views of the shared read buffer. */
const COPY_MAX = 16 * 1024;

// The core refuses CR, LF and NUL in field values and malformed :method/:path already; this is the
// belt to those braces, since the values are written into an HTTP/1.1 head verbatim.
const UNSAFE_VALUE = /[\r\n\0]/;
const UNSAFE_TARGET = /[\s\0]/;

/** Whether proxyCoreToH1Raw can carry this request (otherwise the piping path, h2-proxy.ts). */
export function rawEligible(t: Exchange): boolean {
  if (!t.bodyless || t.grpcType !== undefined || UNSAFE_TARGET.test(t.url) || UNSAFE_TARGET.test(t.method)) return false;
  for (let i = 1; i < t.headers.length; i += 2) if (UNSAFE_VALUE.test(t.headers[i]!)) return false;
  return true;
}

export function proxyCoreToH1Raw(stream: H2Stream, pool: FastUpstreams, endpoint: Endpoint, t: Exchange): void {
  new CoreRawExchange(stream, pool, endpoint, t).start();
}

class CoreRawExchange extends UpstreamResponseReader implements UpstreamOwner {
  readonly #stream: H2Stream;
  readonly #pool: FastUpstreams;
  #endpoint: Endpoint;
  readonly #t: Exchange;
  readonly #resends = new Resends();
  #conn: UpstreamConn | null = null;
  /** the upstream announced trailers (`Trailer:`) */
  #announced = false;
  #trailers: string[] | undefined = undefined;
  #finished = false;
  /** the whole response went out with its head (END_STREAM on HEADERS): the stream may close before responseDone */
  #headOnly = false;
  /** the last upstreamData left a view of the read buffer queued on the stream */
  #kept = false;
  /** the client's send deadline, once the stream backed up */
  #unwatch: (() => void) | undefined = undefined;
  #drains = 0;

  constructor(stream: H2Stream, pool: FastUpstreams, endpoint: Endpoint, t: Exchange) {
    super();
    this.#stream = stream;
    this.#pool = pool;
    this.#endpoint = endpoint;
    this.#t = t;
  }

  start(): void {
    const t = this.#t;
    const head = requestHead(t.method, t.url, t.headers, false);
    this.#resends.arm(head, IDEMPOTENT.has(t.method), t.retries);
    this.#stream.onClose = () => this.#streamClosed();
    this.#stream.onDrain = () => {
      this.#drains++;
      this.#conn?.socket.resume();
    };
    this.expectResponse(t.head, false);
    if (t.decision.timeout !== undefined) t.cancelUpstream = () => this.#cancel();
    this.#conn = dispatch(this.#pool, this.#endpoint, this, head, false);
  }

  #cancel(): void {
    this.#finished = true;
    this.#resends.cancel();
    this.#unwatch?.();
    this.#drop();
  }

  #streamClosed(): void {
    if (this.#finished || this.#headOnly) return;
    // The client reset the stream or went away mid-exchange: the upstream socket is mid-message.
    this.#drop();
    this.#finish(499);
  }

  // ---- UpstreamOwner

  upstreamDrain(): void {
    // No request body: nothing waits for the upstream to drain.
  }

  keepsReadBuffer(): boolean {
    return this.#kept || this.holdsPartialHead;
  }

  #out(piece: Buffer): Buffer {
    if (piece.length <= COPY_MAX) return Buffer.from(piece);
    this.#kept = true;
    return piece;
  }

  upstreamData(conn: UpstreamConn, chunk: Buffer): void {
    if (conn !== this.#conn) return;
    this.#kept = false;
    if (this.readingBody && this.#stream.closed) return this.#streamClosed();
    this.readResponse(chunk);
  }

  upstreamClosed(conn: UpstreamConn, err: (Error & { code?: string }) | undefined): void {
    if (conn !== this.#conn) return;
    this.#conn = null;
    if (this.responseClosed()) return;
    this.#conn = resendIfStale(this.#pool, this.#endpoint, this, conn, this.awaitingHead, this.#resends.stale);
    this.#resends.stale = '';
    if (this.#conn === null) this.#failed(err ?? 'reset');
  }

  // ---- the response (UpstreamResponseReader)

  protected responseHead(_buf: Buffer, head: ResponseHead, _bodyStart: number): number {
    const t = this.#t;
    t.upstreamResponded(this.resHeadAt);
    if (this.#stream.closed) {
      this.#streamClosed();
      return -1;
    }
    if (this.#resends.route !== '') {
      const wait = t.retryAfter(head.status);
      if (wait >= 0) {
        this.#retry(wait);
        return -1;
      }
    }
    const pairs = t.editsResponse ? lowerNames(t.responseHeaders(head.status, clientResponseHeaders(head.raw))) : h1ResponsePairs(head.raw);
    this.#announced = head.raw.some((h, i) => i % 2 === 0 && h.length === 7 && h.toLowerCase() === 'trailer');
    const empty = head.framing === NO_BODY || (head.framing === LENGTH && head.contentLength === 0);
    const refused = refusedField(pairs);
    if (refused !== undefined) {
      // A head HTTP/2 cannot carry (node:http2 refuses it too): a bare 502, the upstream mid-message.
      this.#drop();
      this.#headOnly = true;
      this.#stream.respond(502, ['content-length', '0'], true);
      this.#finish(502);
      return -1;
    }
    this.#headOnly = empty && !this.#announced;
    this.#stream.respond(head.status, pairs, this.#headOnly);
    return 0;
  }

  protected responseBody(piece: Buffer, last: boolean): void {
    const s = this.#stream;
    s.write(this.#out(piece));
    // The last piece and END_STREAM in one go (the usual small response: one read, one frame).
    if (last && !this.#announced) s.end();
  }

  chunkData(data: Buffer): void {
    this.#stream.write(this.#out(data));
  }

  protected responseTrailers(raw: Buffer | null): void {
    if (raw !== null && this.#announced) this.#trailers = trailerPairs(raw);
  }

  protected responseFlowed(): void {
    const s = this.#stream;
    if (this.#conn === null || s.queued < WRITE_HIGH_WATER) return;
    // The client is not taking the response as fast as the upstream sends it: wait for onDrain.
    this.#conn.socket.pause();
    if (this.#unwatch === undefined) {
      this.#unwatch = this.#t.dp.sends.watch({
        received: () => sendProgress(this.#drains, s.queued),
        waiting: () => !s.closed && s.queued >= WRITE_HIGH_WATER,
        expire: () => s.reset(CANCEL),
      });
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
    this.#stream.end(this.#trailers);
    this.#finish(this.resStatus);
  }

  protected responseFailed(reason: UpstreamErrorReason): void {
    this.#failed(reason);
  }

  // ---- endings

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
    if (this.#resends.route !== '' && !s.headersSent && !s.closed) {
      const wait = this.#t.retryAfter(typeof outcome === 'string' ? outcome : upstreamErrorReason(outcome));
      if (wait >= 0) return this.#retry(wait);
    }
    this.#drop();
    if (!s.headersSent) {
      writeLocalCore(s, UPSTREAM_RESET, this.#t.head, this.#t.grpcType);
      return this.#finish(503, outcome);
    }
    s.reset(INTERNAL_ERROR);
    this.#finish(this.resStatus, 'reset_after_headers');
  }

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
    this.#unwatch?.();
    this.#t.counted(0, this.resBytes, this.resHeadAt);
    this.#t.finish(status, outcome);
  }
}
