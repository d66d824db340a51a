// `sluice serve --workers N`'s primary: the control plane. It runs the source (file or Kubernetes),
// translates for itself (translate only, no listeners) what needs a snapshot here (status writing
// and leader election, xDS, admin /status and /config), and relays every state its source pushes
// to N data-plane workers (worker.ts) that share the listeners through node:cluster. Its admin
// /metrics sums every process's metrics; /ready on the admin and health ports is 200 only while
// every running worker serves the latest relayed state.
import { followSnapshots, withFunctionDiscovery } from '../functions/discovery/attach.ts';
import type { DiscoveringSource } from '../functions/discovery/source.ts';
import type { Worker } from 'node:cluster';
import type http from 'node:http';
import { aggregateMetrics, aggregateMetricsJson, requestCount, WorkerMetrics } from '../admin/cluster-metrics.ts';
import { adminTokenFromFlags } from '../admin/auth.ts';
import { createHealthServer, type Readiness } from '../admin/health.ts';
import { createAdminServer, type WorkerReport } from '../admin/server.ts';
import type { GatewayAddresses } from '../gateway.ts';
import type { Logger } from '../log.ts';
import { parseAddress } from '../net/address.ts';
import { Pipeline } from '../pipeline.ts';
import { listen } from '../proxy/listeners.ts';
import { Metrics } from '../metrics.ts';
import type { IngressStatusReport } from '../snapshot/types.ts';
import { StateRelayLog } from '../sources/relay-log.ts';
import { isRelayHello, isRelayServed, type RelayState } from '../sources/relay-protocol.ts';
import type { Source } from '../sources/types.ts';
import { GatewayHeapRelease } from './heap-release.ts';
import { standsAlone, TeeSource } from './relay-tee.ts';
import { createSource, requiresClass, startXds, stopOnSignals, translateOptionsFromFlags, writesStatus, type ServeFlags } from './serve.ts';
import { superviseWorkers, type Supervisor } from './workers.ts';

export interface PrimaryTimes {
  readonly drainDelayMs: number;
  readonly drainTimeoutMs: number;
}

/** What the primary knows of the worker in one slot, once it asked for the state (relay-hello). */
interface Relayed {
  readonly worker: Worker;
  /** the relayed state it serves, and its snapshot hash for it */
  seq: number;
  hash: string;
}

type StatusView = { statuses(): readonly IngressStatusReport[]; stop(): Promise<void>; onSettled(listener: () => void): () => void };

/** Runs until a signal stops it (then exits the process), or rejects when it cannot go on. */
export async function runPrimary(f: ServeFlags, n: number, log: Logger, times: PrimaryTimes): Promise<void> {
  const primary = new Primary(f, await createSource(f, log), log);
  primary.fork(n, times.drainTimeoutMs);
  try {
    await primary.start();
  } catch (err) {
    await primary.stop();
    throw err;
  }
  stopOnSignals(log, () => primary.stop(), { drainDelayMs: times.drainDelayMs, begin: () => primary.beginShutdown() });
  // Resolves when a signal stopped the workers (stopOnSignals closes the rest and exits).
  await primary.failed();
}

class Primary {
  readonly #f: ServeFlags;
  readonly #log: Logger;
  readonly #source: Source;
  readonly #relay = new StateRelayLog();
  /** by slot: the workers that get the relayed states */
  readonly #relayed = new Map<number, Relayed>();
  readonly #workerMetrics = new WorkerMetrics();
  readonly #metrics = new Metrics({ processMetrics: true });
  readonly #pipeline: Pipeline;
  /** made before the first load, so that the load counts as the heap's growth */
  readonly #heap = new GatewayHeapRelease();
  readonly #discovery: DiscoveringSource;
  #supervisor: Supervisor | undefined;
  #admin: http.Server | undefined;
  #health: http.Server | undefined;
  #status: StatusView | undefined;
  #xds: Promise<{ close(): Promise<void> }> | undefined;
  /** where the first ready worker's listeners are bound (`:0` ports resolved), for /config_dump */
  #workerAddresses: GatewayAddresses | undefined;
  #shuttingDown = false;
  #fatal: Error | undefined;
  #stopping: Promise<void> | undefined;

  constructor(f: ServeFlags, source: Source, log: Logger) {
    this.#f = f;
    this.#log = log;
    this.#source = source;
    // Discovery amends Upstreams before the workers are sent the state, so all serve the same.
    this.#discovery = withFunctionDiscovery(source, log);
    const tee = new TeeSource(this.#discovery, (state) => {
      const m = this.#relay.publish(state, this.#pipeline.feed.current()?.hash ?? '', standsAlone(this.#pipeline.feed.statuses()));
      for (const r of this.#relayed.values()) send(r.worker, m);
    });
    this.#pipeline = new Pipeline(tee, translateOptionsFromFlags(f, requiresClass(f)), log, this.#metrics);
    followSnapshots(this.#discovery, this.#pipeline.feed);
  }

  /** Forks the workers at once: they start up while the source reads, and wait for its first state. */
  fork(n: number, drainTimeoutMs: number): void {
    this.#supervisor = superviseWorkers(n, {
      signals: false,
      // The primary waits for the workers' drain before killing them.
      shutdownMs: drainTimeoutMs + 5_000,
      onMessage: (index, worker, m) => this.#onMessage(index, worker, m),
      onReady: (_index, _worker, info) => {
        this.#workerAddresses ??= info as GatewayAddresses | undefined;
        this.#startXds(info as GatewayAddresses);
      },
      onExit: (index) => {
        this.#relayed.delete(index);
        this.#workerMetrics.onExit(index);
      },
    });
    // Observed in failed(); marked handled now, since a worker may fail while the source still reads.
    this.#supervisor.done.catch(() => {});
  }

  async start(): Promise<void> {
    const log = this.#log;
    this.#admin = createAdminServer({
      feed: this.#pipeline.feed,
      metrics: this.#metrics,
      rejections: () => this.#pipeline.rejections,
      statuses: () => this.#status?.statuses() ?? this.#pipeline.feed.statuses(),
      objectStatuses: () => this.#pipeline.result?.objectStatuses ?? [],
      functionDiscovery: () => this.#discovery.reports(),
      readiness: () => this.readiness(),
      metricsText: async () => aggregateMetrics(this.#metrics.registry, (await this.#gather()).values()),
      metricsJson: async () => aggregateMetricsJson(this.#metrics.registry, (await this.#gather()).values()),
      workers: () => this.#workerReports(),
      resources: () => this.#pipeline.resources,
      listenerAddresses: () => {
        const a = this.#workerAddresses;
        return { externalAddress: a?.http ?? this.#f.http, externalTlsAddress: a?.https ?? this.#f.https, localAddress: a?.local ?? this.#f.local };
      },
      token: adminTokenFromFlags(parseAddress(this.#f.admin, '--admin').host, this.#f.adminTokenFile, this.#f.adminInsecure === true, (problem) => log.warn(problem)),
    });
    const admin = await listen(this.#admin, parseAddress(this.#f.admin, '--admin'), '--admin');
    log.info({ listener: 'admin', address: admin }, 'listening');
    this.#health = createHealthServer(() => this.readiness(), {
      contentType: this.#metrics.registry.contentType,
      text: async () => aggregateMetrics(this.#metrics.registry, (await this.#gather()).values()),
    });
    const health = await listen(this.#health, parseAddress(this.#f.health, '--health'), '--health');
    log.info({ listener: 'health', address: health }, 'listening');
    const gaveUp = this.failed().then(() => Promise.reject(new Error('the workers stopped')));
    gaveUp.catch(() => {}); // also observed by runPrimary, through failed()
    await Promise.race([this.#pipeline.start(), gaveUp]);
    this.#heap.follow(this.#pipeline.feed);
    if (writesStatus(this.#source)) this.#status = this.#source.startStatus(this.#pipeline.feed, () => this.#pipeline.result?.objectStatuses ?? []);
    // The leader's probes and status writes leave garbage as a load does (serve.ts).
    this.#status?.onSettled(() => this.#heap.published());
  }

  /** Ready while every running worker serves the latest relayed state, until shutdown begins. */
  readiness(): Readiness {
    if (this.#shuttingDown) return { ready: false, reason: 'shutting down' };
    if (!this.#pipeline.feed.current()) return { ready: false, reason: 'no configuration served yet' };
    const serving = this.#supervisor!.workers().filter((w) => w.ready);
    if (serving.length === 0) return { ready: false, reason: 'no worker serving yet' };
    const seq = this.#relay.seq;
    const behind = serving.filter((w) => this.#relayed.get(w.index)?.seq !== seq).map((w) => w.index);
    if (behind.length > 0) return { ready: false, reason: `worker ${behind.join(', ')} not yet serving configuration ${seq}` };
    return { ready: true };
  }

  /** On the first signal: fail readiness, and hand leadership over now rather than after the delay. */
  beginShutdown(): void {
    this.#shuttingDown = true;
    void this.#status?.stop();
  }

  /** Drains the workers, then stops the control plane. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    this.#shuttingDown = true;
    this.#heap.stop();
    this.#supervisor?.stop();
    await this.#supervisor?.done.catch(() => {});
    await this.#status?.stop().catch(() => {});
    await (await this.#xds?.catch(() => undefined))?.close().catch(() => {});
    await this.#pipeline.stop().catch(() => {});
    for (const server of [this.#admin, this.#health]) {
      if (!server) continue;
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  }

  /** Resolves once the workers are all gone after stop(); rejects when they went for another reason. */
  async failed(): Promise<void> {
    try {
      await this.#supervisor!.done;
    } catch (err) {
      this.#fatal ??= err as Error;
    }
    if (this.#fatal) {
      await this.stop();
      throw this.#fatal;
    }
  }

  #onMessage(index: number, worker: Worker, m: unknown): void {
    if (this.#workerMetrics.onMessage(index, m)) return;
    if (isRelayHello(m)) {
      // A new worker (or a restarted one): everything it needs first, then every state as it comes.
      this.#relayed.set(index, { worker, seq: 0, hash: '' });
      for (const r of this.#relay.replay()) send(worker, r);
      return;
    }
    const r = this.#relayed.get(index);
    if (isRelayServed(m) && r) {
      r.seq = m.seq;
      r.hash = m.hash;
    }
  }

  /** The xDS server starts once a worker listens: Envoy's listeners go where the workers' are bound. */
  #startXds(addresses: GatewayAddresses | undefined): void {
    if (!this.#f.xds || this.#xds) return;
    this.#xds = startXds(this.#f, this.#pipeline.feed, addresses ?? {}, this.#log);
    this.#xds.catch((err: Error) => {
      this.#fatal ??= err;
      this.#supervisor!.stop();
    });
  }

  #gather(): ReturnType<WorkerMetrics['gather']> {
    return this.#workerMetrics.gather(new Map([...this.#relayed].map(([i, r]) => [i, r.worker])));
  }

  async #workerReports(): Promise<readonly WorkerReport[]> {
    const per = await this.#gather();
    return this.#supervisor!.workers().map((w) => {
      const r = this.#relayed.get(w.index);
      const m = per.get(w.index);
      return { index: w.index, pid: w.pid, ready: w.ready, seq: r?.seq ?? 0, hash: r?.hash ?? '', ...(m ? { requests: requestCount(m) } : {}) };
    });
  }
}

function send(w: Worker, m: RelayState): void {
  // A worker that just died may still be listed until its exit event: ignore a closed channel.
  if (w.isConnected()) w.send(m as never, undefined, undefined, () => {});
}
