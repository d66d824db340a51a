// A TrafficPolicy's `retry` and `timeouts` as the IR's route retry policy and timeouts (pure;
// validated before, src/api/validate-traffic-policy-retry.ts). `perTryTimeout` is the IR's
// backend request timeout, as the Gateway API's `timeouts.backendRequest` is.
import type { RetryPolicy, TrafficPolicies } from '../snapshot/types.ts';
import { durationMs } from './spec-values.ts';
import type { RetrySpec, TimeoutsSpec } from './traffic-policy-types.ts';

export function retryOf(s: RetrySpec): RetryPolicy {
  const base = durationMs(s.backoff?.base);
  const max = durationMs(s.backoff?.max);
  return Object.freeze({
    attempts: s.attempts,
    codes: Object.freeze([...new Set(s.codes ?? [])].sort((a, b) => a - b)),
    ...(base !== undefined && { backoffMs: base }),
    ...(max !== undefined && { maxBackoffMs: max }),
    ...(s.retryOn !== undefined && { on: Object.freeze([...new Set(s.retryOn)].sort()) }),
    ...(s.budget !== undefined && { budget: Object.freeze({ percent: s.budget.percent ?? 20, minConcurrency: s.budget.minConcurrency ?? 3 }) }),
    ...(s.bodyLimit !== undefined && { bodyLimit: s.bodyLimit }),
  });
}

export function timeoutOf(retry: RetrySpec | undefined, t: TimeoutsSpec | undefined): TrafficPolicies['timeout'] {
  const request = durationMs(t?.request);
  const idle = durationMs(t?.idle);
  const perTry = durationMs(retry?.perTryTimeout);
  if (request === undefined && idle === undefined && perTry === undefined) return undefined;
  return Object.freeze({ ...(request !== undefined && { request }), ...(perTry !== undefined && { backendRequest: perTry }), ...(idle !== undefined && { idle }) });
}
