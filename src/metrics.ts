// Prometheus metrics for the data plane and the config pipeline, on a registry of their own
// (so several gateways in one process, as in tests, do not collide). What requests count is the
// hot path's own core (src/metrics/); scrape-time gauges and process metrics stay prom-client's.
import type { Server, Socket } from 'node:net';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { CounterFamily } from './metrics/counter.ts';
import type { Family, Labels } from './metrics/family.ts';
import { GaugeFamily } from './metrics/gauge.ts';
import { HistogramFamily } from './metrics/histogram.ts';
import { SeriesByCode } from './metrics/series-by-code.ts';
import type { GoneNames, ServedNames } from './metrics/served.ts';
import type { ClusterConnections } from './proxy/pool-stats.ts';
import { BucketExemplars, type Exemplar } from './observe/exemplars.ts';
import { type MetricFamilyJson, openMetricsText } from './observe/openmetrics.ts';

/** What the gauges read at scrape time (the data plane's state); nothing is counted per request for them. */
export interface LiveCounts {
  /** requests forwarded upstream and not finished (HTTP/1.1 requests, HTTP/2 streams, tunnels) */
  inflight(): number;
  upstreamConnections(): readonly ClusterConnections[];
}

/** Seconds; the same for the downstream and upstream histograms, so they can be compared. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const DURATION = 'sluice_request_duration_seconds';
const UPSTREAM_HEAD = 'sluice_upstream_response_head_seconds';

const GAUGES_NAMED_AS_COUNTERS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

export class Metrics {
  readonly registry = new Registry();
  readonly requests = new CounterFamily('sluice_requests_total', 'Requests answered, by listener, ingress and status code', ['listener', 'ingress', 'code'], 'ingress').registerOn(this.registry);
  readonly duration = new HistogramFamily(DURATION, 'Time from request head to response end, by listener and ingress (the route\'s object)', ['listener', 'ingress'], LATENCY_BUCKETS, 'ingress').registerOn(this.registry);
  readonly upstreamRequests = new CounterFamily('sluice_upstream_requests_total', 'Requests sent to an upstream cluster (a split), by cluster and the status the client got', ['cluster', 'code'], 'cluster').registerOn(this.registry);
  readonly upstreamHead = new HistogramFamily(UPSTREAM_HEAD, 'Time from sending a request (each attempt) to its upstream response head, by cluster', ['cluster'], LATENCY_BUCKETS, 'cluster').registerOn(this.registry);
  readonly policyRejections = new CounterFamily('sluice_policy_rejections_total', 'Requests a route policy (rate limit, authorization, ...) answered instead of forwarding, by ingress and status', ['ingress', 'code'], 'ingress').registerOn(this.registry);
  readonly downstreamConnections = new GaugeFamily('sluice_downstream_connections', 'Open client connections, by listener', ['listener']).registerOn(this.registry);
  readonly upstreamErrors = new CounterFamily('sluice_upstream_errors_total', 'Requests that failed to reach an upstream, by cluster and reason', ['cluster', 'reason'], 'cluster').registerOn(this.registry);
  readonly mirrors = new CounterFamily('sluice_mirror_requests_total', 'Mirrored copies of requests, by mirror cluster and outcome (sent, failed, dropped, no_endpoints)', ['cluster', 'outcome'], 'cluster').registerOn(this.registry);
  readonly retries = new CounterFamily('sluice_retries_total', 'Requests resent by a route retry policy, by cluster and reason (the upstream status, or the failure; budget_exhausted: a retry the retry budget refused)', ['cluster', 'reason'], 'cluster').registerOn(this.registry);
  readonly requestsActive: Gauge = new Gauge({
    name: 'sluice_downstream_requests_active',
    help: 'Requests (HTTP/2 streams, WebSocket tunnels) forwarded upstream and not finished',
    registers: [this.registry],
    collect: () => this.requestsActive.set(this.#live?.inflight() ?? 0),
  });
  readonly upstreamConnections: Gauge<'cluster' | 'state'> = new Gauge({
    name: 'sluice_upstream_connections',
    help: 'Pooled upstream connections by cluster, open (busy, idle or connecting) and idle; a connection to an endpoint several clusters share counts in each',
    labelNames: ['cluster', 'state'] as const,
    registers: [this.registry],
    collect: () => {
      const g = this.upstreamConnections;
      g.reset();
      for (const c of this.#live?.upstreamConnections() ?? []) {
        g.labels(c.cluster, 'open').set(c.open);
        g.labels(c.cluster, 'idle').set(c.idle);
      }
    },
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

  // The hot path's series, resolved once per label tuple in nested maps keyed by the names
  // themselves (no key string is built and no label set hashed per request).
  readonly #routes = new Map<string, Map<string, SeriesByCode>>();
  readonly #clusters = new Map<string, SeriesByCode>();
  #live: LiveCounts | undefined;

  constructor(options: { processMetrics?: boolean } = {}) {
    if (!options.processMetrics) return;
    // Unprefixed: dashboards and alerts written for prom-client's standard names work as they are.
    collectDefaultMetrics({ register: this.registry });
    // prom-client exports these sums as gauges named *_total, which Prometheus reserves for counters
    // (promtool rejects them); the gauges of the same name without the suffix count the same by type.
    for (const name of GAUGES_NAMED_AS_COUNTERS) this.registry.removeSingleMetric(name);
  }

  /** The data plane whose state the gauges show (one per registry). */
  follow(live: LiveCounts): void {
    this.#live = live;
  }

  /** One more open connection on `server`'s listener, for as long as it lasts. */
  countConnections(server: Server, listener: string): void {
    const g = this.downstreamConnections.labels(listener);
    g.inc(0);
    server.on('connection', (socket: Socket) => {
      g.inc();
      socket.once('close', () => g.dec());
    });
  }

  /** `traceId`: a sampled trace's, kept as its bucket's exemplar (OpenMetrics). */
  request(listener: string, ingress: string, code: number, seconds: number, traceId?: string): void {
    let byIngress = this.#routes.get(listener);
    if (byIngress === undefined) this.#routes.set(listener, (byIngress = new Map()));
    let c = byIngress.get(ingress);
    if (c === undefined) byIngress.set(ingress, (c = new SeriesByCode(this.duration.child(listener, ingress), (code) => this.requests.child(listener, ingress, code))));
    c.count(code);
    c.histogram.observe(seconds);
    if (traceId !== undefined) (c.histogram.exemplars ??= new BucketExemplars(LATENCY_BUCKETS)).record(seconds, traceId);
  }

  /** A request that was sent to `cluster` ended with `code` (the client's status). */
  upstreamRequest(cluster: string, code: number): void {
    this.#cluster(cluster).count(code);
  }

  /** An upstream response head came `seconds` after its request was sent; `traceId` as for request(). */
  upstreamResponded(cluster: string, seconds: number, traceId?: string): void {
    const h = this.#cluster(cluster).histogram;
    h.observe(seconds);
    if (traceId !== undefined) (h.exemplars ??= new BucketExemplars(LATENCY_BUCKETS)).record(seconds, traceId);
  }

  /**
   * After a snapshot swap: drops the series of routes and clusters `served` no longer names, so
   * swaps of changing names cannot grow the registry without bound. Looks at the names the swap
   * took away (`gone`) and at those whose series came since the last swap (a request still in
   * flight on a removed route makes a new series of it when it ends); without `gone`, at every
   * name with series. Requests that matched no route (`ingress=""`) keep theirs.
   */
  retain(served: ServedNames, gone?: GoneNames): void {
    const byIngress = [this.requests, this.duration, this.policyRejections];
    const byCluster = [this.upstreamRequests, this.upstreamHead, this.upstreamErrors, this.mirrors, this.retries];
    for (const name of candidates(byIngress, gone?.ingresses)) {
      if (name === '' || served.ingress(name)) continue;
      for (const f of byIngress) f.drop(name);
      for (const routes of this.#routes.values()) routes.delete(name);
    }
    for (const name of candidates(byCluster, gone?.clusters)) {
      if (name === '' || served.cluster(name)) continue;
      for (const f of byCluster) f.drop(name);
      this.#clusters.delete(name);
    }
  }

  /** The registry in the OpenMetrics text format, with the histograms' trace exemplars. */
  async openMetrics(): Promise<string> {
    const families = (await this.registry.getMetricsAsJSON()) as unknown as MetricFamilyJson[];
    return openMetricsText(families, (metric, labels, le) => this.#exemplarAt(metric, labels, le));
  }

  #exemplarAt(metric: string, labels: Readonly<Record<string, string | number | undefined>>, le: number): Exemplar | undefined {
    const family = metric === DURATION ? this.duration : metric === UPSTREAM_HEAD ? this.upstreamHead : undefined;
    return family?.find(family.labelNames.map((n) => String(labels[n])))?.exemplars?.at(le);
  }

  #cluster(cluster: string): SeriesByCode {
    let c = this.#clusters.get(cluster);
    if (c === undefined) this.#clusters.set(cluster, (c = new SeriesByCode(this.upstreamHead.child(cluster), (code) => this.upstreamRequests.child(cluster, code))));
    return c;
  }
}

/** The owners of `families` to look at: `gone` and the fresh ones that have series; all of them without `gone`. */
function candidates(families: ReadonlyArray<Family<{ readonly labels: Labels }>>, gone: ReadonlySet<string> | undefined): Set<string> {
  const names = new Set<string>();
  for (const f of families) for (const o of gone === undefined ? f.owners() : f.takeFresh()) names.add(o);
  if (gone === undefined) for (const f of families) f.takeFresh();
  else for (const o of gone) if (families.some((f) => f.owns(o))) names.add(o);
  return names;
}
