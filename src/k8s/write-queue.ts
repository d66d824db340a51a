// The status writes waiting and in flight, as one queue that never waits for a batch: a reconcile hands
// its writes over and returns, so a new ingress is probed (and its write queued) while thousands of
// earlier writes still wait their turn under the rate limit. One write per key at a time, the latest
// wins while it waits, and urgent ones (an edit a user is waiting for) go ahead of the rest.

export class WriteQueue<T> {
  readonly #limit: number;
  readonly #run: (key: string, item: T) => Promise<void>;
  /** waiting, in the order they came (a key queued again keeps its place, with the latest item) */
  readonly #urgent = new Map<string, T>();
  readonly #routine = new Map<string, T>();
  /** keys being written, with what */
  readonly #inFlight = new Map<string, T>();
  #idle: Array<() => void> = [];
  readonly #onIdle: (() => void) | undefined;

  /** `run` writes one item; it handles its own errors (a rejected promise is ignored). `onIdle`: each time the last write ends. */
  constructor(limit: number, run: (key: string, item: T) => Promise<void>, onIdle?: () => void) {
    this.#limit = Math.max(1, limit);
    this.#run = run;
    this.#onIdle = onIdle;
  }

  /** Queues `item` for `key`, unless `same` says it is what is being written for that key now. */
  push(key: string, item: T, urgent: boolean, same: (a: T, b: T) => boolean): void {
    const writing = this.#inFlight.get(key);
    if (writing !== undefined && same(writing, item)) {
      this.#urgent.delete(key);
      this.#routine.delete(key);
      return;
    }
    if (urgent || this.#urgent.has(key)) {
      this.#routine.delete(key);
      this.#urgent.set(key, item);
    } else this.#routine.set(key, item);
    this.#pump();
  }

  /** Drops every write not yet started (leadership lost, or stopping). */
  clear(): void {
    this.#urgent.clear();
    this.#routine.clear();
  }

  /** writes waiting or in flight */
  get size(): number {
    return this.#urgent.size + this.#routine.size + this.#inFlight.size;
  }

  /** Resolves once nothing is waiting or in flight. */
  idle(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #pump(): void {
    while (this.#inFlight.size < this.#limit) {
      const next = this.#next(this.#urgent) ?? this.#next(this.#routine);
      if (next === undefined) break;
      const [key, item] = next;
      this.#inFlight.set(key, item);
      void this.#run(key, item)
        .catch(() => {})
        .finally(() => {
          this.#inFlight.delete(key);
          this.#pump();
          if (this.size !== 0) return;
          for (const resolve of this.#idle.splice(0)) resolve();
          this.#onIdle?.();
        });
    }
  }

  /** The first waiting key not being written already (at most `limit` are skipped), taken off the queue. */
  #next(queue: Map<string, T>): [string, T] | undefined {
    for (const [key, item] of queue) {
      if (this.#inFlight.has(key)) continue;
      queue.delete(key);
      return [key, item];
    }
    return undefined;
  }
}
