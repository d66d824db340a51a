// How consumers (proxy, xDS server, admin endpoint, Kubernetes status writer) follow snapshots.
// The pipeline owns one feed; a new snapshot replaces the old one atomically.
import { isDeepStrictEqual } from 'node:util';
import type { IngressStatusReport, Snapshot, TranslateResult } from './types.ts';

export interface SnapshotFeed {
  /** the snapshot being served, or undefined before the first full read of every source */
  current(): Snapshot | undefined;
  /** the latest statuses (they can change while the snapshot does not, e.g. an invalid edit) */
  statuses(): readonly IngressStatusReport[];
  /** called after every swap (only when the content hash changed); returns an unsubscribe function */
  subscribe(listener: (snapshot: Snapshot, result: TranslateResult) => void): () => void;
  /** called whenever statuses() changed, with or without a new snapshot; returns an unsubscribe function */
  subscribeStatuses(listener: (statuses: readonly IngressStatusReport[]) => void): () => void;
}

/** A feed whose value is set by hand: used by the pipeline, and by tests of consumers. */
export class SettableFeed implements SnapshotFeed {
  #snapshot: Snapshot | undefined;
  #statuses: readonly IngressStatusReport[] = [];
  readonly #listeners = new Set<(snapshot: Snapshot, result: TranslateResult) => void>();
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
  subscribe(listener: (snapshot: Snapshot, result: TranslateResult) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  subscribeStatuses(listener: (statuses: readonly IngressStatusReport[]) => void): () => void {
    this.#statusListeners.add(listener);
    return () => this.#statusListeners.delete(listener);
  }

  /** Swaps in a new snapshot and tells every subscriber. */
  publish(snapshot: Snapshot, result: TranslateResult): void {
    this.#snapshot = snapshot;
    for (const l of this.#listeners) this.#call(() => l(snapshot, result));
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
