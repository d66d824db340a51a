// Ties Kubernetes mode's write side together: on the leader only, probe every gateway replica for each
// served ingress's hash and write each ingress's status when it changes, and each Gateway API object's.
// Followers serve traffic and keep their caches warm, but neither probe nor write, so replicas never
// fight over status.
import type { KIngress } from '../api/types.ts';
import type { SnapshotFeed } from '../snapshot/feed.ts';
import type { IngressStatusReport, ObjectStatus } from '../snapshot/types.ts';
import type { KubeClient } from './client.ts';
import { LeaderElector } from './leader.ts';
import { Prober, replicasFromSlices, type LoadBalancerCheck, type ProbeFn, type ProbeTarget, type Replica } from './prober.ts';
import type { KubernetesSource, SourceChange } from './source.ts';
import { StatusWriter } from './status-writer.ts';
import { ObjectStatusWriter } from './object-status-writer.ts';
import { translatorConditionStands, withLoadBalancerCondition } from '../translate/status.ts';
import { forEachBounded } from './bounded.ts';
import { WriteQueue } from './write-queue.ts';
import { objectKey } from './keys.ts';

export interface ServiceRef {
  readonly namespace: string;
  readonly name: string;
}

export interface StatusControllerOptions {
  readonly client: KubeClient;
  readonly source: KubernetesSource;
  readonly feed: SnapshotFeed;
  /** the Gateway API objects' statuses as last translated (none when absent) */
  readonly objectStatuses?: () => readonly ObjectStatus[];
  readonly gatewayService: ServiceRef;
  readonly localGatewayService: ServiceRef;
  /** this replica's identity in the Lease */
  readonly identity: string;
  readonly leaseDurationMs?: number;
  readonly retryPeriodMs?: number;
  readonly probeTimeoutMs?: number;
  readonly probe?: ProbeFn;
  /** the clock of status timestamps (default: the system's) */
  readonly now?: () => Date;
  /** status writes in flight at once (default 16); the client's rate limit applies as well */
  readonly statusConcurrency?: number;
  readonly log?: (level: 'info' | 'warn', msg: string) => void;
}

/** One host per visibility the ingress uses: what Knative probes. */
export function probeHosts(ing: KIngress): { externalHost?: string; localHost?: string } {
  const out: { externalHost?: string; localHost?: string } = {};
  for (const rule of ing.spec.rules ?? []) {
    const host = rule.hosts?.[0];
    if (!host) continue;
    if ((rule.visibility ?? 'ExternalIP') === 'ExternalIP') out.externalHost ??= host;
    else out.localHost ??= host;
  }
  return out;
}

/** a refused Gateway API status write is tried again after this long (or on the next change) */
const OBJECT_RETRY_MS = 5000;
/** enough to keep a few milliseconds' round trips busy at the default rate limit, few enough not to hammer */
const DEFAULT_STATUS_CONCURRENCY = 16;

/** The live status already says Ready for the report's generation (a restart finds it so: nothing to write before probing). */
const isReadyFor = (live: KIngress, r: IngressStatusReport): boolean =>
  live.status?.observedGeneration === r.generation && live.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

const configured = (r: IngressStatusReport): boolean => r.hash !== '' && r.conditions.some((c) => c.type === 'NetworkConfigured' && c.status === 'True');

export class StatusController {
  readonly #o: StatusControllerOptions;
  readonly leader: LeaderElector;
  readonly #prober: Prober;
  readonly #writer: StatusWriter;
  readonly #objectWriter: ObjectStatusWriter;
  /** the last error logged for each Gateway API object whose status write failed */
  readonly #objectFailures = new Map<string, string>();
  #unsubscribe: Array<() => void> = [];
  readonly #settledListeners = new Set<() => void>();
  #replicaKey = '';
  /** per ingress, what its status was last reconciled for (see #changedReports); forgotten on a change of leader */
  readonly #settled = new Map<string, { readonly report: IngressStatusReport; readonly lb: LoadBalancerCheck; readonly version: string | undefined }>();
  /** the gateway's replicas, read again once per push rather than once per probe (10,000 ingresses make 20,000 probes) */
  #replicas: { readonly public: readonly Replica[]; readonly local: readonly Replica[] } = { public: [], local: [] };
  /** every ingress is looked at on the next reconcile (a new translation, new replicas, a new leader) */
  #full = true;
  /** else only these (`namespace/name`): a probe answered, or the watch brought a status back */
  #dirty = new Set<string>();
  /** the reports last looked at in full, by key */
  #reportsSeen: readonly IngressStatusReport[] | undefined;
  #byKey = new Map<string, IngressStatusReport>();
  #running: Promise<void> | undefined;
  /** ingress status writes waiting and in flight (a reconcile does not wait for them) */
  readonly #writes: WriteQueue<{ readonly report: IngressStatusReport; readonly lb: LoadBalancerCheck }>;
  #again = false;
  #retry: NodeJS.Timeout | undefined;
  #stopped = false;
  #stopping: Promise<void> | undefined;

  constructor(o: StatusControllerOptions) {
    this.#o = o;
    this.#prober = new Prober({
      publicReplicas: () => this.#replicas.public,
      localReplicas: () => this.#replicas.local,
      onReady: (key) => this.#touch(key),
      onChecked: (key) => this.#touch(key),
      timeoutMs: o.probeTimeoutMs,
      probe: o.probe,
      onIdle: () => this.#quieted(),
    });
    this.#writer = new StatusWriter(o.client, { lookup: (ns, name) => o.source.ingress(ns, name), now: o.now });
    this.#writes = new WriteQueue(o.statusConcurrency ?? DEFAULT_STATUS_CONCURRENCY, (key, w) => this.#write(key, w.report, w.lb), () => this.#quieted());
    this.#objectWriter = new ObjectStatusWriter(o.client, { lookup: (kind, ns, name) => o.source.gatewayApiObject(kind, ns, name) });
    this.leader = new LeaderElector(o.client.unlimited(), {
      namespace: o.gatewayService.namespace,
      identity: o.identity,
      leaseDurationMs: o.leaseDurationMs,
      retryPeriodMs: o.retryPeriodMs,
      onStartedLeading: () => {
        this.#settled.clear();
        this.#full = true;
        o.log?.('info', `${o.identity} is the leader: probing replicas and writing status`);
        this.#sync();
      },
      onStoppedLeading: () => {
        this.#writes.clear();
        this.#settled.clear();
        o.log?.('info', `${o.identity} is no longer the leader`);
        this.#prober.setTargets([]);
      },
      onError: (err) => o.log?.('warn', `leader election: ${(err as Error).message}`),
    });
  }

  #publicReplicas(): Replica[] {
    return replicasFromSlices(this.#o.source.endpointSlicesOf(this.#o.gatewayService.namespace, this.#o.gatewayService.name));
  }
  #localReplicas(): Replica[] {
    return replicasFromSlices(this.#o.source.endpointSlicesOf(this.#o.localGatewayService.namespace, this.#o.localGatewayService.name));
  }

  /** Re-reads the replicas after a push: new ones are probed; then statuses are reconciled. */
  #readReplicas(): void {
    const replicas = { public: this.#publicReplicas(), local: this.#localReplicas() };
    const key = JSON.stringify(replicas);
    if (key !== this.#replicaKey) {
      this.#replicaKey = key;
      this.#full = true;
      this.#replicas = replicas;
      this.#prober.replicasChanged();
      const [pub, local] = [replicas.public.length, replicas.local.length];
      const ref = (r: ServiceRef) => `${r.namespace}/${r.name}`;
      this.#o.log?.(pub && local ? 'info' : 'warn', `gateway replicas: ${pub} behind ${ref(this.#o.gatewayService)}, ${local} behind ${ref(this.#o.localGatewayService)}${pub && local ? '' : ' (ingresses stay not ready until their EndpointSlices list ready replicas)'}`);
    }
    this.#sync();
  }

  /**
   * Statuses as this replica knows them, for the admin endpoint: on the leader, LoadBalancerReady
   * comes from probing every replica (what it writes to the cluster); a follower does not probe, and says so.
   */
  statuses(): readonly IngressStatusReport[] {
    const leader = this.leader.isLeader();
    return this.#o.feed.statuses().map((r) => {
      const fromTranslator = r.conditions.find((c) => c.type === 'LoadBalancerReady');
      if (!configured(r) || translatorConditionStands(fromTranslator)) return r;
      if (!leader) {
        return withLoadBalancerCondition(r, { type: 'LoadBalancerReady', status: 'Unknown', reason: 'NotLeader', message: 'this replica does not probe; the leader writes LoadBalancerReady to the Ingress status' });
      }
      return this.#prober.isReady(`${r.namespace}/${r.name}`, r.hash)
        ? withLoadBalancerCondition(r, { type: 'LoadBalancerReady', status: 'True' })
        : withLoadBalancerCondition(r, { type: 'LoadBalancerReady', status: 'Unknown', reason: 'Uninitialized', message: 'Waiting for load balancer to be ready' });
    });
  }

  /** what the writer remembers of its writes the watch has not brought back yet (for tests) */
  get rememberedWrites(): number {
    return this.#writer.remembered;
  }

  /**
   * `listener` is called each time probing and status writing go quiet (nothing running or waiting): after
   * a new leader's thousands of probes and writes, what they left in the old generation is garbage, which
   * the gateway may then collect (src/cli/heap-release.ts). Returns an unsubscribe function.
   */
  onSettled(listener: () => void): () => void {
    this.#settledListeners.add(listener);
    return () => this.#settledListeners.delete(listener);
  }

  #quieted(): void {
    if (this.#stopped || this.#writes.size > 0 || !this.#prober.idle) return;
    for (const l of this.#settledListeners) l();
  }

  /** ingress status writes waiting or in flight (for tests) */
  get pendingWrites(): number {
    return this.#writes.size;
  }

  /** status writes so far (for tests) */
  get writes(): number {
    return this.#writer.writes + this.#objectWriter.writes;
  }

  start(): void {
    // Statuses can change without a new snapshot (an invalid edit keeps the last good version served).
    // A new translation's reports are compared with the last ones by identity in #reconcile.
    this.#unsubscribe.push(this.#o.feed.subscribeStatuses(() => this.#sync()));
    this.#unsubscribe.push(this.#o.source.onPush((change) => this.#sourceChanged(change)));
    this.#readReplicas();
    this.leader.start();
    this.#sync();
  }

  /** Stops probing and writing and releases the Lease; a second call waits for the first. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.#stopped = true;
      clearTimeout(this.#retry);
      for (const u of this.#unsubscribe) u();
      this.#prober.stop();
      this.#writes.clear();
      await this.leader.stop();
      await this.#running;
      await this.#writes.idle();
    })();
    return this.#stopping;
  }

  /**
   * The reports whose status may need writing: those not settled for the same report (the translator
   * hands back the same object for an unchanged ingress), the same probe result and the same live
   * version (someone else's write is corrected). At 10,000 ingresses an edit costs one status, not 10,000.
   * A hash not probed yet, while there are replicas to probe, waits for its probe (a moment), so that a
   * new ingress gets one write (Ready) rather than two (Unknown, then Ready).
   */
  #changedReports(reports: readonly IngressStatusReport[], all: boolean): Array<{ report: IngressStatusReport; lb: LoadBalancerCheck; key: string }> {
    const out: Array<{ report: IngressStatusReport; lb: LoadBalancerCheck; key: string }> = [];
    const canProbe = this.#replicas.public.length > 0 || this.#replicas.local.length > 0;
    const present = new Set<string>();
    for (const r of reports) {
      const key = objectKey(r.namespace, r.name);
      present.add(key);
      const live = this.#o.source.ingress(r.namespace, r.name);
      if (!live) continue; // deleted since the snapshot
      // Mostly our own write come back: what the writer kept of it is not needed any more.
      this.#writer.caughtUp(r.namespace, r.name, live.metadata.resourceVersion);
      const lb = configured(r) ? this.#prober.check(key, r.hash) : false;
      const done = this.#settled.get(key);
      if (done && done.report === r && done.lb === lb && done.version === live.metadata.resourceVersion) continue;
      if (lb === 'unchecked' && canProbe && !isReadyFor(live, r)) continue;
      out.push({ report: r, lb, key });
    }
    if (all) for (const key of this.#settled.keys()) if (!present.has(key)) this.#settled.delete(key);
    return out;
  }

  /** A change that concerns every ingress. */
  #all(): void {
    this.#full = true;
    this.#sync();
  }

  /** A change that concerns one ingress. */
  #touch(key: string): void {
    this.#dirty.add(key);
    this.#sync();
  }

  #sourceChanged(change: SourceChange): void {
    if (!change.statusOnly) {
      // A push names the ingresses it changed (their live versions moved on), unless it was read whole.
      if (change.ingresses === undefined) this.#full = true;
      else for (const key of change.ingresses) this.#dirty.add(key);
      return this.#readReplicas();
    }
    // Statuses alone (mostly our own writes coming back): only those ingresses, and the Gateway API objects.
    for (const key of change.ingresses) this.#dirty.add(key);
    this.#sync();
  }

  /** Runs one reconcile at a time; a request during a run schedules exactly one more. */
  #sync(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#reconcile()
      .catch((err) => {
        this.#o.log?.('warn', `status: ${(err as Error).message}`);
        clearTimeout(this.#retry);
        this.#retry = setTimeout(() => this.#all(), 1000);
      })
      .finally(() => {
        this.#running = undefined;
        if (this.#again) {
          this.#again = false;
          this.#sync();
        }
      });
  }

  async #write(key: string, r: IngressStatusReport, lb: LoadBalancerCheck): Promise<void> {
    if (this.#stopped || !this.leader.isLeader()) return;
    try {
      const result = await this.#writer.write(r, lb);
      // The version the status now stands on: the watch's copy, until it brings our own write back.
      this.#settled.set(key, { report: r, lb, version: result === 'gone' ? undefined : this.#o.source.ingress(r.namespace, r.name)?.metadata.resourceVersion });
    } catch (err) {
      this.#o.log?.('warn', `status: ${(err as Error).message}`);
      clearTimeout(this.#retry);
      if (!this.#stopped) this.#retry = setTimeout(() => this.#all(), 1000);
    }
  }

  /** Takes a new translation's reports; returns the keys of those that are not the same objects as before, and of those gone. */
  #takeReports(reports: readonly IngressStatusReport[]): string[] {
    const changed: string[] = [];
    const before = this.#byKey;
    const byKey = new Map<string, IngressStatusReport>();
    for (const r of reports) {
      const key = objectKey(r.namespace, r.name);
      byKey.set(key, r);
      if (before.get(key) !== r) changed.push(key);
    }
    for (const key of before.keys()) if (!byKey.has(key)) changed.push(key);
    this.#reportsSeen = reports;
    this.#byKey = byKey;
    return changed;
  }

  async #reconcile(): Promise<void> {
    if (!this.leader.isLeader() || !this.#o.feed.current()) return;
    const reports = this.#o.feed.statuses();
    // Everything after new replicas or a new leader; else what was touched since the last run, and after a
    // new translation the reports it changed (the translator hands back the same object for an unchanged ingress).
    const full = this.#full || this.#reportsSeen === undefined;
    const dirty = this.#dirty;
    this.#full = false;
    this.#dirty = new Set();
    const retranslated = reports !== this.#reportsSeen ? this.#takeReports(reports) : [];
    for (const key of retranslated) dirty.add(key);
    if (full) {
      const targets: ProbeTarget[] = [];
      for (const r of reports) {
        const ing = this.#o.source.ingress(r.namespace, r.name);
        if (ing && configured(r)) targets.push({ key: objectKey(r.namespace, r.name), hash: r.hash, ...probeHosts(ing) });
      }
      this.#prober.setTargets(targets);
    } else {
      // Only a new report can bring a new hash or hosts to probe.
      for (const key of retranslated) {
        const r = this.#byKey.get(key);
        const ing = r && this.#o.source.ingress(r.namespace, r.name);
        if (r && ing && configured(r)) this.#prober.setTarget({ key, hash: r.hash, ...probeHosts(ing) });
        else this.#prober.forget(key);
        if (!r) this.#settled.delete(key);
      }
    }
    const concurrency = this.#o.statusConcurrency ?? DEFAULT_STATUS_CONCURRENCY;
    const lost = (): boolean => this.#stopped || !this.leader.isLeader();
    const candidates = full ? reports : [...dirty].flatMap((key) => this.#byKey.get(key) ?? []);
    const todo = this.#changedReports(candidates, full);
    // Writes overlap (each waits mostly on the API server), bounded so that thousands never go at once, and
    // queued rather than awaited: the next change is probed while they go. A new version of an ingress
    // whose status was written before (an edit: someone waits for it) goes ahead of the others waiting.
    for (const { report, lb, key } of todo) {
      const before = this.#settled.get(key)?.report;
      this.#writes.push(key, { report, lb }, before !== undefined && before.generation !== report.generation, (a, b) => a.report === b.report && a.lb === b.lb);
    }
    if (lost()) return;
    let failed = false;
    await forEachBounded(this.#o.objectStatuses?.() ?? [], concurrency, async (st) => {
      const key = `${st.kind} ${st.namespace ? `${st.namespace}/` : ''}${st.name}`;
      // One object the server refuses must not hold up the others' statuses; each problem is logged once.
      try {
        await this.#objectWriter.write(st);
        this.#objectFailures.delete(key);
      } catch (err) {
        failed = true;
        const msg = (err as Error).message;
        if (this.#objectFailures.get(key) !== msg) this.#o.log?.('warn', `status of ${key}: ${msg} (retrying)`);
        this.#objectFailures.set(key, msg);
      }
    }, lost);
    if (failed && !this.#stopped) {
      clearTimeout(this.#retry);
      this.#retry = setTimeout(() => this.#sync(), OBJECT_RETRY_MS);
    }
  }
}
