// Lines encoded into buffers as they come and written with one writev per flush, off the request
// path: a flush when enough is buffered, or once a line has waited an interval (a timer armed by the
// first line into an empty buffer, or the first waiting to be made, wake(): under load the bytes
// flush first and the timer never fires; a ticking interval made every other write a partial one). Encoding each line into a buffer at
// once costs less than joining the lines into one string and encoding that (the profile's
// writeString and join were most of the log's cost). Writes are few and large (1 MiB): each one
// wakes a libuv thread on the gateway's core, and at one write per 64 KiB those hand-offs cost more
// per request than the bytes (profiles of a busy gateway). Buffers come back for reuse once written.
// A slow disk never blocks requests: while a write is in flight lines keep collecting, and past a
// bound they are dropped and counted.
import fs from 'node:fs';

export interface WriterOptions {
  /** the longest a line waits before its write starts, a write in flight aside (ms) */
  readonly intervalMs?: number;
  /** flush as soon as this many bytes are buffered */
  readonly flushBytes?: number;
  /** drop lines while this many bytes wait (a write in flight, a slow disk) */
  readonly maxPendingBytes?: number;
  /** told once per dropped line */
  readonly onDrop?: () => void;
  /** called before a timed flush and on close: lines still to be made (access-log-defer.ts) are made into the buffer */
  readonly gather?: () => void;
}

/** Node's Buffer has utf8Write (Buffer#write's own target) but @types/node does not declare it. */
interface Utf8Writable {
  utf8Write(s: string, offset: number): number;
}

/** Size of each buffer lines are encoded into; a longer line gets a buffer of its own. */
export const CHUNK = 64 * 1024;
/** Default flush threshold: at a busy gateway's ~15 MB/s of JSON lines, about 15 writes a second. */
const FLUSH_BYTES = 1024 * 1024;

export class LineWriter {
  readonly #fd: number;
  readonly #ownsFd: boolean;
  readonly #flushBytes: number;
  readonly #maxPending: number;
  readonly #onDrop: (() => void) | undefined;
  readonly #intervalMs: number;
  readonly #gather: (() => void) | undefined;
  /** armed while lines wait */
  #timer: NodeJS.Timeout | undefined;
  /** filled buffers waiting for the next write */
  #full: Buffer[] = [];
  /** the whole CHUNK buffers #full's pieces are cut from, reusable once written */
  #chunks: Buffer[] = [];
  /** written CHUNK buffers, ready to be filled again */
  #spare: Buffer[] = [];
  #current: Buffer | undefined;
  #used = 0;
  #bytes = 0;
  #lines = 0;
  #writing: Promise<void> | undefined;
  #closed = false;
  dropped = 0;
  /** writes started (each one writev) */
  writes = 0;

  /** `fd`: an open file descriptor (1: stdout); `ownsFd`: close it on close() */
  constructor(fd: number, ownsFd: boolean, o: WriterOptions = {}) {
    this.#fd = fd;
    this.#ownsFd = ownsFd;
    this.#flushBytes = o.flushBytes ?? FLUSH_BYTES;
    this.#maxPending = o.maxPendingBytes ?? 4 * 1024 * 1024;
    this.#onDrop = o.onDrop;
    this.#intervalMs = o.intervalMs ?? 200;
    this.#gather = o.gather;
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    this.#gather?.();
    // A write in flight: the waiting lines go when it is done, or at the next interval.
    if (this.#writing === undefined) this.flush();
    else if (this.#timer === undefined) this.#arm();
  };

  #arm(): void {
    this.#timer = setTimeout(this.#onTimer, this.#intervalMs);
    // The log never keeps the process alive.
    this.#timer.unref();
  }

  /**
   * Lines are waiting to be made (gather()): a flush will come within the interval, the timer armed
   * unless it is. False once closed (nothing will come: make them now, to be counted as dropped).
   */
  wake(): boolean {
    if (this.#closed) return false;
    if (this.#timer === undefined) this.#arm();
    return true;
  }

  /** Appends one line (without its newline). */
  push(line: string): void {
    if (this.#closed || this.#bytes + line.length > this.#maxPending) {
      this.dropped++;
      this.#onDrop?.();
      return;
    }
    // UTF-8 takes at most 3 bytes per UTF-16 unit; the newline one more.
    const most = line.length * 3 + 1;
    if (most > CHUNK) {
      this.#seal();
      const own = Buffer.from(line + '\n');
      this.#full.push(own);
      this.#bytes += own.length;
    } else {
      if (this.#current === undefined || CHUNK - this.#used < most) {
        this.#seal();
        this.#current = this.#spare.pop() ?? Buffer.allocUnsafe(CHUNK);
        this.#chunks.push(this.#current);
      }
      // utf8Write: Buffer#write's argument juggling was a tenth of a line's encoding.
      const n = (this.#current as Buffer & Utf8Writable).utf8Write(line, this.#used) + 1;
      this.#current[this.#used + n - 1] = 0x0a;
      this.#used += n;
      this.#bytes += n;
    }
    this.#lines++;
    if (this.#bytes >= this.#flushBytes) this.flush();
    else if (this.#timer === undefined) this.#arm();
  }

  /**
   * Where a line can be written straight in (access-log-json-bytes.ts): the current buffer, from
   * `at`, with at least `least` bytes free (a fresh buffer when not); undefined when the line must
   * go through push() instead (closed, near the pending bound, or `least` over a buffer's size).
   */
  room(least: number): Buffer | undefined {
    if (this.#closed || least > CHUNK || this.#bytes + least > this.#maxPending) return undefined;
    if (this.#current === undefined || CHUNK - this.#used < least) {
      this.#seal();
      this.#current = this.#spare.pop() ?? Buffer.allocUnsafe(CHUNK);
      this.#chunks.push(this.#current);
    }
    return this.#current;
  }

  /** Where room()'s line starts. */
  get at(): number {
    return this.#used;
  }

  /** The line written into room()'s buffer from `at` ends at `end` (its newline is added here, in the room asked for). */
  commit(end: number): void {
    this.#current![end] = 0x0a;
    this.#bytes += end + 1 - this.#used;
    this.#used = end + 1;
    this.#lines++;
    if (this.#bytes >= this.#flushBytes) this.flush();
    else if (this.#timer === undefined) this.#arm();
  }

  /** Starts one write of everything buffered, unless one is under way. */
  flush(): void {
    if (this.#writing !== undefined || this.#bytes === 0) return;
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const [data, lines, chunks] = this.#take();
    this.writes++;
    this.#writing = new Promise<void>((resolve) => {
      fs.writev(this.#fd, data, (err) => {
        // A failing disk loses these lines, never the gateway.
        if (err) this.dropped += lines;
        this.#writing = undefined;
        // Enough spares for one flush's worth; the rest go to the GC.
        for (const c of chunks) if (this.#spare.length <= this.#flushBytes / CHUNK) this.#spare.push(c);
        resolve();
        // A flush's worth gathered while this write was out: no reason to wait for the next line.
        if (this.#bytes >= this.#flushBytes && !this.#closed) this.flush();
      });
    });
  }

  /** Resolves once no write is in flight (bench/log-line-cost.ts waits on it between batches). */
  settled(): Promise<void> {
    return this.#writing ?? Promise.resolve();
  }

  /** Writes what is left (after any write in flight, the lines still to be made with it) and stops; later lines are dropped. */
  async close(): Promise<void> {
    if (this.#closed) return;
    // A write's end may start the next (a flush's worth gathered meanwhile), and so may the lines
    // still to be made: they are made once no write is in flight, and close when none started.
    for (;;) {
      while (this.#writing !== undefined) await this.#writing;
      this.#gather?.();
      if (this.#writing === undefined) break;
    }
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#bytes > 0) {
      const [data] = this.#take();
      this.writes++;
      await new Promise<void>((resolve) => fs.writev(this.#fd, data, () => resolve()));
    }
    if (this.#ownsFd) await new Promise<void>((resolve) => fs.close(this.#fd, () => resolve()));
  }

  /** The current buffer's filled part joins the full ones (the rest of it waits until its write is done). */
  #seal(): void {
    if (this.#current !== undefined && this.#used > 0) this.#full.push(this.#current.subarray(0, this.#used));
    this.#current = undefined;
    this.#used = 0;
  }

  #take(): [Buffer[], number, Buffer[]] {
    this.#seal();
    const out: [Buffer[], number, Buffer[]] = [this.#full, this.#lines, this.#chunks];
    this.#full = [];
    this.#chunks = [];
    this.#bytes = 0;
    this.#lines = 0;
    return out;
  }
}
