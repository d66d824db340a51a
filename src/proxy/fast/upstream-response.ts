// Reads one raw HTTP/1.1 upstream response at a time off an UpstreamConn: the final head, then the
// body by its framing (Content-Length, chunked, until close), the reuse facts, completion and
// failure. What to do with the pieces is the subclass's (the sink): the fast path writes them to
// the client socket, HTTP/2's raw path to a stream. A base class rather than a separate object so
// an exchange made per request (HTTP/2) allocates nothing more, and the reader is reused per
// client connection (fast path) as the decoders are.
import type { Endpoint } from '../../snapshot/types.ts';
import type { UpstreamErrorReason } from '../upstream-errors.ts';
import { ChunkedDecoder, type ChunkSink, INVALID, NEED_MORE } from './chunked.ts';
import { CHUNKED, HeadError, LENGTH, parseFinalResponseHead, type ResponseHead, UNTIL_CLOSE } from './parse.ts';
import { type FastUpstreams, RESPONSE_LIMITS, type UpstreamConn, type UpstreamOwner } from './upstream-pool.ts';

/** waiting for the head, then the body by its framing, then done */
const HEAD = 0;
const BODY_LENGTH = 1;
const BODY_CHUNKED = 2;
const BODY_UNTIL_CLOSE = 3;
const DONE = 4;

export abstract class UpstreamResponseReader implements ChunkSink {
  /** a partial head: a view of the read buffer, or bytes joined from several reads */
  #partial: Buffer | null = null;
  #phase = DONE;
  #left = 0;
  #decoder: ChunkedDecoder | null = null;
  #headRequest = false;
  #lean = false;
  /** the final head's status (0 before it) */
  resStatus = 0;
  /** the upstream connection may carry another request after this response */
  resReusable = false;
  resKeepAliveMs = -1;
  /** for the access log: performance.now() when the final head came (0 before), and the body's data bytes so far */
  resHeadAt = 0;
  resBytes = 0;

  /** Readies the reader for the response to a request just sent. */
  protected expectResponse(headRequest: boolean, lean: boolean): void {
    this.#partial = null;
    this.#phase = HEAD;
    this.#headRequest = headRequest;
    this.#lean = lean;
    this.resStatus = 0;
    this.resHeadAt = 0;
    this.resBytes = 0;
  }

  /** No more of this response will be read (done, failed or abandoned). */
  protected stopReading(): void {
    this.#phase = DONE;
    this.#partial = null;
  }

  /** a partial head is kept as a view of the read buffer */
  protected get holdsPartialHead(): boolean {
    return this.#partial !== null;
  }

  /** nothing of the response has arrived yet (the only moment a stale connection may be retried) */
  protected get awaitingHead(): boolean {
    return this.#phase === HEAD && this.#partial === null;
  }

  /** the head was read and the body is still being read */
  protected get readingBody(): boolean {
    return this.#phase !== HEAD && this.#phase !== DONE;
  }

  // ---- the sink

  /**
   * The final head, its body starting at `bodyStart` in `buf`. Returns how many Content-Length
   * body bytes after the head the sink sent along with it, or -1 when it gave up the exchange.
   */
  protected abstract responseHead(buf: Buffer, head: ResponseHead, bodyStart: number): number;
  /** a piece of a Content-Length or until-close body (a view of the read buffer); `last` ends it */
  protected abstract responseBody(piece: Buffer, last: boolean): void;
  /** a piece of chunked body data (a view of the read buffer) */
  abstract chunkData(data: Buffer): void;
  /** the end of a chunked or until-close body, with the chunked trailer section if any */
  protected abstract responseTrailers(raw: Buffer | null): void;
  /** after body pieces were written: pause the upstream if the client is backed up */
  protected abstract responseFlowed(): void;
  /** the response was read completely; resReusable says whether the connection may be kept */
  protected abstract responseDone(): void;
  /** the upstream broke the protocol */
  protected abstract responseFailed(reason: UpstreamErrorReason): void;

  // ---- reading

  /** Feeds a read from the upstream (a view of its read buffer). */
  protected readResponse(chunk: Buffer): void {
    if (this.#phase !== HEAD) return this.#body(chunk, 0);
    const buf = this.#partial === null ? chunk : Buffer.concat([this.#partial, chunk]);
    this.#partial = null;
    const head = parseFinalResponseHead(buf, 0, buf.length, RESPONSE_LIMITS, this.#headRequest, this.#lean);
    if (head === undefined) {
      this.#partial = buf;
      return;
    }
    if (head instanceof HeadError) return this.#fail();
    this.resStatus = head.status;
    this.resHeadAt = performance.now();
    this.resReusable = head.reusable;
    this.resKeepAliveMs = head.keepAliveMs;
    this.#left = head.contentLength;
    const f = head.framing;
    this.#phase = f === LENGTH ? BODY_LENGTH : f === CHUNKED ? BODY_CHUNKED : f === UNTIL_CLOSE ? BODY_UNTIL_CLOSE : DONE;
    if (this.#phase === BODY_CHUNKED) (this.#decoder ??= new ChunkedDecoder(countingSink(this), true)).reset();
    const bodyStart = head.start + head.headLength;
    const inline = this.responseHead(buf, head, bodyStart);
    if (inline < 0) return this.stopReading();
    this.#left -= inline;
    this.resBytes += inline;
    const rest = bodyStart + inline;
    if (this.#phase === DONE || (this.#phase === BODY_LENGTH && this.#left === 0)) {
      // Bytes after a complete response: the connection is not reusable.
      if (rest < buf.length) this.resReusable = false;
      this.#phase = DONE;
      return this.responseDone();
    }
    if (rest < buf.length) this.#body(buf, rest);
    else this.responseFlowed();
  }

  #body(buf: Buffer, off: number): void {
    switch (this.#phase) {
      case BODY_LENGTH: {
        const n = Math.min(this.#left, buf.length - off);
        this.#left -= n;
        if (off + n < buf.length) this.resReusable = false;
        const piece = off === 0 && n === buf.length ? buf : buf.subarray(off, off + n);
        this.resBytes += n;
        if (this.#left === 0) {
          this.responseBody(piece, true);
          this.#phase = DONE;
          return this.responseDone();
        }
        this.responseBody(piece, false);
        break;
      }
      case BODY_CHUNKED: {
        const decoder = this.#decoder!;
        const r = decoder.feed(buf, off, buf.length);
        if (r === INVALID) return this.#fail();
        if (r !== NEED_MORE) {
          if (r < buf.length) this.resReusable = false;
          this.responseTrailers(decoder.takeTrailers());
          this.#phase = DONE;
          return this.responseDone();
        }
        break;
      }
      case BODY_UNTIL_CLOSE:
        this.resBytes += buf.length - off;
        if (buf.length > off) this.responseBody(off === 0 ? buf : buf.subarray(off), false);
        break;
      default:
        // Bytes after a complete response: the connection is not reusable.
        this.resReusable = false;
        return;
    }
    this.responseFlowed();
  }

  #fail(): void {
    this.stopReading();
    this.responseFailed('protocol');
  }

  /**
   * The upstream connection closed: true when that ended the response (an until-close body) or it
   * had ended already; false when the response is incomplete.
   */
  protected responseClosed(): boolean {
    if (this.#phase === BODY_UNTIL_CLOSE) {
      this.resReusable = false;
      this.responseTrailers(null);
      this.#phase = DONE;
      this.responseDone();
      return true;
    }
    return this.#phase === DONE;
  }
}

/**
 * The chunked decoder's sink: counts the data, then hands it to the reader. Made with the decoder,
 * the first time a response is chunked: HTTP/2 makes a reader per request, and most responses
 * have a Content-Length.
 */
function countingSink(reader: UpstreamResponseReader): ChunkSink {
  return {
    chunkData(data: Buffer): void {
      reader.resBytes += data.length;
      reader.chunkData(data);
    },
  };
}

/** Sends a request head on a pooled connection to `ep` (`fresh`: never a reused one). */
export function dispatch(pool: FastUpstreams, ep: Endpoint, owner: UpstreamOwner, head: HeadSource, fresh: boolean): UpstreamConn {
  const conn = pool.acquire(ep, owner, fresh);
  conn.socket.write(typeof head === 'string' ? head : head(), 'latin1');
  return conn;
}

/**
 * A request head kept for a resend: the string, or what makes it again (the fast path writes its
 * heads as bytes into a shared buffer, and makes the string only when a resend comes).
 */
export type HeadSource = string | (() => string);

/**
 * A reused keep-alive connection the upstream closed just as we sent, before any of the response:
 * sends `retryHead` once more on a fresh connection. null when that does not apply ('' means the
 * request may not be resent: not idempotent, or resent already).
 */
export function resendIfStale(pool: FastUpstreams, ep: Endpoint | null, owner: UpstreamOwner, closed: UpstreamConn, awaitingHead: boolean, retryHead: HeadSource): UpstreamConn | null {
  if (retryHead === '' || ep === null || !awaitingHead || !closed.reused) return null;
  return dispatch(pool, ep, owner, retryHead, true);
}

/**
 * The resends one raw upstream request may have (the fast path's and HTTP/2's raw path's): once
 * more on a fresh connection when a reused keep-alive one turns out closed (`stale`, idempotent
 * requests only), and the route's retries after their backoff (`route`, retry.ts).
 */
export class Resends {
  /** the request head for one resend on a stale keep-alive connection, or '' */
  stale: HeadSource = '';
  /** the request head for a route retry, kept while one may come, or '' */
  route: HeadSource = '';
  /** a route retry waiting out its backoff */
  #wait: NodeJS.Timeout | undefined = undefined;

  /** A request was sent as `head`: which resends it may have. */
  arm(head: HeadSource, stale: boolean, route: boolean): void {
    this.stale = stale ? head : '';
    this.route = route ? head : '';
  }

  /** Runs `again` after `ms` (a route retry's backoff) unless cancel() comes first. */
  after(ms: number, again: () => void): void {
    this.#wait = setTimeout(() => {
      this.#wait = undefined;
      again();
    }, ms);
  }

  /** The request is over: no resend of either kind. */
  cancel(): void {
    this.stale = '';
    this.route = '';
    if (this.#wait !== undefined) {
      clearTimeout(this.#wait);
      this.#wait = undefined;
    }
  }
}
