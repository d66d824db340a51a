// The data plane's shared state: the compiled router (swapped atomically on each snapshot),
// the upstream pools (kept across swaps), metrics and logging.
import { ExchangeDeadlines } from './deadlines.ts';
import { RetryBudgets } from './retry.ts';
import type { SnapshotFeed } from '../snapshot/feed.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { ServedIndex } from '../metrics/served.ts';
import type { Router } from './router.ts';
import { RouterBuilder } from './router-builder.ts';
import type { Upstreams } from './upstreams.ts';
import { FastUpstreams } from './fast/upstream-pool.ts';
import type { SnapshotChange } from '../snapshot/change.ts';
import { ClientDeadlines } from './client-deadlines.ts';
import { FunctionCalls, type FunctionCallOptions } from '../functions/calls.ts';
import { LiveOrigins } from './live-origins.ts';
import type { AccessLog } from '../observe/access-log.ts';
import type { RequestIds } from '../observe/request-id.ts';
import type { RequestTracer } from '../observe/trace-requests.ts';
import { BackendGuards } from './backend-guards.ts';
import { connectionsByCluster, type PoolCounts } from './pool-stats.ts';

export class DataPlane {
  #router: Router | undefined;
  /** runs the function calls of function splits in this process (src/functions/calls.ts) */
  readonly functions: FunctionCalls;
  /** derives each router from this plane's last one (never from another plane's) */
  readonly #routers: RouterBuilder;
  readonly upstreams: Upstreams;
  /** raw keep-alive HTTP/1.1 sockets: the fast path's and HTTP/2's bodiless requests to HTTP/1.1 upstreams */
  readonly fast = new FastUpstreams();
  readonly metrics: Metrics;
  /** circuit breakers, outlier detection and health checks of clusters with a BackendPolicy */
  readonly backends: BackendGuards;
  readonly log: Logger;
  readonly #unsubscribe: () => void;
  /** the origins and clusters the current snapshot uses, for the pools' pruning */
  readonly live: LiveOrigins;
  /** one line per finished exchange (--access-log); undefined: off */
  accessLog: AccessLog | undefined = undefined;
  /** x-request-id made or kept per request (--request-id); undefined: ids pass as sent */
  requestIds: RequestIds | undefined = undefined;
  /** one server span per exchange, exported over OTLP (--tracing-otlp-endpoint); undefined: off */
  tracer: RequestTracer | undefined = undefined;
  /** --trusted-hops (or config-sluice's trusted-hops-count): X-Forwarded-For entries believed, 0: none */
  trustedHops = 0;
  /** each upstream pool's connections per origin, for the metrics (the gateway adds its h2c sessions) */
  readonly pools: Array<() => ReadonlyMap<string, PoolCounts>> = [() => this.upstreams.connectionsByOrigin(), () => this.fast.connectionsByOrigin()];
  /** in-flight proxied requests, for graceful drain */
  inflight = 0;

  /** the client body and send timeouts of the node:http and HTTP/2 paths */
  readonly bodies: ClientDeadlines;
  readonly sends: ClientDeadlines;
  /** the route timeouts of every front end (deadlines.ts) */
  readonly deadlines = new ExchangeDeadlines();
  /** the route retry budgets, per cluster (retry.ts) */
  readonly retryBudgets = new RetryBudgets();
  /** what the snapshot serves, as the metrics name it (their series of anything else are dropped) */
  readonly #served = new ServedIndex();

  /** `timeouts`: see ListenerLimits.bodyTimeout and sendTimeout (ms, 0: none) */
  /** `functions`: the function calls' options (body limit, registry) */
  constructor(feed: SnapshotFeed, upstreams: Upstreams, metrics: Metrics, log: Logger, timeouts: { readonly bodyTimeout: number; readonly sendTimeout: number } = { bodyTimeout: 0, sendTimeout: 0 }, functions: FunctionCallOptions = {}) {
    this.functions = new FunctionCalls(() => this.#router?.snapshot, log, functions);
    this.live = new LiveOrigins();
    this.#routers = new RouterBuilder((problem) => this.log.warn({ problem }, 'route configuration problem'), this.functions.clusters);
    this.bodies = new ClientDeadlines(timeouts.bodyTimeout);
    this.sends = new ClientDeadlines(timeouts.sendTimeout);
    this.upstreams = upstreams;
    this.metrics = metrics;
    this.log = log;
    this.backends = new BackendGuards(metrics.registry);
    upstreams.gate = this.fast.gate = this.backends;
    metrics.follow({
      inflight: () => this.inflight,
      upstreamConnections: () => connectionsByCluster(this.#router?.snapshot.clusters ?? [], this.pools.map((p) => p())),
    });
    const current = feed.current();
    if (current) this.#swap({ snapshot: current, previous: undefined, diffs: undefined });
    // Requests already routed keep the objects they hold; new requests see the new router.
    this.#unsubscribe = feed.subscribe((change) => this.#swap(change));
  }

  #swap(change: SnapshotChange): void {
    this.#router = this.#routers.next(change);
    this.live.follow(change);
    this.upstreams.prune(this.live);
    this.fast.prune(this.live);
    this.backends.followChange(change);
    this.metrics.retain(this.#served, this.#served.follow(change));
  }

  /** undefined until the first snapshot */
  get router(): Router | undefined {
    return this.#router;
  }

  stop(): void {
    this.#unsubscribe();
    this.bodies.close();
    this.sends.close();
    this.deadlines.close();
    this.backends.stop();
  }
}
