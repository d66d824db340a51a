// HTTP/2 client stream -> HTTP/1.1 upstream over the fast path's raw keep-alive sockets, for
// requests without a body (the usual GET). undici's dispatch was a sixth of the CPU of an HTTP/2
// request here; this reuses the fast path's strict response parser and pool instead. Requests with
// a body, and gRPC, keep going through undici (h2-proxy.ts), which streams them.
import http2 from 'node:http2';
import type { Endpoint } from '../snapshot/types.ts';
import { ChunkedDecoder, type ChunkSink, INVALID, NEED_MORE } from './fast/chunked.ts';
import { CHUNKED, HeadError, LENGTH, parseFinalResponseHead, UNTIL_CLOSE } from './fast/parse.ts';
import { type FastUpstreams, IDEMPOTENT, RESPONSE_LIMITS, type UpstreamConn, type UpstreamOwner } from './fast/upstream-pool.ts';
import { type UpstreamErrorReason, upstreamErrorReason } from './upstream-errors.ts';
import { backedUp, requestHead } from './fast/wire.ts';
import { failBeforeHeaders, pairsToObject, type H2Target } from './h2-proxy.ts';
import { clientResponseHeaders } from './headers.ts';
import { cancelStream, watchSend } from './client-deadlines.ts';
import * as guard from './h2-stream-guard.ts';

const { NGHTTP2_INTERNAL_ERROR } = http2.constants;

/** Body pieces up to this size are copied rather than written as views of the read buffer. */
const COPY_MAX = 16 * 1024;

const HEAD = 0;
const BODY_LENGTH = 1;
const BODY_CHUNKED = 2;
const BODY_UNTIL_CLOSE = 3;
const DONE = 4;

// nghttp2 already refuses CR, LF and NUL in field values and malformed :method/:path; this is the
// belt to those braces, since the values are written into an HTTP/1.1 head verbatim.
const UNSAFE_VALUE = /[\r\n\0]/;
const UNSAFE_TARGET = /[\s\0]/;

/** Whether proxyH2ToH1Raw can carry this request (otherwise use proxyH2ToH1). */
export function rawEligible(t: H2Target): boolean {
  if (!t.endStream || t.grpcType !== undefined || UNSAFE_TARGET.test(t.path) || UNSAFE_TARGET.test(t.method)) return false;
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

function streamClosed(this: TaggedStream): void {
  this[EXCHANGE]?.onStreamClose();
}

function streamDrained(this: TaggedStream): void {
  this[EXCHANGE]?.onStreamDrain();
}

class RawExchange implements UpstreamOwner, ChunkSink {
  readonly #stream: http2.ServerHttp2Stream;
  readonly #pool: FastUpstreams;
  readonly #endpoint: Endpoint;
  readonly #t: H2Target;
  #head = '';
  #conn: UpstreamConn | null = null;
  #retried = false;
  #buf: Buffer | null = null;
  #phase = HEAD;
  #left = 0;
  #decoder: ChunkedDecoder | null = null;
  #status = 0;
  #reusable = false;
  #keepAliveMs = -1;
  /** the upstream announced trailers (`Trailer:`): the client stream waits for them */
  #announced = false;
  #trailers: http2.OutgoingHttpHeaders = {};
  #finished = false;
  /** the last upstreamData left a view of the read buffer somewhere (see #out) */
  #kept = false;
  /** a 'drain' listener is on the stream */
  #draining = false;

  constructor(stream: http2.ServerHttp2Stream, pool: FastUpstreams, endpoint: Endpoint, t: H2Target) {
    this.#stream = stream;
    this.#pool = pool;
    this.#endpoint = endpoint;
    this.#t = t;
  }

  start(): void {
    this.#head = requestHead(this.#t.method, this.#t.path, this.#t.headers, false);
    (this.#stream as TaggedStream)[EXCHANGE] = this;
    this.#stream.once('close', streamClosed);
    this.#send(false);
  }

  #send(fresh: boolean): void {
    const conn = this.#pool.acquire(this.#endpoint, this, fresh);
    this.#conn = conn;
    conn.socket.write(this.#head, 'latin1');
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
    return this.#kept;
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
    if (this.#phase !== HEAD) return this.#body(chunk, 0);
    const buf = this.#buf === null ? chunk : Buffer.concat([this.#buf, chunk]);
    this.#buf = null;
    const head = parseFinalResponseHead(buf, 0, buf.length, RESPONSE_LIMITS, this.#t.head);
    if (head === undefined) {
      this.#buf = buf;
      this.#kept = true;
      return;
    }
    if (head instanceof HeadError) return this.#failed('protocol', undefined);
    const off = head.start;
    this.#status = head.status;
    this.#reusable = head.reusable;
    this.#keepAliveMs = head.keepAliveMs;
    this.#left = head.contentLength;
    const f = head.framing;
    this.#phase = f === LENGTH ? BODY_LENGTH : f === CHUNKED ? BODY_CHUNKED : f === UNTIL_CLOSE ? BODY_UNTIL_CLOSE : DONE;
    if (!guard.usable(this.#stream)) return this.onStreamClose();
    const pairs = clientResponseHeaders(head.raw);
    this.#announced = head.raw.some((h, i) => i % 2 === 0 && h.length === 7 && h.toLowerCase() === 'trailer');
    if (this.#announced) this.#stream.once('wantTrailers', () => guard.sendTrailers(this.#stream, this.#trailers));
    const rest = off + head.headLength;
    const empty = this.#phase === DONE || (this.#phase === BODY_LENGTH && this.#left === 0);
    if (!guard.respond(this.#stream, pairsToObject(head.status, pairs), { endStream: empty && !this.#announced, waitForTrailers: this.#announced })) {
      // Gone, or node refused the head (the guard answered 502): the upstream is mid-message.
      this.#drop();
      return this.#finish(this.#stream.headersSent ? 502 : 499);
    }
    if (empty) {
      if (rest < buf.length) this.#reusable = false;
      return this.#complete();
    }
    if (rest < buf.length) this.#body(buf, rest);
  }

  #body(buf: Buffer, off: number): void {
    const s = this.#stream;
    if (!guard.usable(s)) return this.onStreamClose();
    let ok = true;
    switch (this.#phase) {
      case BODY_LENGTH: {
        const n = Math.min(this.#left, buf.length - off);
        this.#left -= n;
        const piece = off === 0 && n === buf.length ? buf : buf.subarray(off, off + n);
        if (off + n < buf.length) this.#reusable = false;
        if (this.#left === 0) {
          // The last piece and END_STREAM in one go (the usual small response: one read, one call).
          if (this.#announced) guard.write(s, this.#out(piece));
          else guard.end(s, this.#out(piece));
          return this.#complete();
        }
        guard.write(s, this.#out(piece));
        ok = !backedUp(s);
        break;
      }
      case BODY_CHUNKED: {
        const decoder = (this.#decoder ??= new ChunkedDecoder(this, true));
        const r = decoder.feed(buf, off, buf.length);
        if (r === INVALID) return this.#failed('protocol', undefined);
        if (r !== NEED_MORE) {
          const trailers = decoder.takeTrailers();
          if (trailers !== null && this.#announced) this.#trailers = trailerObject(trailers);
          if (r < buf.length) this.#reusable = false;
          return this.#complete();
        }
        ok = !backedUp(s);
        break;
      }
      case BODY_UNTIL_CLOSE:
        guard.write(s, this.#out(off === 0 ? buf : buf.subarray(off)));
        ok = !backedUp(s);
        break;
      default:
        // Bytes after a complete response: the connection cannot be reused.
        this.#reusable = false;
    }
    if (!ok && this.#conn !== null) {
      // Listened for only when it is needed: most responses never fill the stream's buffer.
      this.#conn.socket.pause();
      if (!this.#draining) {
        this.#draining = true;
        s.on('drain', streamDrained);
        watchSend(this.#t.dp.sends, s, () => cancelStream(s));
      }
    }
  }

  chunkData(data: Buffer): void {
    guard.write(this.#stream, this.#out(data));
  }

  upstreamClosed(conn: UpstreamConn, err: (Error & { code?: string }) | undefined): void {
    if (conn !== this.#conn) return;
    this.#conn = null;
    if (this.#phase === BODY_UNTIL_CLOSE) {
      this.#reusable = false;
      return this.#complete();
    }
    if (this.#phase === DONE) return;
    // A reused keep-alive connection the upstream closed as we sent: once more on a new one.
    if (this.#phase === HEAD && this.#buf === null && conn.reused && !this.#retried && IDEMPOTENT.has(this.#t.method)) {
      this.#retried = true;
      return this.#send(true);
    }
    this.#failed(upstreamErrorReason(err), err);
  }

  // ---- endings

  #complete(): void {
    this.#phase = DONE;
    const conn = this.#conn;
    this.#conn = null;
    if (conn !== null) {
      if (this.#reusable) this.#pool.release(conn, this.#keepAliveMs);
      else {
        conn.owner = null;
        conn.socket.destroy();
      }
    }
    guard.end(this.#stream);
    this.#finish(this.#status);
  }

  #failed(reason: UpstreamErrorReason, err: (Error & { code?: string }) | undefined): void {
    this.#drop();
    const s = this.#stream;
    if (!s.headersSent) {
      failBeforeHeaders(s, this.#t, err ?? new Error(`upstream ${reason}`), reason);
      return this.#finish(503);
    }
    this.#t.dp.metrics.upstreamErrors.labels(this.#t.cluster, 'reset_after_headers').inc();
    guard.reset(s, NGHTTP2_INTERNAL_ERROR);
    this.#finish(this.#status);
  }

  /** Gives up the upstream connection mid-message: it can never be reused. */
  #drop(): void {
    this.#phase = DONE;
    const conn = this.#conn;
    this.#conn = null;
    if (conn !== null) {
      conn.owner = null;
      conn.socket.destroy();
    }
  }

  #finish(status: number): void {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#draining) this.#stream.off('drain', streamDrained);
    this.#t.onDone(status);
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
