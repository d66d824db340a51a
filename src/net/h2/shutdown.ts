// Graceful shutdown of a server connection (RFC 9113 6.8): first GOAWAY with 2^31-1 and a PING,
// so streams the client sent before it saw the GOAWAY are not lost in flight; after the PING's
// round trip (or a bounded wait for it), the real GOAWAY with the last stream we processed. From
// then on new streams are refused (REFUSED_STREAM: safe to retry elsewhere), open ones finish, and
// the socket closes when the last one ends, or at the deadline with whatever is left reset.
import type { H2Connection } from './connection.ts';
import { NO_ERROR } from './frames.ts';

export const SHUTDOWN_OPAQUE = Buffer.from('sluicegw');
/** The longest the real GOAWAY waits for the PING's ACK (capped at half the deadline). */
const PING_WAIT_MS = 1000;

export class Shutdown {
  readonly done: Promise<void>;
  readonly #conn: H2Connection;
  readonly #timers: NodeJS.Timeout[] = [];

  constructor(conn: H2Connection, deadlineMs: number, closed: Promise<void>) {
    this.#conn = conn;
    this.done = closed.then(() => {
      for (const t of this.#timers) clearTimeout(t);
    });
    if (!conn.goingAway) {
      conn.writer.goaway(0x7fffffff, NO_ERROR, 'shutting down');
      conn.writer.ping(false, SHUTDOWN_OPAQUE);
      conn.flushSoon();
      this.#after(Math.min(PING_WAIT_MS, deadlineMs / 2), () => conn.close());
    }
    this.#after(deadlineMs, () => conn.destroy());
  }

  /** The PING came back: every stream the client sent before the first GOAWAY has been read. */
  pingAcked(): void {
    this.#conn.close();
  }

  #after(ms: number, fn: () => void): void {
    const t = setTimeout(fn, ms);
    t.unref();
    this.#timers.push(t);
  }
}
