// Lines appended to a buffer and written with one write per flush, off the request path: a flush
// on a short interval or when the buffer is big enough. A slow disk never blocks requests: while
// a write is in flight lines keep collecting, and past a bound they are dropped and counted.
import fs from 'node:fs';

export interface WriterOptions {
  /** flush at least this often (ms) */
  readonly intervalMs?: number;
  /** flush as soon as this many bytes are buffered */
  readonly flushBytes?: number;
  /** drop lines while this many bytes wait (a write in flight, a slow disk) */
  readonly maxPendingBytes?: number;
  /** told once per dropped line */
  readonly onDrop?: () => void;
}

export class LineWriter {
  readonly #fd: number;
  readonly #ownsFd: boolean;
  readonly #flushBytes: number;
  readonly #maxPending: number;
  readonly #onDrop: (() => void) | undefined;
  readonly #timer: NodeJS.Timeout;
  #lines: string[] = [];
  #bytes = 0;
  #writing: Promise<void> | undefined;
  #closed = false;
  dropped = 0;

  /** `fd`: an open file descriptor (1: stdout); `ownsFd`: close it on close() */
  constructor(fd: number, ownsFd: boolean, o: WriterOptions = {}) {
    this.#fd = fd;
    this.#ownsFd = ownsFd;
    this.#flushBytes = o.flushBytes ?? 64 * 1024;
    this.#maxPending = o.maxPendingBytes ?? 4 * 1024 * 1024;
    this.#onDrop = o.onDrop;
    this.#timer = setInterval(() => this.flush(), o.intervalMs ?? 200);
    // The log never keeps the process alive.
    this.#timer.unref();
  }

  /** Appends one line (without its newline). */
  push(line: string): void {
    if (this.#closed || this.#bytes + line.length > this.#maxPending) {
      this.dropped++;
      this.#onDrop?.();
      return;
    }
    this.#lines.push(line);
    this.#bytes += line.length + 1;
    if (this.#bytes >= this.#flushBytes) this.flush();
  }

  /** Starts one write of everything buffered, unless one is under way. */
  flush(): void {
    if (this.#writing !== undefined || this.#lines.length === 0) return;
    const data = this.#take();
    this.#writing = new Promise<void>((resolve) => {
      fs.write(this.#fd, data, (err) => {
        // A failing disk loses these lines, never the gateway.
        if (err) this.dropped += data.split('\n').length - 1;
        this.#writing = undefined;
        resolve();
      });
    });
  }

  /** Writes what is left (after any write in flight) and stops; later lines are dropped. */
  async close(): Promise<void> {
    if (this.#closed) return;
    clearInterval(this.#timer);
    await this.#writing;
    this.#closed = true;
    if (this.#lines.length > 0) {
      const data = this.#take();
      await new Promise<void>((resolve) => fs.write(this.#fd, data, () => resolve()));
    }
    if (this.#ownsFd) await new Promise<void>((resolve) => fs.close(this.#fd, () => resolve()));
  }

  #take(): string {
    const data = this.#lines.join('\n') + '\n';
    this.#lines = [];
    this.#bytes = 0;
    return data;
  }
}
