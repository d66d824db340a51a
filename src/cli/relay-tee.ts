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
 * Whether translating `state` gave `statuses` without memory of earlier states: no document is
 * rejected (the store keeps a rejected object's last good version) and no ingress's new version
 * waits for endpoints (the translator keeps the previous one served).
 */
export function standsAlone(state: SourceState, statuses: readonly IngressStatusReport[]): boolean {
  return state.rejections.length === 0 && !statuses.some((s) => s.conditions.some((c) => c.reason === ENDPOINTS_NOT_READY));
}
