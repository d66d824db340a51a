// A fast-path client connection's own state and control, apart from any exchange on it: the bytes
// read but not yet consumed, pausing and ending the socket, refusing an unreadable head, and the
// head deadline and idle keep-alive timeout between requests, and the client's progress taking
// our writes (the send timeout). FastConnection (connection.ts) runs
// the requests on top of it.
import type { Socket } from 'node:net';
import type { ListenerLimits } from '../listeners.ts';
import { ClientResponseWriter } from './client-response.ts';
import { refuse } from './local-answer.ts';
import { sendProgress, StallClock } from '../client-deadlines.ts';

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

  constructor(socket: Socket) {
    super(socket);
    this.headStart = Date.now();
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
