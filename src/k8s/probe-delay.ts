// When the prober asks again. A replica that answered with an older hash is alive and still taking
// in the configuration (its swap follows the translation within moments), so doubling the wait from
// the first such answer would leave an edit's status waiting out the doubling: it is asked again at
// the shortest delay a few times first. No answer at all backs off at once.

/** How many quick re-probes a target gets while replicas answer with an older hash. */
export const STALE_QUICK_RETRIES = 5;

export interface ProbeDelayState {
  /** the next backed-off delay */
  readonly backoff: number;
  /** quick re-probes left for answers with an older hash */
  readonly quickLeft: number;
}

export interface ProbeDelayLimits {
  readonly minMs: number;
  readonly maxMs: number;
}

/** The delay before the next round, and the state after it; `answeredStale`: every probe got an answer, some with an older hash. */
export function nextProbeDelay(state: ProbeDelayState, answeredStale: boolean, limits: ProbeDelayLimits): ProbeDelayState & { readonly delay: number } {
  if (answeredStale && state.quickLeft > 0) return { delay: limits.minMs, backoff: state.backoff, quickLeft: state.quickLeft - 1 };
  return { delay: state.backoff, backoff: Math.min(state.backoff * 2, limits.maxMs), quickLeft: state.quickLeft };
}
