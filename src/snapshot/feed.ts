// How consumers (proxy, xDS server, admin endpoint, Kubernetes status writer) follow snapshots.
// The pipeline owns one feed; a new snapshot replaces the old one atomically.
import { isDeepStrictEqual } from 'node:util';
import type { SnapshotChange, SnapshotDiffs } from './change.ts';
import type { IngressStatusReport, Snapshot, TranslateResult } from './types.ts';

export interface SnapshotFeed {
  /** the snapshot being served, or undefined before the first full read of every source */
  current(): Snapshot | undefined;
  /** the latest statuses (they can change while the snapshot does not, e.g. an invalid edit) */
  statuses(): readonly IngressStatusReport[];
  /**
   * called after every swap (only when the content hash changed) with the change: the new snapshot,
   * the one before and the diffs between them; returns an unsubscribe function
   */
  subscribe(listener: (change: SnapshotChange) => void): () => void;
  /** called whenever statuses() changed, with or without a new snapshot; returns an unsubscribe function */
  subscribeStatuses(listener: (statuses: readonly IngressStatusReport[]) => void): () => void;
}

/** A feed whose value is set by hand: used by the pipeline, and by tests of consumers. */
export class SettableFeed implements SnapshotFeed {
  #snapshot: Snapshot | undefined;
  #statuses: readonly IngressStatusReport[] = [];
  readonly #listeners = new Set<(change: SnapshotChange) => void>();
  readonly #statusListeners = new Set<(statuses: readonly IngressStatusReport[]) => void>();
  readonly #onError: (err: unknown) => void;

  /** `onError` receives what a subscriber throws; one failing subscriber never stops the others. */
  constructor(onError: (err: unknown) => void = (err) => process.emitWarning(`snapshot subscriber failed: ${String(err)}`)) {
    this.#onError = onError;
  }

  current(): Snapshot | undefined {
    return this.#snapshot;
  }
  statuses(): readonly IngressStatusReport[] {
    return this.#statuses;
  }
  subscribe(listener: (change: SnapshotChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  subscribeStatuses(listener: (statuses: readonly IngressStatusReport[]) => void): () => void {
    this.#statusListeners.add(listener);
    return () => this.#statusListeners.delete(listener);
  }

  /**
   * Swaps in a new snapshot and tells every subscriber. `diffs`: how its lists were made from the
   * current snapshot's (omitted when not known: subscribers then compare, or start over).
   */
  publish(snapshot: Snapshot, result: TranslateResult, diffs?: SnapshotDiffs): void {
    const change: SnapshotChange = Object.freeze({ snapshot, previous: this.#snapshot, diffs: this.#snapshot === undefined ? undefined : diffs });
    this.#snapshot = snapshot;
    for (const l of this.#listeners) this.#call(() => l(change));
    this.publishStatuses(result.statuses);
  }

  /** Records statuses; status subscribers hear of it only when they differ from the last ones. */
  publishStatuses(statuses: readonly IngressStatusReport[]): void {
    if (isDeepStrictEqual(statuses, this.#statuses)) return;
    this.#statuses = statuses;
    for (const l of this.#statusListeners) this.#call(() => l(statuses));
  }

  #call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#onError(err);
    }
  }
}
