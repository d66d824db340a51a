// One HTTP/2 request stream as the exchange sees it: the request's head, its body as chunks the
// consumer acknowledges (flow control follows the consumer), and the response written back.
// No Duplex and no EventEmitter: the consumer sets plain callbacks.
//
//   stream.method / scheme / authority / path / protocol   the request's pseudo-headers
//   stream.headers        regular fields, flat name/value pairs (lower-case names)
//   stream.endStream      true when END_STREAM came with HEADERS (no body)
//   stream.read(onData, onEnd)   body chunks, then onEnd(trailers?); chunks are views into the
//                         socket's reads (no copy, never reused: keeping one keeps its read alive)
//   stream.consume(n)     the consumer is done with n body bytes: the client may send n more
//   stream.respond(status, pairs, endStream)   the response head (pairs without :status)
//   stream.write(chunk)   queues body bytes; false once past the high-water mark (64 KiB on the
//                         stream, or the connection's maxBufferedResponse across its streams),
//                         then wait for onDrain: it comes when the client has read enough, never
//                         while its window stays shut (past 4 MiB queued the stream is reset
//                         INTERNAL_ERROR)
//   stream.end(trailers?) finishes the response (trailers as flat pairs)
//   stream.reset(code)    RST_STREAM (CANCEL by default)
//   stream.onClose(code, byPeer)   once, when the stream is gone: 0 after a normal finish, else the
//                         RST_STREAM or GOAWAY code; byPeer when the client reset it or the
//                         connection died under it. The core itself resets a stream that waited
//                         on the client (body not sent, window shut) past streamIdleTimeoutMs:
//                         onClose(CANCEL, false); a consumer waiting on its upstream is never
//                         timed out by the core, that is the consumer's own deadline
//   stream.bytesIn / bytesOut   header block and DATA bytes either way (access log)
//
// Ending a connection (connection.ts): connection.shutdown(deadlineMs) for a server going away,
// the two-step GOAWAY of RFC 9113 6.8; open streams keep being served and the socket ends when
// the last finishes, or at the deadline with onClose(CANCEL, true) for the rest; streams the
// client opens after it get REFUSED_STREAM and never reach the handler. connection.close() is
// the one-step GOAWAY (idle connections); connection.destroy() drops the socket.
import { CANCEL, INTERNAL_ERROR } from './frames.ts';

/** What a stream asks of its connection. */
export interface StreamHost {
  sendHeaders(stream: H2Stream, pairs: readonly string[], endStream: boolean): void;
  /**
   * The stream has queued DATA (`bytes` more of it) or an end to send. False when the stream or
   * the connection holds too much unsent: the consumer waits for onDrain.
   */
  wantsToSend(stream: H2Stream, bytes?: number): boolean;
  consumed(stream: H2Stream, n: number): void;
  resetStream(stream: H2Stream, code: number): void;
}

type DataHandler = (chunk: Buffer) => void;
type EndHandler = (trailers: string[] | undefined) => void;

function nothing(): void {}

/** Queued response bytes past which write() says to wait for onDrain. */
export const WRITE_HIGH_WATER = 65_536;
/** Queued response bytes past which the stream is reset: a consumer that ignores write()'s false. */
export const MAX_QUEUED = 4 * 1024 * 1024;

export class H2Stream {
  readonly id: number;
  method = '';
  scheme: string | undefined = undefined;
  authority: string | undefined = undefined;
  path: string | undefined = undefined;
  protocol: string | undefined = undefined;
  headers: string[] = [];
  endStream = false;
  bytesIn = 0;
  bytesOut = 0;
  onDrain: () => void = nothing;
  onClose: (code: number, byPeer: boolean) => void = nothing;

  // ---- connection-owned state (read and written by connection.ts only) ----
  /** Our receive window as the client sees it. */
  recvWindow: number;
  /** Body bytes the consumer took and the client has not yet been given back. */
  unacked = 0;
  /** Body bytes received and not yet consumed (returned to the connection window on close). */
  unconsumed = 0;
  sendWindow: number;
  /** Response body queued behind flow control, and how far into its first chunk we are. */
  queue: Buffer[] = [];
  queueOffset = 0;
  queued = 0;
  /** end() called: END_STREAM goes with the last queued byte (or the trailers). */
  ending = false;
  trailers: string[] | undefined = undefined;
  headersSent = false;
  localClosed = false;
  remoteClosed = false;
  closed = false;
  /** content-length the request announced (-1: none) and DATA bytes seen against it. */
  contentLength = -1;
  received = 0;
  /** Watchdog tick of the stream's last progress (watchdog.ts). */
  progressTick = 0;
  /** In the connection's list of streams with something to send. */
  scheduled = false;
  onData: DataHandler | undefined = undefined;
  onEnd: EndHandler = nothing;
  #inbox: Buffer[] | undefined = undefined;
  #endedWith: string[] | undefined | null = null;
  readonly #host: StreamHost;

  constructor(host: StreamHost, id: number, recvWindow: number, sendWindow: number) {
    this.#host = host;
    this.id = id;
    this.recvWindow = recvWindow;
    this.sendWindow = sendWindow;
  }

  /** Starts delivering the body: chunks held so far are handed over now. */
  read(onData: DataHandler, onEnd: EndHandler): void {
    this.onData = onData;
    this.onEnd = onEnd;
    const inbox = this.#inbox;
    this.#inbox = undefined;
    if (inbox !== undefined) for (const chunk of inbox) onData(chunk);
    if (this.#endedWith !== null) {
      const t = this.#endedWith;
      this.#endedWith = null;
      onEnd(t);
    }
  }

  consume(n: number): void {
    if (n > 0 && !this.closed) this.#host.consumed(this, n);
  }

  respond(status: number, pairs: readonly string[], endStream = false): void {
    if (this.headersSent || this.closed) return;
    this.headersSent = true;
    if (endStream) this.ending = true;
    this.#host.sendHeaders(this, [':status', String(status), ...pairs], endStream);
  }

  write(chunk: Buffer): boolean {
    if (this.closed || this.ending) return false;
    if (this.queued + chunk.length > MAX_QUEUED) {
      // The consumer ignored write()'s false: bound the memory, end the stream.
      this.reset(INTERNAL_ERROR);
      return false;
    }
    if (chunk.length > 0) {
      this.queue.push(chunk);
      this.queued += chunk.length;
    }
    return this.#host.wantsToSend(this, chunk.length);
  }

  end(trailers?: readonly string[]): void {
    if (this.closed || this.ending) return;
    if (!this.headersSent) this.respond(200, []);
    this.ending = true;
    if (trailers !== undefined && trailers.length > 0) this.trailers = trailers.slice();
    this.#host.wantsToSend(this);
  }

  reset(code: number = CANCEL): void {
    if (!this.closed) this.#host.resetStream(this, code);
  }

  // ---- called by the connection ----

  /** A body chunk arrived. */
  deliver(chunk: Buffer): void {
    if (this.onData !== undefined) return this.onData(chunk);
    (this.#inbox ??= []).push(chunk);
  }

  /** The request ended (END_STREAM), with trailers or not. */
  deliverEnd(trailers: string[] | undefined): void {
    if (this.onData !== undefined) return this.onEnd(trailers);
    this.#endedWith = trailers;
  }

  /** Marks the stream gone and tells the consumer, once. */
  finish(code: number, byPeer: boolean): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.queued = 0;
    this.#inbox = undefined;
    this.onClose(code, byPeer);
  }
}

