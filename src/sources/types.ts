// The provider contract (as in Envoy Gateway / Traefik): a source pushes its whole current
// state each time something changes; the store diffs and keeps last good versions.
// A source may also say what changed since its previous push (`changes`), so that at 10,000
// ingresses the store and the translator do work in proportion to the edit, not to the config.
import type { Rejection, Sourced } from '../api/types.ts';

export interface SourceState {
  /**
   * every valid resource the source currently holds. A source that sets `changes` may compute
   * this on first read (a getter): consumers that follow `changes` never pay for it.
   */
  readonly resources: readonly Sourced[];
  /** documents that failed validation (they do not replace an object's last good version) */
  readonly rejections: readonly Rejection[];
  /** optional: how `resources` differs from the state this source pushed before (see SourceChanges) */
  readonly changes?: SourceChanges;
}

/**
 * What changed between two states pushed by one source. Applying `upserted` and `removed` to
 * `since.resources` gives exactly `resources` (as a set keyed by kind and `namespace/name`).
 * A source that sets it resolves duplicates itself: each kind and `namespace/name` appears at
 * most once in `resources`. A consumer that did not apply `since` ignores `changes` and reads
 * the whole state; `rejections` is always given whole (there are few).
 */
export interface SourceChanges {
  /**
   * the state these changes apply to; null for the first state a source pushes (changes from
   * nothing). Held weakly, so that each state does not keep every state before it alive: a consumer
   * compares `since?.deref()` with the state it applied last (which it holds itself).
   */
  readonly since: WeakRef<SourceState> | null;
  /** resources that are new, or whose object or origin changed */
  readonly upserted: readonly Sourced[];
  /** the previous version of each resource whose kind and `namespace/name` is gone */
  readonly removed: readonly Sourced[];
}

export interface Source {
  /**
   * Starts reading. Resolves once the first full state has been pushed, so a gateway never
   * serves an empty snapshot before it has read everything. Later changes are pushed as they come.
   */
  start(push: (state: SourceState) => void): Promise<void>;
  stop(): Promise<void>;
}
