// The primary's hook into its own pipeline (`serve --workers N`): a source wrapper that hands each
// state on once the primary has translated it, and the rule for when a state can start a worker's
// history (relay-log.ts).
import type { IngressStatusReport } from '../snapshot/types.ts';
import type { Source, SourceState } from '../sources/types.ts';
import { ENDPOINTS_NOT_READY } from '../translate/status.ts';

/** A source whose every push is also handed to `after`, once the pipeline it feeds has taken it. */
export class TeeSource implements Source {
  constructor(
    readonly inner: Source,
    readonly after: (state: SourceState) => void,
  ) {}
  start(push: (state: SourceState) => void): Promise<void> {
    return this.inner.start((state) => {
      push(state);
      this.after(state);
    });
  }
  stop(): Promise<void> {
    return this.inner.stop();
  }
}

/**
 * Whether the translation that gave `statuses` holds no version back: no ingress's new version waits
 * for endpoints (the translator would keep the previous one served, a history the current state
 * does not carry). A new ingress waiting for its first endpoints counts too: the statuses do not
 * tell it apart, and it is rare.
 */
export function standsAlone(statuses: readonly IngressStatusReport[]): boolean {
  return !statuses.some((s) => s.conditions.some((c) => c.reason === ENDPOINTS_NOT_READY));
}
