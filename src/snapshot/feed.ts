// How consumers (proxy, xDS server, admin endpoint, Kubernetes status writer) follow snapshots.
// The pipeline owns one feed; a new snapshot replaces the old one atomically.
import type { IngressStatusReport, Snapshot, TranslateResult } from './types.ts';

export interface SnapshotFeed {
  /** the snapshot being served, or undefined before the first full read of every source */
  current(): Snapshot | undefined;
  /** the statuses that go with current() */
  statuses(): readonly IngressStatusReport[];
  /** called after every swap (only when the content hash changed); returns an unsubscribe function */
  subscribe(listener: (snapshot: Snapshot, result: TranslateResult) => void): () => void;
}

/** A feed whose value is set by hand: used by the pipeline, and by tests of consumers. */
export class SettableFeed implements SnapshotFeed {
  #snapshot: Snapshot | undefined;
  #statuses: readonly IngressStatusReport[] = [];
  readonly #listeners = new Set<(snapshot: Snapshot, result: TranslateResult) => void>();

  current(): Snapshot | undefined {
    return this.#snapshot;
  }
  statuses(): readonly IngressStatusReport[] {
    return this.#statuses;
  }
  subscribe(listener: (snapshot: Snapshot, result: TranslateResult) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  /** Swaps in a new snapshot and tells every subscriber. A throwing subscriber does not stop the others. */
  publish(snapshot: Snapshot, result: TranslateResult): void {
    this.#snapshot = snapshot;
    this.#statuses = result.statuses;
    for (const l of this.#listeners) {
      try {
        l(snapshot, result);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
}
