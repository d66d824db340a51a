// The fast path's request-body pump: a client's Content-Length or chunked body, read as it comes
// and written to the upstream socket (chunked bodies re-framed, so extensions never travel on).
// One per client connection, reused for each request, like the decoders.
import type { Socket } from 'node:net';
import { StallClock } from '../client-deadlines.ts';
import type { BodyCopy } from '../mirror.ts';
import { ChunkedDecoder, type ChunkSink, INVALID, NEED_MORE } from './chunked.ts';
import { CHUNKED, type Framing, LENGTH } from './parse.ts';
import { chunkHead, CRLF, LAST_CHUNK } from './wire.ts';

/** no body left to read, or reading a Content-Length / chunked body */
const DONE = 0;
const BY_LENGTH = 1;
const BY_CHUNKS = 2;

/** feed()'s answer for a malformed chunked body */
export const BAD_BODY = -1;
/** feed()'s answer for a chunked body past the route's limit (policies/body-limit.ts) */
export const TOO_LARGE = -2;

export class RequestBodyPump implements ChunkSink {
  #phase = DONE;
  #left = 0;
  #decoder: ChunkedDecoder | null = null;
  /** where body bytes go during a feed (null: read and dropped, the upstream is gone) */
  #up: Socket | null = null;
  /** the upstream socket body bytes were last written to */
  #wroteTo: Socket | null = null;
  /** reads of body bytes: the client's progress, for the body timeout */
  #reads = 0;
  readonly #clock = new StallClock();
  /** the route's mirrors' copy of the body (mirror.ts); null on the usual route */
  #copy: BodyCopy | null = null;
  /** body data bytes read of this request (the access log's bytes received) */
  bytes = 0;
  /** chunked body bytes the route still allows (-1: no limit; a declared length was checked before) */
  #allowed = -1;

  /** Readies the pump for the body of a request just sent upstream; `limit`: the route's body limit, or -1. */
  start(framing: Framing, contentLength: number, copy: BodyCopy | undefined, limit = -1): void {
    this.#clock.reset();
    this.#allowed = limit;
    this.#copy = copy ?? null;
    this.bytes = 0;
    this.#phase = framing === LENGTH ? BY_LENGTH : framing === CHUNKED ? BY_CHUNKS : DONE;
    this.#left = contentLength;
    if (this.#phase === BY_CHUNKS) (this.#decoder ??= new ChunkedDecoder(this, false)).reset();
  }

  /** the body is still being read */
  get reading(): boolean {
    return this.#phase !== DONE;
  }

  /** True once the client sent no body for `limit` ms, all of them spent `waiting` on it (client-deadlines.ts). */
  stalled(now: number, waiting: boolean, limit: number): boolean {
    return this.#clock.stalled(now, this.#reads, waiting, limit);
  }

  /**
   * Body bytes written upstream still wait in its write queue (not taken at once, or the socket is
   * still connecting): the buffer they were read into must not be read into again yet.
   */
  get queued(): boolean {
    const s = this.#wroteTo;
    return s !== null && (s.writableLength > 0 || s.writableCorked > 0 || s.connecting);
  }

  /** Stops reading (the exchange was abandoned). */
  stop(): void {
    if (this.#phase !== DONE) this.#copy?.abort();
    this.#copy = null;
    this.#phase = DONE;
  }

  #done(): void {
    this.#phase = DONE;
    this.#copy?.end();
    this.#copy = null;
  }

  /**
   * Writes the body's part of `buf` from `off` to `up`; returns the offset just after the body
   * (buf.length while it goes on), or BAD_BODY.
   */
  feed(buf: Buffer, off: number, up: Socket | null): number {
    this.#reads++;
    if (up !== null) this.#wroteTo = up;
    if (this.#phase === BY_LENGTH) {
      const n = Math.min(this.#left, buf.length - off);
      this.#left -= n;
      this.bytes += n;
      const part = off === 0 && n === buf.length ? buf : buf.subarray(off, off + n);
      up?.write(part);
      this.#copy?.write(part);
      if (this.#left === 0) this.#done();
      return off + n;
    }
    this.#up = up;
    const r = this.#decoder!.feed(buf, off, buf.length);
    this.#up = null;
    if (r === INVALID) return BAD_BODY;
    if (this.#allowed < -1) return TOO_LARGE;
    if (r === NEED_MORE) return buf.length;
    up?.write(LAST_CHUNK, 'latin1');
    this.#done();
    return r;
  }

  /** A chunk of request body from the decoder, re-framed for the upstream. */
  chunkData(data: Buffer): void {
    this.bytes += data.length;
    if (this.#allowed >= 0) {
      // Past the limit: nothing more goes anywhere (-2 marks it for feed()).
      this.#allowed = this.#allowed >= data.length ? this.#allowed - data.length : -2;
      if (this.#allowed < 0) this.#up = null;
    }
    if (this.#allowed < -1) return;
    this.#copy?.write(data);
    const up = this.#up;
    if (up === null) return;
    up.write(chunkHead(data.length), 'latin1');
    up.write(data);
    up.write(CRLF, 'latin1');
  }
}
