// `sluice serve --workers N`'s primary: the control plane. It runs the source (file or Kubernetes),
// translates for itself (translate only, no listeners) what needs a snapshot here (status writing
// and leader election, xDS, admin /status and /config), and relays every state its source pushes
// to N data-plane workers (worker.ts) that share the listeners through node:cluster. Its admin
// /metrics sums every process's metrics; /ready on the admin and health ports is 200 only while
// every running worker serves the latest relayed state.
import type { Worker } from 'node:cluster';
import type http from 'node:http';
import { aggregateMetrics, requestCount, WorkerMetrics } from '../admin/cluster-metrics.ts';
import { createHealthServer, type Readiness } from '../admin/health.ts';
import { createAdminServer } from '../admin/server.ts';
import type { GatewayAddresses } from '../gateway.ts';
import type { Logger } from '../log.ts';
import { parseAddress } from '../net/address.ts';
import { Pipeline } from '../pipeline.ts';
import { listen } from '../proxy/listeners.ts';
import { Metrics } from '../proxy/metrics.ts';
import type { IngressStatusReport } from '../snapshot/types.ts';
import { StateRelayLog } from '../sources/relay-log.ts';
import { isRelayHello, isRelayServed, type RelayState } from '../sources/relay-protocol.ts';
import type { SourceState } from '../sources/types.ts';
import { standsAlone, TeeSource } from './relay-tee.ts';
import { createSource, startXds, stopOnSignals, translateOptionsFromFlags, writesStatus, type ServeFlags } from './serve.ts';
import { superviseWorkers, type Supervisor } from './workers.ts';

/** What the primary knows of the worker in one slot. */
interface WorkerState {
  readonly worker: Worker;
  /** it asked for the state (relay-hello): it gets every state from then on */
  relaying: boolean;
  /** the relayed state it serves, and its snapshot hash for it */
  seq: number;
  hash: string;
}

export interface PrimaryTimes {
  readonly drainDelayMs: number;
  readonly drainTimeoutMs: number;
}

export async function runPrimary(f: ServeFlags, n: number, log: Logger, times: PrimaryTimes): Promise<void> {
  const relay = new StateRelayLog();
  const slots = new Map<number, WorkerState>();
  const workerMetrics = new WorkerMetrics();
  const metrics = new Metrics({ processMetrics: true });
  const source = await createSource(f, log);
  const tee = new TeeSource(source, (state) => broadcast(publish(state)));
  const pipeline = new Pipeline(tee, translateOptionsFromFlags(f, Boolean(f.kubernetes)), log, metrics);
  let shuttingDown = false;
  let xds: { close(): Promise<void> } | undefined;
  let xdsStarting = false;

  const publish = (state: SourceState): RelayState => {
    return relay.publish(state, pipeline.feed.current()?.hash ?? '', standsAlone(pipeline.feed.statuses()));
  };
  const broadcast = (m: RelayState): void => {
    for (const s of slots.values()) if (s.relaying) send(s.worker, m);
  };
  const connected = (): Map<number, Worker> => new Map([...slots].map(([i, s]) => [i, s.worker]));

  const readiness = (): Readiness => {
    if (shuttingDown) return { ready: false, reason: 'shutting down' };
    if (!pipeline.feed.current()) return { ready: false, reason: 'no configuration served yet' };
    const serving = supervisor.workers().filter((w) => w.ready);
    if (serving.length === 0) return { ready: false, reason: 'no worker serving yet' };
    const behind = serving.filter((w) => slots.get(w.index)?.seq !== relay.seq).map((w) => w.index);
    if (behind.length > 0) return { ready: false, reason: `worker ${behind.join(', ')} not yet serving configuration ${relay.seq}` };
    return { ready: true };
  };

  const supervisor: Supervisor = superviseWorkers(n, {
    signals: false,
    // The primary waits for the workers' drain before killing them.
    shutdownMs: times.drainTimeoutMs + 5_000,
    onMessage: (index, worker, m) => {
      if (workerMetrics.onMessage(index, m)) return;
      const s = slots.get(index);
      if (isRelayHello(m)) {
        const fresh: WorkerState = { worker, relaying: true, seq: 0, hash: '' };
        slots.set(index, fresh);
        for (const r of relay.replay()) send(worker, r);
      } else if (isRelayServed(m) && s) {
        s.seq = m.seq;
        s.hash = m.hash;
      }
    },
    onReady: (_index, _worker, info) => {
      if (f.xds && !xdsStarting) {
        xdsStarting = true;
        startXds(f, pipeline.feed, (info ?? {}) as GatewayAddresses, log).then(
          (x) => (xds = x),
          (err: Error) => fail(err),
        );
      }
    },
    onExit: (index) => {
      slots.delete(index);
      workerMetrics.onExit(index);
    },
  });

  let admin: http.Server | undefined;
  let health: http.Server | undefined;
  let status: { statuses(): readonly IngressStatusReport[]; stop(): Promise<void> } | undefined;
  const closeAll = async (): Promise<void> => {
    await status?.stop().catch(() => {});
    await xds?.close().catch(() => {});
    await pipeline.stop().catch(() => {});
    for (const server of [admin, health]) {
      if (!server) continue;
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  };
  let fatal: Error | undefined;
  const fail = (err: Error): void => {
    fatal ??= err;
    shuttingDown = true;
    supervisor.stop();
  };
  // Observed below; marked handled now, since a worker may fail while the source still reads.
  supervisor.done.catch(() => {});

  try {
    admin = createAdminServer({
      feed: pipeline.feed,
      metrics,
      rejections: () => pipeline.rejections,
      statuses: () => status?.statuses() ?? pipeline.feed.statuses(),
      readiness,
      metricsText: async () => aggregateMetrics(metrics.registry, (await workerMetrics.gather(connected())).values()),
      workers: async () => {
        const per = await workerMetrics.gather(connected());
        return supervisor.workers().map((w) => {
          const s = slots.get(w.index);
          const m = per.get(w.index);
          return { index: w.index, pid: w.pid, ready: w.ready, seq: s?.seq ?? 0, hash: s?.hash ?? '', ...(m ? { requests: requestCount(m) } : {}) };
        });
      },
    });
    const adminAddress = await listen(admin, parseAddress(f.admin, '--admin'), '--admin');
    log.info({ listener: 'admin', address: adminAddress }, 'listening');
    health = createHealthServer(readiness);
    const healthAddress = await listen(health, parseAddress(f.health, '--health'), '--health');
    log.info({ listener: 'health', address: healthAddress }, 'listening');
    // Workers were forked above; they wait for this first state (sent on their hello).
    await Promise.race([pipeline.start(), supervisor.done.then(() => Promise.reject(fatal ?? new Error('workers stopped')))]);
    if (writesStatus(source)) status = source.startStatus(pipeline.feed);
  } catch (err) {
    shuttingDown = true;
    supervisor.stop();
    await supervisor.done.catch(() => {});
    await closeAll();
    throw err;
  }

  stopOnSignals(
    log,
    async () => {
      supervisor.stop();
      await supervisor.done.catch(() => {});
      await closeAll();
    },
    {
      drainDelayMs: times.drainDelayMs,
      begin: () => {
        shuttingDown = true;
        // Hand leadership over now rather than after the delay: this replica is leaving.
        void status?.stop();
      },
    },
  );
  try {
    await supervisor.done;
  } catch (err) {
    fatal ??= err as Error;
  }
  // Otherwise a signal stopped the workers, and stopOnSignals closes the rest and exits.
  if (fatal) {
    await closeAll();
    throw fatal;
  }
}

function send(w: Worker, m: unknown): void {
  // A worker that just died may still be listed until its exit event: ignore a closed channel.
  if (w.isConnected()) w.send(m as never, undefined, undefined, () => {});
}
