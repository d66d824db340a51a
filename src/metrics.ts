// Prometheus metrics for the data plane and the config pipeline, on a registry of their own
// (so several gateways in one process, as in tests, do not collide).
import type { Server, Socket } from 'node:net';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
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
  readonly requests = new Counter({
    name: 'sluice_requests_total',
    help: 'Requests answered, by listener, ingress and status code',
    labelNames: ['listener', 'ingress', 'code'] as const,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: DURATION,
    help: 'Time from request head to response end, by listener and ingress (the route\'s object)',
    labelNames: ['listener', 'ingress'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly upstreamRequests = new Counter({
    name: 'sluice_upstream_requests_total',
    help: 'Requests sent to an upstream cluster (a split), by cluster and the status the client got',
    labelNames: ['cluster', 'code'] as const,
    registers: [this.registry],
  });
  readonly upstreamHead = new Histogram({
    name: UPSTREAM_HEAD,
    help: 'Time from sending a request (each attempt) to its upstream response head, by cluster',
    labelNames: ['cluster'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly policyRejections = new Counter({
    name: 'sluice_policy_rejections_total',
    help: 'Requests a route policy (rate limit, authorization, ...) answered instead of forwarding, by ingress and status',
    labelNames: ['ingress', 'code'] as const,
    registers: [this.registry],
  });
  readonly downstreamConnections = new Gauge({
    name: 'sluice_downstream_connections',
    help: 'Open client connections, by listener',
    labelNames: ['listener'] as const,
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
    help: 'Requests resent by a route retry policy, by cluster and reason (the upstream status, or the failure; budget_exhausted: a retry the retry budget refused)',
    labelNames: ['cluster', 'reason'] as const,
    registers: [this.registry],
  });
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

  // Label lookups cost more than the increment; cache the children per label tuple, in nested maps
  // (no key string is built per request).
  readonly #routeChildren = new Map<string, Map<string, LabelChildren>>();
  readonly #clusterChildren = new Map<string, LabelChildren>();
  /** per histogram, its series' exemplars by label values (`listener\0ingress`, `cluster`) */
  readonly #exemplars = new Map<string, Map<string, BucketExemplars>>([
    [DURATION, new Map()],
    [UPSTREAM_HEAD, new Map()],
  ]);
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
    let byIngress = this.#routeChildren.get(listener);
    if (byIngress === undefined) this.#routeChildren.set(listener, (byIngress = new Map()));
    let c = byIngress.get(ingress);
    if (c === undefined) byIngress.set(ingress, (c = new LabelChildren(this.duration.labels(listener, ingress), (code) => this.requests.labels(listener, ingress, code))));
    c.count(code);
    c.histogram.observe(seconds);
    if (traceId !== undefined) (c.exemplars ??= this.#series(DURATION, `${listener}\0${ingress}`)).record(seconds, traceId);
  }

  /** A request that was sent to `cluster` ended with `code` (the client's status). */
  upstreamRequest(cluster: string, code: number): void {
    this.#cluster(cluster).count(code);
  }

  /** An upstream response head came `seconds` after its request was sent; `traceId` as for request(). */
  upstreamResponded(cluster: string, seconds: number, traceId?: string): void {
    const c = this.#cluster(cluster);
    c.histogram.observe(seconds);
    if (traceId !== undefined) (c.exemplars ??= this.#series(UPSTREAM_HEAD, cluster)).record(seconds, traceId);
  }

  /** The registry in the OpenMetrics text format, with the histograms' trace exemplars. */
  async openMetrics(): Promise<string> {
    const families = (await this.registry.getMetricsAsJSON()) as unknown as MetricFamilyJson[];
    return openMetricsText(families, (metric, labels, le) => this.#exemplarAt(metric, labels, le));
  }

  #exemplarAt(metric: string, labels: Readonly<Record<string, string | number | undefined>>, le: number): Exemplar | undefined {
    const series = this.#exemplars.get(metric);
    if (series === undefined || series.size === 0) return undefined;
    const key = metric === DURATION ? `${labels.listener}\0${labels.ingress}` : String(labels.cluster);
    return series.get(key)?.at(le);
  }

  #series(metric: string, key: string): BucketExemplars {
    const series = this.#exemplars.get(metric)!;
    let e = series.get(key);
    if (e === undefined) series.set(key, (e = new BucketExemplars(LATENCY_BUCKETS)));
    return e;
  }

  #cluster(cluster: string): LabelChildren {
    let c = this.#clusterChildren.get(cluster);
    if (c === undefined) this.#clusterChildren.set(cluster, (c = new LabelChildren(this.upstreamHead.labels(cluster), (code) => this.upstreamRequests.labels(cluster, code))));
    return c;
  }
}

type CounterChild = ReturnType<Counter<string>['labels']>;

/** The cached children of one label tuple: a histogram, and a counter per status code. */
class LabelChildren {
  readonly histogram: ReturnType<Histogram<string>['labels']>;
  /** its histogram's trace exemplars, from the first sampled trace on */
  exemplars: BucketExemplars | undefined = undefined;
  readonly #codes = new Map<number, CounterChild>();
  readonly #counter: (code: string) => CounterChild;

  constructor(histogram: ReturnType<Histogram<string>['labels']>, counter: (code: string) => CounterChild) {
    this.histogram = histogram;
    this.#counter = counter;
  }

  count(code: number): void {
    let c = this.#codes.get(code);
    if (c === undefined) this.#codes.set(code, (c = this.#counter(String(code))));
    c.inc();
  }
}
