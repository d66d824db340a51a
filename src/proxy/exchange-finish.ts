// How an exchange's failure is counted when it finishes (exchange.ts): the upstream error metric,
// by the one classifier (upstream-errors.ts), and a debug line for failures before the response.
import type { DataPlane } from './dataplane.ts';
import type { Outcome } from './exchange-steps.ts';
import { upstreamErrorReason } from './upstream-errors.ts';

export function countFailure(dp: DataPlane, cluster: string, outcome: Exclude<Outcome, undefined>): void {
  if (outcome === 'reset_after_headers' || outcome === 'timeout') {
    dp.metrics.upstreamErrors.labels(cluster, outcome).inc();
    return;
  }
  const reason = typeof outcome === 'string' ? outcome : upstreamErrorReason(outcome);
  dp.metrics.upstreamErrors.labels(cluster, reason).inc();
  dp.log.debug({ err: typeof outcome === 'string' ? outcome : outcome.message, cluster }, 'upstream error before response');
}
