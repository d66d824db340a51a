// Metrics of BackendPolicy's guards (backend-guards.ts), on the gateway's registry. Kept here, not
// in metrics.ts, so clusters without a policy add nothing to the hot path's metrics object.
import { Counter, type Registry } from 'prom-client';

function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]): Counter<L> {
  // One registry may outlive a DataPlane (tests build several): reuse what is registered.
  const had = registry.getSingleMetric(name);
  return (had as Counter<L> | undefined) ?? new Counter({ name, help, labelNames, registers: [registry] });
}

export class BackendMetrics {
  readonly rejections: Counter<'cluster' | 'reason'>;
  readonly ejections: Counter<'cluster' | 'reason'>;
  readonly healthTransitions: Counter<'cluster' | 'to'>;

  constructor(registry: Registry) {
    this.rejections = counter(registry, 'sluice_upstream_rejections_total', 'Requests refused by a cluster circuit breaker (503, x-envoy-overloaded), by cluster and reason (max_requests, max_pending_requests)', ['cluster', 'reason']);
    this.ejections = counter(registry, 'sluice_outlier_ejections_total', 'Endpoints ejected by outlier detection, by cluster and reason', ['cluster', 'reason']);
    this.healthTransitions = counter(registry, 'sluice_health_check_transitions_total', 'Endpoints turning healthy or unhealthy by active health checks, by cluster and state (to)', ['cluster', 'to']);
  }
}
