// Route retries (Gateway API experimental `retry`, a TrafficPolicy's `retry`, Gloo's `retries`;
// Envoy's retry_policy): which failures an exchange may be resent after, how long to wait first,
// and the retry budget. Pure but for the budget's counters: the exchange (exchange-attempts.ts)
// counts attempts and the front ends resend. A request body is resent only when the front end
// held all of it (up to the policy's `bodyLimit`); the resend of a stale keep-alive connection
// (fast/upstream-pool.ts) is not a retry and is not counted here.
import type { RetryBudget, RetryOn, RetryPolicy } from '../snapshot/types.ts';
import { IDEMPOTENT } from './fast/upstream-pool.ts';
import type { UpstreamErrorReason } from './upstream-errors.ts';

/** Envoy's default base interval. */
export const DEFAULT_BACKOFF_MS = 25;
/** Bytes of a request body held for a resend unless the policy says otherwise (Envoy's per_request_buffer_limit is similar). */
export const DEFAULT_BODY_LIMIT = 64 * 1024;
/** Envoy's retry_budget defaults. */
export const DEFAULT_BUDGET: RetryBudget = Object.freeze({ percent: 20, minConcurrency: 3 });

/** What a retry is after: an upstream status, or a failure before the response head (an HTTP/2 REFUSED_STREAM or GOAWAY past the stream: `refused_stream`). */
export type RetryCause = number | UpstreamErrorReason | 'refused_stream';

/** The retry_on condition each failure falls under; failures not listed are never retried. */
const CONDITION: Readonly<Partial<Record<Exclude<RetryCause, number>, RetryOn>>> = {
  connection_refused: 'connect-failure',
  connect_timeout: 'connect-failure',
  unreachable: 'connect-failure',
  reset: 'reset',
  refused_stream: 'refused-stream',
};

const ALL: readonly RetryOn[] = ['connect-failure', 'reset', 'refused-stream'];

/**
 * Whether a `method` request may be resent after `cause` under `policy`; `replayable`: it has no
 * body, or all of it is held. A request that is not idempotent (RFC 9110 9.2.2) is resent only when
 * the upstream cannot have seen it (a failed connect, a refused stream), as Envoy does.
 */
export function retryable(policy: RetryPolicy, method: string, replayable: boolean, cause: RetryCause): boolean {
  if (!replayable) return false;
  if (typeof cause === 'number') return IDEMPOTENT.has(method) && policy.codes.includes(cause);
  const condition = CONDITION[cause];
  if (condition === undefined || !(policy.on ?? ALL).includes(condition)) return false;
  return condition !== 'reset' || IDEMPOTENT.has(method);
}

/**
 * The wait before retry number `n` (1 for the first), as Envoy: uniform in [0, (2^n - 1) * base],
 * capped at `maxBackoffMs` (default 10 * base); `roll` is uniform on [0, 1).
 */
export function backoffMs(policy: RetryPolicy, n: number, roll: number): number {
  const base = policy.backoffMs ?? DEFAULT_BACKOFF_MS;
  return Math.floor(roll * Math.min((2 ** n - 1) * base, policy.maxBackoffMs ?? 10 * base));
}

/** The `reason` label of a retry: the status, or the failure. */
export function retryReason(cause: RetryCause): string {
  return typeof cause === 'number' ? String(cause) : cause;
}

/**
 * Envoy's retry_budget, per cluster and data plane: of the requests in flight on retrying routes
 * to a cluster, at most `percent` may be retrying at once, and `minConcurrency` always may. A
 * request counts as retrying from its first retry until it ends, so a failing cluster gets at
 * most that share of extra load, however many attempts its routes allow.
 */
export class RetryBudgets {
  readonly #clusters = new Map<string, { active: number; retrying: number }>();

  /** clusters with requests in flight (for tests) */
  get size(): number {
    return this.#clusters.size;
  }

  /** A request on a retrying route to `cluster` is in flight. */
  started(cluster: string): void {
    const c = this.#clusters.get(cluster);
    if (c === undefined) this.#clusters.set(cluster, { active: 1, retrying: 0 });
    else c.active++;
  }

  /**
   * Whether one more retry fits the budget; `held`: the request is retrying already (its retry is
   * counted, and it goes on only while the budget still holds it).
   */
  take(cluster: string, budget: RetryBudget | undefined, held = false): boolean {
    const c = this.#clusters.get(cluster);
    if (c === undefined) return false;
    const { percent, minConcurrency } = budget ?? DEFAULT_BUDGET;
    const others = c.retrying - (held ? 1 : 0);
    if (others >= Math.max(minConcurrency, (percent / 100) * c.active)) return false;
    if (!held) c.retrying++;
    return true;
  }

  /** The request ended; `retried`: it had taken a retry. */
  ended(cluster: string, retried: boolean): void {
    const c = this.#clusters.get(cluster);
    if (c === undefined) return;
    c.active--;
    if (retried) c.retrying--;
    if (c.active <= 0) this.#clusters.delete(cluster);
  }
}
