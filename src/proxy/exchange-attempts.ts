// An exchange's attempts at its upstream (exchange.ts): how many retries it has made, whether one
// more may follow a failure, and its share of the cluster's retry budget. The rules are retry.ts's
// (pure); this holds the count per exchange and counts each retry, and each one the budget
// refused, in sluice_retries_total.
import type { RetryPolicy } from '../snapshot/types.ts';
import type { Metrics } from '../metrics.ts';
import { backoffMs, type RetryBudgets, type RetryCause, retryable, retryReason } from './retry.ts';

/** The `reason` of sluice_retries_total for a retry the budget refused (it was not made). */
export const BUDGET_EXHAUSTED = 'budget_exhausted';

export class Attempts {
  /** retries so far */
  #retries = 0;
  /** the cluster whose budget counts this request ('' when none does) */
  #cluster = '';

  /** A new exchange: no retries yet. */
  reset(): void {
    this.#retries = 0;
    this.#cluster = '';
  }

  /** The request goes to `cluster` on a retrying route: it counts in the cluster's budget until ended(). */
  started(budgets: RetryBudgets, cluster: string): void {
    this.#cluster = cluster;
    budgets.started(cluster);
  }

  ended(budgets: RetryBudgets): void {
    if (this.#cluster === '') return;
    budgets.ended(this.#cluster, this.#retries > 0);
    this.#cluster = '';
  }

  /**
   * The backoff in ms before resending a `method` request (`replayable`: bodiless, or its body
   * held) after `cause`, under `policy`, counted as a retry; or -1 when it is not resent.
   */
  after(policy: RetryPolicy, method: string, replayable: boolean, cause: RetryCause, metrics: Metrics, budgets: RetryBudgets): number {
    if (this.#retries >= policy.attempts || this.#cluster === '' || !retryable(policy, method, replayable, cause)) return -1;
    if (!budgets.take(this.#cluster, policy.budget, this.#retries > 0)) {
      metrics.retries.labels(this.#cluster, BUDGET_EXHAUSTED).inc();
      return -1;
    }
    this.#retries++;
    metrics.retries.labels(this.#cluster, retryReason(cause)).inc();
    return backoffMs(policy, this.#retries, Math.random());
  }
}
