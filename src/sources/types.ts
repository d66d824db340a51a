// The provider contract (as in Envoy Gateway / Traefik): a source pushes its whole current
// state each time something changes; the store diffs and keeps last good versions.
import type { Rejection, Sourced } from '../api/types.ts';

export interface SourceState {
  /** every valid resource the source currently holds */
  readonly resources: readonly Sourced[];
  /** documents that failed validation (they do not replace an object's last good version) */
  readonly rejections: readonly Rejection[];
}

export interface Source {
  /**
   * Starts reading. Resolves once the first full state has been pushed, so a gateway never
   * serves an empty snapshot before it has read everything. Later changes are pushed as they come.
   */
  start(push: (state: SourceState) => void): Promise<void>;
  stop(): Promise<void>;
}
