// A fast-path client connection's own state and control, apart from any exchange on it: the bytes
// read but not yet consumed, pausing and ending the socket, refusing an unreadable head, and the
// head deadline and idle keep-alive timeout between requests, and the client's progress taking
// our writes (the send timeout). FastConnection (connection.ts) runs
// the requests on top of it.
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import type { ListenerLimits } from '../listeners.ts';
import { ClientResponseWriter } from './client-response.ts';
import { refuse } from './local-answer.ts';
import { sendProgress, StallClock } from '../client-deadlines.ts';
import { clientReadChannel, readInto } from './client-reads.ts';
import { RequestBodyPump } from './request-body.ts';
import { READ_BUFFER_BYTES } from './upstream-pool.ts';

export abstract class ClientConnection extends ClientResponseWriter {
  /** client bytes read but not yet consumed (a partial head, or pipelined requests) */
  protected pending: Buffer | null = null;
  /** ms when the head being awaited started (0: between requests) */
  protected headStart: number;
  protected idleSince = 0;
  protected closed = false;
  protected clientEnded = false;
  protected paused = false;
  /** an exchange is in progress (at most one) */
  protected active = false;
  /** drains of our writes to the client: its progress, for the send timeout */
  protected drains = 0;
  protected readonly sendClock = new StallClock();
  /** the request body of the exchange in progress, read and written upstream (reused per request) */
  protected readonly body = new RequestBodyPump();
  /** the listener's read buffer, when reads go into it (client-reads.ts); else reads come as 'data' */
  #listenerBuf: Buffer | undefined;
  /** this connection's own read buffer while a request body is read: its bytes may wait in an upstream's write queue */
  #bodyBuf: Buffer | undefined;
  #onRead: ((chunk: Buffer) => void) | undefined;
  /** node:http has the socket: reads are pushed to it as 'data', copied */
  #handedOff = false;

  constructor(socket: Socket) {
    super(socket);
    this.headStart = Date.now();
  }

  /**
   * Reads go into `listenerBuf` (shared by the listener's connections) from now on, or into a
   * buffer of this connection's own while a request body is read, each handed to `onRead` as
   * 'data' would be; unless the socket cannot (TLS, another Node), when 'data' events go on.
   */
  protected readIntoListenerBuffer(listenerBuf: Buffer, onRead: (chunk: Buffer) => void): void {
    this.#onRead = onRead;
    this.#listenerBuf = listenerBuf;
    if (!readInto(this.socket, this.#nextBuffer, this.#read)) this.#listenerBuf = undefined;
  }

  readonly #nextBuffer = (): Buffer => (this.body.reading ? (this.#bodyBuf ??= Buffer.allocUnsafe(READ_BUFFER_BYTES)) : this.#listenerBuf!);

  readonly #read = (n: number, buf: Buffer): boolean => {
    if (clientReadChannel.hasSubscribers) clientReadChannel.publish(this.socket);
    if (this.#handedOff) return this.socket.push(Buffer.from(buf.subarray(0, n)));
    // A body that started outside a read (a request policy or a fault delay decided later): this
    // read was already bound for the listener's buffer, and its bytes go to the upstream.
    const chunk = this.body.reading && buf === this.#listenerBuf ? Buffer.from(buf.subarray(0, n)) : buf.subarray(0, n);
    this.#onRead!(chunk);
    // What outlives the read: a partial head or pipelined requests are copied (the next read of any
    // connection may overwrite them); queued body bytes keep the connection's own buffer, and the
    // next read gets a new one.
    const p = this.pending;
    if (p !== null && p.buffer === buf.buffer) this.pending = Buffer.from(p);
    if (buf === this.#bodyBuf && this.body.queued) this.#bodyBuf = undefined;
    return true;
  };

  /** `bytes` as this connection's own: a copy when they are in the listener's buffer (body bytes read with their head). */
  protected owned(bytes: Buffer): Buffer {
    return bytes.buffer === this.#listenerBuf?.buffer ? Buffer.from(bytes) : bytes;
  }

  /** node:http takes the socket: reads reach it as copies (it may keep them). */
  protected readsHandedOff(): void {
    this.#handedOff = true;
    // A paused socket goes on reading as with node's default reads (so a tunnel that unpiped
    // still sees the client's FIN and closes), not net's stop-reading for `onread` sockets.
    if (this.#listenerBuf !== undefined) this.socket.pause = Duplex.prototype.pause as Socket['pause'];
  }

  /** Drops the first `n` pending bytes (a head that was taken). */
  protected consume(n: number): void {
    const buf = this.pending!;
    this.pending = n < buf.length ? buf.subarray(n) : null;
  }

  /** Refuses a request whose head could not be read, and closes. */
  protected refuse(status: 400 | 408 | 431): void {
    this.closed = true;
    this.pending = null;
    refuse(this.socket, status);
  }

  protected endClient(): void {
    this.closed = true;
    this.pending = null;
    this.socket.end();
  }

  protected pauseClient(): void {
    if (this.paused) return;
    this.paused = true;
    this.socket.pause();
  }

  protected resumeClient(): void {
    if (!this.paused) return;
    this.paused = false;
    this.socket.resume();
  }

  /** Between requests: the head deadline, and the idle keep-alive timeout. */
  protected tickIdle(now: number, limits: ListenerLimits): void {
    if (this.headStart !== 0 && now - this.headStart > limits.headersTimeout) this.refuse(408);
    else if (this.headStart === 0 && this.pending === null && now - this.idleSince > limits.idleTimeout) {
      this.closed = true;
      this.socket.destroy();
    }
  }

  /**
   * The client send timeout: our writes to the client are backed up and it took nothing for
   * `limit` ms. A response slow to come from the upstream leaves nothing backed up.
   */
  protected sendStalled(now: number, limit: number): boolean {
    const s = this.socket;
    return this.sendClock.stalled(now, sendProgress(this.drains, s.writableLength), s.writableNeedDrain, limit);
  }

  /** Closes the connection if no request is in progress (graceful drain). */
  closeIfIdle(): void {
    if (!this.active && this.pending === null) {
      this.closed = true;
      this.socket.destroy();
    }
  }
}
