// Route retries (Gateway API experimental `retry`; Envoy's retry_policy with
// `connect-failure,reset,retriable-status-codes`): which failures an exchange may be resent after,
// and how long to wait first. Pure: the exchange (exchange.ts) counts attempts and the front ends
// resend. Only idempotent requests without a body are retried: a body is streamed upstream as it
// comes and never held for a second attempt. The resend of a stale keep-alive connection
// (fast/upstream-pool.ts) is not a retry and is not counted here.
import type { RetryPolicy } from '../snapshot/types.ts';
import { IDEMPOTENT } from './fast/upstream-pool.ts';
import type { UpstreamErrorReason } from './upstream-errors.ts';

/** Envoy's default base interval. */
export const DEFAULT_BACKOFF_MS = 25;

/** Failures before a response head that a retry may follow: a failed connect, or a reset. */
const RETRIED_FAILURES: ReadonlySet<UpstreamErrorReason> = new Set(['connection_refused', 'connect_timeout', 'unreachable', 'reset']);

/** What a retry is after: an upstream status, or a failure before the response head. */
export type RetryCause = number | UpstreamErrorReason;

/** Whether a request may be retried at all: idempotent, and nothing of a body to resend. */
export function retryable(method: string, bodyless: boolean): boolean {
  return bodyless && IDEMPOTENT.has(method);
}

/** Whether `cause` is one the policy retries. */
export function retriedCause(policy: RetryPolicy, cause: RetryCause): boolean {
  return typeof cause === 'number' ? policy.codes.includes(cause) : RETRIED_FAILURES.has(cause);
}

/**
 * The wait before retry number `n` (1 for the first), as Envoy: uniform in [0, (2^n - 1) * base],
 * capped at 10 * base; `roll` is uniform on [0, 1).
 */
export function backoffMs(policy: RetryPolicy, n: number, roll: number): number {
  const base = policy.backoffMs ?? DEFAULT_BACKOFF_MS;
  return Math.floor(roll * Math.min((2 ** n - 1) * base, 10 * base));
}

/** The `reason` label of a retry: the status, or the failure. */
export function retryReason(cause: RetryCause): string {
  return typeof cause === 'number' ? String(cause) : cause;
}
