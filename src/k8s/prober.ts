// Knative readiness probing: an ingress's load balancer is ready once every gateway replica answers a
// probe for it with the ingress's current hash. Replicas are the ready endpoints of the EndpointSlices of
// Sluice's own Services (public for ExternalIP hosts, cluster-local for ClusterLocal hosts). A replica that
// appears later is probed too. Like Knative's status prober, readiness for a hash, once reached, is kept:
// a new replica is probed as soon as it appears but does not flip a ready ingress back.
import { Agent, request } from 'node:http';
import type { EndpointSlice } from '../api/types.ts';
import { BoundedTable } from '../snapshot/bounded-table.ts';

export interface Replica {
  readonly address: string;
  readonly port: number;
}

export interface ProbeTarget {
  /** `namespace/name` */
  readonly key: string;
  readonly hash: string;
  /** a host of the ingress's ExternalIP rules, probed on the public replicas */
  readonly externalHost?: string;
  /** a host of the ingress's ClusterLocal rules, probed on the cluster-local replicas */
  readonly localHost?: string;
}

/** What probing says of an ingress's hash: see Prober.check(). */
export type LoadBalancerCheck = boolean | 'unchecked' | 'unanswered';

/** true: answered with the hash; false: answered without it; undefined: no answer (refused, reset, timed out) */
export type ProbeFn = (replica: Replica, host: string, hash: string, timeoutMs: number) => Promise<boolean | undefined>;

export interface ProberOptions {
  readonly publicReplicas: () => readonly Replica[];
  readonly localReplicas: () => readonly Replica[];
  /** called when a target becomes ready for its hash */
  readonly onReady: (key: string, hash: string) => void;
  /** called when the first probe of every replica for a target's hash is done and it is not ready */
  readonly onChecked?: (key: string, hash: string) => void;
  /** probes in flight at once, over all targets (default PROBE_CONCURRENCY) */
  readonly concurrency?: number;
  /** per-probe timeout (default 2 s) */
  readonly timeoutMs?: number;
  /** delay before re-probing replicas that failed; doubles up to maxBackoffMs (defaults 100 ms, 5 s) */
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** the probe itself (default: HTTP GET with Knative's probe headers) */
  readonly probe?: ProbeFn;
  /** called when the last round running ends with none waiting (retries on a timer may follow) */
  readonly onIdle?: () => void;
}

/** Ready endpoint addresses of the slices, each on the slice's port named `portName` (else its first port). */
export function replicasFromSlices(slices: readonly EndpointSlice[], portName = 'http'): Replica[] {
  const out = new Map<string, Replica>();
  for (const s of slices) {
    const port = (s.ports ?? []).find((p) => p.name === portName)?.port ?? s.ports?.[0]?.port;
    if (!port) continue;
    for (const e of s.endpoints ?? []) {
      if (e.conditions?.ready === false) continue;
      for (const address of e.addresses) out.set(`${address}:${port}`, { address, port });
    }
  }
  return [...out.values()].sort((a, b) => `${a.address}:${a.port}`.localeCompare(`${b.address}:${b.port}`));
}

/** Probes in flight at once when the options do not say. */
export const PROBE_CONCURRENCY = 64;

/**
 * Probes reuse connections (at 10,000 ingresses, a connection per probe, set up and torn down on both
 * sides, was a visible share of the leader's CPU); as many as probes run at once by default, each
 * closed after a quiet spell, and none keeps a stopping process alive (the agent unrefs idle sockets).
 */
const probeAgent = new Agent({ keepAlive: true, maxSockets: PROBE_CONCURRENCY, timeout: 30_000, scheduling: 'lifo' });

/**
 * GET /healthz on the replica with `K-Network-Probe: probe`; ready when it answers 200 with the expected
 * hash. The request carries `K-Network-Hash: override`, so by the probe contract (DESIGN.md) the replica
 * answers with the hash of the config it actually holds rather than echoing ours: a replica still serving
 * an older version of the ingress is told apart.
 */
export const httpProbe: ProbeFn = (replica, host, hash, timeoutMs) =>
  new Promise((resolve) => {
    const req = request(
      {
        host: replica.address,
        port: replica.port,
        path: '/healthz',
        method: 'GET',
        headers: { host, 'k-network-probe': 'probe', 'k-network-hash': 'override', 'user-agent': 'Knative-Ingress-Probe' },
        timeout: timeoutMs,
        agent: probeAgent,
      },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200 && res.headers['k-network-hash'] === hash);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });

const NONE: readonly string[] = [];

interface TargetState {
  target: ProbeTarget;
  /** `visibility|address:port` of replicas that answered with the hash (few: an array) */
  done: readonly string[];
  ready: boolean;
  /** every replica has been probed at least once for this hash */
  checked: boolean;
  /** some replica answered without the hash (not merely failed to answer) */
  refused: boolean;
  running: boolean;
  backoff: number;
  timer?: NodeJS.Timeout;
}

export class Prober {
  readonly #opts: ProberOptions;
  readonly #states = new Map<string, TargetState>();
  #stopped = false;
  /** probes in flight, and those waiting for a slot */
  #inFlight = 0;
  readonly #waiting: Array<() => void> = [];
  /**
   * targets whose round waits to start, in order, and rounds running: at most `concurrency` run at once,
   * so that a new leader's 10,000 targets are not 10,000 rounds, each with its probes' closures and
   * promises parked for minutes (long enough to reach the old generation, as garbage once answered)
   */
  readonly #queued = new Set<string>();
  readonly #publicIds = new WeakMap<Replica, string>();
  readonly #localIds = new WeakMap<Replica, string>();
  /** one array for each distinct list of replicas that answered: most targets end with the same one */
  readonly #doneLists = new BoundedTable<readonly string[]>(512);
  readonly #concurrency: number;
  readonly #minBackoffMs: number;
  #rounds = 0;

  constructor(opts: ProberOptions) {
    this.#opts = opts;
    this.#concurrency = opts.concurrency ?? PROBE_CONCURRENCY;
    this.#minBackoffMs = opts.minBackoffMs ?? 100;
  }

  /** Sets the ingresses to probe. A new hash starts over; targets not listed are forgotten. */
  setTargets(targets: readonly ProbeTarget[]): void {
    const keep = new Set(targets.map((t) => t.key));
    for (const key of this.#states.keys()) if (!keep.has(key)) this.forget(key);
    for (const t of targets) this.setTarget(t);
  }

  /** Sets one ingress to probe, leaving the others be (an edit at 10,000 ingresses touches one). A new hash starts over. */
  setTarget(t: ProbeTarget): void {
    const st = this.#states.get(t.key);
    if (st && st.target.hash === t.hash && st.target.externalHost === t.externalHost && st.target.localHost === t.localHost) return;
    if (st) clearTimeout(st.timer);
    this.#states.set(t.key, { target: t, done: NONE, ready: false, checked: false, refused: false, running: false, backoff: this.#minBackoffMs });
    this.#kick(t.key);
  }

  /** Stops probing one ingress (`namespace/name`). */
  forget(key: string): void {
    clearTimeout(this.#states.get(key)?.timer);
    this.#states.delete(key);
    this.#queued.delete(key);
  }

  isReady(key: string, hash: string): boolean {
    return this.check(key, hash) === true;
  }

  /**
   * true: every replica serves the hash; false: probed, and some replica answered without it (yet);
   * 'unanswered': probed, but some replica gave no answer at all (nothing learnt of its hash: thousands of
   * probes at once to a replica still warming up time out); 'unchecked': not probed yet.
   */
  check(key: string, hash: string): LoadBalancerCheck {
    const st = this.#states.get(key);
    if (!st || st.target.hash !== hash) return 'unchecked';
    if (st.ready) return true;
    if (!st.checked) return 'unchecked';
    return st.refused ? false : 'unanswered';
  }

  /** The gateway's replicas changed: probe the new ones. */
  replicasChanged(): void {
    for (const [key, st] of this.#states) {
      st.backoff = this.#minBackoffMs;
      clearTimeout(st.timer);
      st.timer = undefined;
      this.#kick(key);
    }
  }

  stop(): void {
    this.#stopped = true;
    this.#queued.clear();
    for (const st of this.#states.values()) clearTimeout(st.timer);
  }

  /** `visibility|address:port`, one string per replica read (a Set and two new strings per target were most of 10,000 targets' cost) */
  #idOf(vis: 'public' | 'local', r: Replica): string {
    const ids = vis === 'public' ? this.#publicIds : this.#localIds;
    let id = ids.get(r);
    if (id === undefined) ids.set(r, (id = `${vis}|${r.address}:${r.port}`));
    return id;
  }

  /** rounds running now (for tests) */
  get roundsRunning(): number {
    return this.#rounds;
  }

  /** no round running nor waiting to start */
  get idle(): boolean {
    return this.#rounds === 0 && this.#queued.size === 0;
  }

  #kick(key: string): void {
    const st = this.#states.get(key);
    if (!st || st.running || this.#stopped) return;
    this.#queued.add(key);
    this.#startRounds();
  }

  #startRounds(): void {
    for (const key of this.#queued) {
      if (this.#rounds >= this.#concurrency || this.#stopped) return;
      this.#queued.delete(key);
      const st = this.#states.get(key);
      if (!st || st.running) continue;
      st.running = true;
      this.#rounds++;
      void this.#round(st).finally(() => {
        st.running = false;
        this.#rounds--;
        this.#startRounds();
        if (this.idle) this.#opts.onIdle?.();
      });
    }
  }

  /** The (visibility, replica, host) probes a target still needs. */
  #pending(st: TargetState): Array<{ id: string; replica: Replica; host: string }> {
    const out: Array<{ id: string; replica: Replica; host: string }> = [];
    const add = (vis: 'public' | 'local', host: string | undefined, replicas: readonly Replica[]): void => {
      if (!host) return;
      for (const r of replicas) {
        const id = this.#idOf(vis, r);
        if (!st.done.includes(id)) out.push({ id, replica: r, host });
      }
    };
    add('public', st.target.externalHost, this.#opts.publicReplicas());
    add('local', st.target.localHost, this.#opts.localReplicas());
    return out;
  }

  #hasReplicas(st: TargetState): boolean {
    return (!st.target.externalHost || this.#opts.publicReplicas().length > 0) && (!st.target.localHost || this.#opts.localReplicas().length > 0);
  }

  /** Runs `fn` once fewer than `concurrency` probes are in flight (thousands at once only time out). */
  async #limited<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#inFlight >= this.#concurrency) await new Promise<void>((r) => this.#waiting.push(r));
    this.#inFlight++;
    try {
      return await fn();
    } finally {
      this.#inFlight--;
      this.#waiting.shift()?.();
    }
  }

  async #round(st: TargetState): Promise<void> {
    const probe = this.#opts.probe ?? httpProbe;
    const todo = this.#pending(st);
    const results = await Promise.all(todo.map(async (p) => ({ p, ok: await this.#limited(() => probe(p.replica, p.host, st.target.hash, this.#opts.timeoutMs ?? 2000)) })));
    if (this.#stopped || this.#states.get(st.target.key) !== st) return;
    const answered = results.filter((r) => r.ok === true && !st.done.includes(r.p.id)).map((r) => r.p.id);
    if (answered.length > 0) {
      const done = [...st.done, ...answered];
      st.done = this.#doneLists.keep(done.join(' '), done);
    }
    if (results.some((r) => r.ok === false)) st.refused = true;
    const remaining = this.#pending(st).length;
    const hasReplicas = this.#hasReplicas(st);
    const first = !st.checked;
    // Checked means a probe found out something. With no replica listed (a new leader before its own
    // endpoints are, or a visibility with none) nothing was found: stay 'unchecked', so the status writer
    // keeps a LoadBalancerReady written for this generation instead of downgrading it.
    if (hasReplicas || results.some((r) => !r.ok)) st.checked = true;
    if (remaining === 0 && hasReplicas) {
      if (!st.ready) {
        st.ready = true;
        this.#opts.onReady(st.target.key, st.target.hash);
      }
      return;
    }
    if (first && st.checked) this.#opts.onChecked?.(st.target.key, st.target.hash);
    // Some replica has not answered with this hash yet (or there are none yet): try again later.
    const delay = st.backoff;
    st.backoff = Math.min(st.backoff * 2, this.#opts.maxBackoffMs ?? 5000);
    clearTimeout(st.timer);
    st.timer = setTimeout(() => {
      st.timer = undefined;
      this.#kick(st.target.key);
    }, delay);
  }
}
