// State-of-the-world pushes after a snapshot change, paced behind the delta ones. A SotW client's
// response holds whole route configurations (tens of MiB at 10,000 apps), a delta client's the
// changed resources (a few KiB). Pushed in the turn that built the snapshot, every SotW response
// would be encoded and handed to the sockets before the delta responses of the same turn were
// flushed, and the event loop would owe the sockets gigabytes at once. Here the SotW streams are
// pushed after the delta responses of the change are written out, one stream per event-loop turn,
// the next waiting while more than a budget of written bytes is not yet sent. A client that does
// not read holds the others back for a bounded time only.
import type { EncodedResources } from './resources.ts';

/** A stream whose push can wait: told the newest resources when its turn comes. */
export interface PacedStream {
  update(resources: EncodedResources): void;
}

interface Write {
  readonly call: object;
  readonly bytes: number;
}

/** Bytes handed to the server's calls and not yet sent (their write callbacks not yet called). */
export class WritesInFlight {
  #seq = 0;
  #bytes = 0;
  readonly #writes = new Map<number, Write>();
  readonly #waiters = new Set<() => void>();

  get bytes(): number {
    return this.#bytes;
  }

  /** The number of the last write handed out: writes after it are later than now. */
  get last(): number {
    return this.#seq;
  }

  /** Counts `bytes` written to `call`; returns the write's callback (sent or failed). */
  add(call: object, bytes: number): () => void {
    const seq = ++this.#seq;
    this.#writes.set(seq, { call, bytes });
    this.#bytes += bytes;
    return () => this.#settle(seq);
  }

  /** `call` is gone: its writes will never be reported, so they count no more. */
  drop(call: object): void {
    for (const [seq, w] of this.#writes) if (w.call === call) this.#settle(seq);
  }

  #settle(seq: number): void {
    const w = this.#writes.get(seq);
    if (!w) return;
    this.#writes.delete(seq);
    this.#bytes -= w.bytes;
    for (const wake of [...this.#waiters]) wake();
  }

  /** Whether every write numbered after `from` and up to `to` was sent. */
  #sentBetween(from: number, to: number): boolean {
    for (const seq of this.#writes.keys()) if (seq > from && seq <= to) return false;
    return true;
  }

  /**
   * Resolves once `done()` holds (checked at each settled write), or after `stallMs`; never in the
   * turn it was called (so the event loop always gets a turn).
   */
  #until(done: () => boolean, stallMs: number): Promise<void> {
    return new Promise((resolve) => {
      setImmediate(() => {
        if (done()) return resolve();
        const finish = () => {
          clearTimeout(timer);
          this.#waiters.delete(wake);
          resolve();
        };
        const wake = () => {
          if (done()) finish();
        };
        const timer = setTimeout(finish, stallMs).unref();
        this.#waiters.add(wake);
      });
    });
  }

  /** The writes numbered after `from` up to now, sent (or `stallMs` passed). */
  sentSince(from: number, stallMs: number): Promise<void> {
    const to = this.#seq;
    return this.#until(() => this.#sentBetween(from, to), stallMs);
  }

  /** At most `budget` bytes unsent (or `stallMs` passed). */
  below(budget: number, stallMs: number): Promise<void> {
    return this.#until(() => this.#bytes <= budget, stallMs);
  }
}

export interface PacerOptions {
  /** the most bytes written and not yet sent before the next SotW stream is pushed */
  readonly budget: number;
  /** how long a wait for written bytes lasts at most (a client that does not read) */
  readonly stallMs: number;
}

/** Unsent bytes allowed before the next SotW stream is pushed: about one stream's push at 10,000 apps. */
export const PUSH_BYTES_IN_FLIGHT = 64 * 1024 * 1024;
export const PUSH_STALL_MS = 1000;

/**
 * SotW streams waiting for a push. A stream scheduled again before its turn is pushed once, with the
 * newest resources (a snapshot replaced before a stream's turn is never sent to it).
 */
export class SotwPacer {
  readonly #writes: WritesInFlight;
  readonly #options: PacerOptions;
  readonly #pending = new Set<PacedStream>();
  #resources: EncodedResources | undefined;
  #after = 0;
  #running = false;
  #closed = false;

  constructor(writes: WritesInFlight, options: PacerOptions) {
    this.#writes = writes;
    this.#options = options;
  }

  /** Pushes `resources` to `streams` once the writes numbered after `after` (the delta ones) are sent. */
  schedule(streams: Iterable<PacedStream>, resources: EncodedResources, after: number): void {
    if (this.#closed) return;
    for (const s of streams) this.#pending.add(s);
    this.#resources = resources;
    this.#after = Math.max(this.#after, after);
    if (!this.#running) void this.#run();
  }

  /** `stream` ended: not pushed. */
  forget(stream: PacedStream): void {
    this.#pending.delete(stream);
  }

  close(): void {
    this.#closed = true;
    this.#pending.clear();
  }

  async #run(): Promise<void> {
    this.#running = true;
    const { budget, stallMs } = this.#options;
    let waited: number | undefined;
    try {
      while (this.#pending.size > 0) {
        // Delta responses written since (a newer change's too) go out before the next SotW push.
        if (waited !== this.#after) {
          waited = this.#after;
          await this.#writes.sentSince(waited, stallMs);
          continue;
        }
        const stream = this.#pending.values().next().value!;
        this.#pending.delete(stream);
        stream.update(this.#resources!);
        await this.#writes.below(budget, stallMs);
      }
    } finally {
      this.#running = false;
    }
  }
}
