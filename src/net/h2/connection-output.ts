// A server connection's output side: streams with response bytes to send are moved into DATA
// frames within both flow-control windows and the socket's room, and everything pending goes out
// in one write per batch (frame-writer.ts). Also write()'s backpressure: a stream told to wait
// (its own 64 KiB, or maxBufferedResponse across the connection) gets onDrain once both have room,
// which a client that keeps its window shut never gives.
import type { H2Connection } from './connection.ts';
import { ENHANCE_YOUR_CALM, H2ProtocolError, NO_ERROR } from './frames.ts';
import { type H2Stream, WRITE_HIGH_WATER } from './stream.ts';

/** Response bytes the socket may hold before DATA waits for 'drain'. */
const SOCKET_HIGH_WATER = 256 * 1024;
const EMPTY = Buffer.alloc(0);

export class ConnectionOutput {
  /** Response bytes queued across the streams. */
  bufferedResponse = 0;
  /** The socket refused more output and has not drained: the client is not reading. */
  socketBlocked = false;
  /** Inside a socket read: the read flushes once at its end. */
  inRead = false;
  readonly maxBufferedResponse: number;
  #sendable: H2Stream[] = [];
  #flushScheduled = false;
  /** Streams whose write() returned false. */
  readonly #awaitingDrain = new Set<H2Stream>();
  readonly #conn: H2Connection;

  constructor(conn: H2Connection, maxBufferedResponse: number) {
    this.#conn = conn;
    this.maxBufferedResponse = maxBufferedResponse;
  }

  /** The socket drained: streams held back by it may send. */
  drained(): void {
    this.socketBlocked = false;
    if (this.#sendable.length > 0) this.flushSoon();
  }

  flushSoon(): void {
    if (this.inRead || this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      this.flushNow();
    });
  }

  /** Sends queued DATA the windows allow, then everything pending in one write. */
  flushNow(): void {
    const conn = this.#conn;
    if (this.#sendable.length > 0) this.#pumpAll();
    if (this.#awaitingDrain.size > 0) this.#notifyDrain();
    if (conn.writer.pending === 0) return;
    if (!conn.writer.flush()) this.socketBlocked = true;
    if (!conn.dead && conn.outputFull()) {
      // The client is not reading what it asked for (a PING or SETTINGS flood, or a stalled reader).
      conn.fail(new H2ProtocolError(ENHANCE_YOUR_CALM, 0, 'output queue limit'));
    }
  }

  /** Puts a stream with something to send in the list (once). */
  schedule(s: H2Stream): void {
    if (s.scheduled) return;
    s.scheduled = true;
    this.#sendable.push(s);
  }

  get hasSendable(): boolean {
    return this.#sendable.length > 0;
  }

  /** The stream queued `bytes` more (or its end): false when it or the connection is past its bound. */
  wantsToSend(s: H2Stream, bytes: number): boolean {
    this.bufferedResponse += bytes;
    this.schedule(s);
    this.flushSoon();
    if (s.ending || (s.queued < WRITE_HIGH_WATER && this.bufferedResponse < this.maxBufferedResponse)) return true;
    this.#awaitingDrain.add(s);
    return false;
  }

  /** A stream is leaving: its queued bytes no longer count. */
  streamClosed(s: H2Stream): void {
    this.bufferedResponse -= s.queued;
    if (this.#awaitingDrain.size > 0 && this.#awaitingDrain.delete(s)) this.flushSoon();
  }

  /** The socket is gone. */
  clear(): void {
    this.#awaitingDrain.clear();
    this.bufferedResponse = 0;
  }

  writeHeaders(s: H2Stream, pairs: readonly string[], endStream: boolean): void {
    const conn = this.#conn;
    s.bytesOut += conn.writer.encodedHeaders(s.id, pairs, conn.encoder, endStream, conn.peer.maxFrameSize);
  }

  /**
   * We sent END_STREAM: the stream is done, or (request body still coming) half-closed until the
   * client ends it, the rest of its body given back to the windows unread. A consumer that wants the
   * client to stop sending resets the stream (NO_ERROR, RFC 9113 8.1) itself.
   */
  localEnd(s: H2Stream): void {
    s.localClosed = true;
    if (s.remoteClosed) return this.#conn.closeStream(s, NO_ERROR, false, false);
    if (s.unconsumed > 0) this.#conn.consumed(s, s.unconsumed);
  }

  #pumpAll(): void {
    const list = this.#sendable;
    this.#sendable = [];
    for (const s of list) {
      s.scheduled = false;
      if (s.closed) continue;
      this.#pump(s);
      // Blocked on the connection window or the socket, not on its own window: try again later.
      if (!s.closed && !s.localClosed && (s.queued > 0 || s.ending) && s.sendWindow > 0) this.schedule(s);
    }
  }

  /** onDrain for the streams told to wait, once both they and the connection are under their bounds. */
  #notifyDrain(): void {
    if (this.bufferedResponse >= this.maxBufferedResponse) return;
    let drained: H2Stream[] | undefined;
    for (const s of this.#awaitingDrain) {
      if (s.closed) this.#awaitingDrain.delete(s);
      else if (s.queued < WRITE_HIGH_WATER) {
        this.#awaitingDrain.delete(s);
        (drained ??= []).push(s);
      }
    }
    if (drained !== undefined) for (const s of drained) if (!s.closed) s.onDrain();
  }

  /** Moves a stream's queued body into DATA frames within the windows and the socket's room. */
  #pump(s: H2Stream): void {
    const conn = this.#conn;
    const writer = conn.writer;
    const maxFrame = conn.peer.maxFrameSize;
    while (s.queued > 0) {
      const room = Math.min(s.sendWindow, conn.sendWindow, maxFrame);
      if (room <= 0 || this.socketBlocked || conn.socket.writableLength + writer.pending > SOCKET_HIGH_WATER) return;
      const chunk = s.queue[0]!;
      const start = s.queueOffset;
      const n = Math.min(chunk.length - start, room);
      const last = n === s.queued && s.ending && s.trailers === undefined;
      writer.data(s.id, chunk, start, start + n, last);
      conn.floods.dataFramesSent++;
      s.sendWindow -= n;
      conn.sendWindow -= n;
      s.queued -= n;
      this.bufferedResponse -= n;
      s.bytesOut += n;
      s.progressTick = conn.watchdog.tick;
      if (start + n === chunk.length) {
        s.queue.shift();
        s.queueOffset = 0;
      } else s.queueOffset = start + n;
      if (last) return this.localEnd(s);
    }
    if (s.ending && !s.localClosed) {
      if (s.trailers !== undefined) this.writeHeaders(s, s.trailers, true);
      else writer.data(s.id, EMPTY, 0, 0, true);
      this.localEnd(s);
    }
  }
}
