// Prometheus metrics for the data plane and the config pipeline, on a registry of their own
// (so several gateways in one process, as in tests, do not collide).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const GAUGES_NAMED_AS_COUNTERS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'sluice_requests_total',
    help: 'Requests answered, by listener, ingress and status code',
    labelNames: ['listener', 'ingress', 'code'] as const,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'sluice_request_duration_seconds',
    help: 'Time from request head to response end, by listener',
    labelNames: ['listener'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly upstreamErrors = new Counter({
    name: 'sluice_upstream_errors_total',
    help: 'Requests that failed to reach an upstream, by cluster and reason',
    labelNames: ['cluster', 'reason'] as const,
    registers: [this.registry],
  });
  readonly mirrors = new Counter({
    name: 'sluice_mirror_requests_total',
    help: 'Mirrored copies of requests, by mirror cluster and outcome (sent, failed, dropped, no_endpoints)',
    labelNames: ['cluster', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly retries = new Counter({
    name: 'sluice_retries_total',
    help: 'Requests resent by a route retry policy, by cluster and reason (the upstream status, or the failure)',
    labelNames: ['cluster', 'reason'] as const,
    registers: [this.registry],
  });
  readonly reloads = new Counter({
    name: 'sluice_config_reloads_total',
    help: 'Configuration changes read from the sources',
    registers: [this.registry],
  });
  readonly rejects = new Counter({
    name: 'sluice_config_rejects_total',
    help: 'Documents rejected by validation (counted at each reload that still has them)',
    registers: [this.registry],
  });
  readonly snapshotVersion = new Gauge({
    name: 'sluice_snapshot_version',
    help: 'Version of the snapshot being served',
    registers: [this.registry],
  });

  // Label lookups cost more than the increment; cache the children per label tuple.
  readonly #requestChildren = new Map<string, ReturnType<Counter<'listener' | 'ingress' | 'code'>['labels']>>();
  readonly #durationChildren = new Map<string, ReturnType<Histogram<'listener'>['labels']>>();

  constructor(options: { processMetrics?: boolean } = {}) {
    if (!options.processMetrics) return;
    // Unprefixed: dashboards and alerts written for prom-client's standard names work as they are.
    collectDefaultMetrics({ register: this.registry });
    // prom-client exports these sums as gauges named *_total, which Prometheus reserves for counters
    // (promtool rejects them); the gauges of the same name without the suffix count the same by type.
    for (const name of GAUGES_NAMED_AS_COUNTERS) this.registry.removeSingleMetric(name);
  }

  request(listener: string, ingress: string, code: number, seconds: number): void {
    const key = `${listener}\0${ingress}\0${code}`;
    let child = this.#requestChildren.get(key);
    if (!child) {
      child = this.requests.labels(listener, ingress, String(code));
      this.#requestChildren.set(key, child);
    }
    child.inc();
    let h = this.#durationChildren.get(listener);
    if (!h) {
      h = this.duration.labels(listener);
      this.#durationChildren.set(listener, h);
    }
    h.observe(seconds);
  }
}
