// An exchange's attempts at its upstream (exchange.ts): how many retries it has made and whether
// one more may follow a failure. The rules are retry.ts's (pure); this holds the count per
// exchange and counts each retry in the metric.
import type { RetryPolicy } from '../snapshot/types.ts';
import type { Metrics } from '../metrics.ts';
import { backoffMs, type RetryCause, retriedCause, retryable, retryReason } from './retry.ts';

export class Attempts {
  /** retries so far */
  #retries = 0;

  /** A new exchange: no retries yet. */
  reset(): void {
    this.#retries = 0;
  }

  /**
   * The backoff in ms before resending a `method` request (`bodyless` or not) after `cause`, under
   * `policy`, counted as a retry of `cluster`; or -1 when it is not resent.
   */
  after(policy: RetryPolicy, method: string, bodyless: boolean, cause: RetryCause, metrics: Metrics, cluster: string): number {
    if (this.#retries >= policy.attempts || !retryable(method, bodyless) || !retriedCause(policy, cause)) return -1;
    this.#retries++;
    metrics.retries.labels(cluster, retryReason(cause)).inc();
    return backoffMs(policy, this.#retries, Math.random());
  }
}
