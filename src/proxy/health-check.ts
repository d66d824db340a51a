// Active HTTP health checks (Cluster.policy.healthCheck; Envoy's http_health_check), for clusters
// whose policy has one: every interval each endpoint is probed (health-check-probe.ts);
// unhealthyThreshold failures in a row take it out of picking, healthyThreshold passes bring it
// back. Endpoints start healthy (traffic is not held back until a first probe). Checkers follow the
// snapshot: started for new clusters, restarted when the check changes, stopped with the cluster.
// Probes of all clusters share a bound on how many run at once; timers never keep the process up.
import type { HealthCheck } from '../snapshot/backend-policy.ts';
import type { Cluster, Endpoint } from '../snapshot/types.ts';
import { originOf } from './live-origins.ts';
import { probe } from './health-check-probe.ts';

/** Probes in flight at once, over every cluster. */
export const MAX_CONCURRENT_PROBES = 32;

interface EndpointHealth {
  healthy: boolean;
  passes: number;
  fails: number;
}

export interface HealthReport {
  readonly endpoint: string;
  readonly healthy: boolean;
}

/** Called when an endpoint turns healthy or unhealthy. */
export type HealthTransition = (cluster: string, endpoint: string, healthy: boolean) => void;

class ProbeSlots {
  #running = 0;
  readonly #waiting: (() => void)[] = [];
  constructor(readonly max: number) {}

  async run<T>(f: () => Promise<T>): Promise<T> {
    if (this.#running >= this.max) await new Promise<void>((r) => this.#waiting.push(r));
    this.#running++;
    try {
      return await f();
    } finally {
      this.#running--;
      this.#waiting.shift()?.();
    }
  }
}

class ClusterChecker {
  readonly hc: HealthCheck;
  #endpoints: readonly Endpoint[];
  #protocol: Cluster['protocol'];
  readonly #health = new Map<string, EndpointHealth>();
  readonly #aborts = new AbortController();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    readonly name: string,
    cluster: Cluster,
    hc: HealthCheck,
    readonly slots: ProbeSlots,
    readonly onTransition: HealthTransition,
  ) {
    this.hc = hc;
    this.#endpoints = cluster.endpoints;
    this.#protocol = cluster.protocol;
    void this.#round();
  }

  update(cluster: Cluster): void {
    this.#endpoints = cluster.endpoints;
    this.#protocol = cluster.protocol;
    const live = new Set(cluster.endpoints.map(originOf));
    for (const o of this.#health.keys()) if (!live.has(o)) this.#health.delete(o);
  }

  healthy(origin: string): boolean {
    return this.#health.get(origin)?.healthy ?? true;
  }

  report(): HealthReport[] {
    return this.#endpoints.map((e) => originOf(e)).map((endpoint) => ({ endpoint, healthy: this.healthy(endpoint) }));
  }

  stop(): void {
    this.#aborts.abort();
    clearTimeout(this.#timer);
  }

  async #round(): Promise<void> {
    const signal = this.#aborts.signal;
    await Promise.all(
      this.#endpoints.map((e) =>
        this.slots.run(async () => {
          if (signal.aborted) return;
          const ok = await probe(e, this.#protocol, this.hc, signal);
          if (!signal.aborted) this.#count(originOf(e), ok);
        }),
      ),
    );
    if (signal.aborted) return;
    this.#timer = setTimeout(() => void this.#round(), this.hc.intervalMs);
    this.#timer.unref();
  }

  #count(origin: string, ok: boolean): void {
    let h = this.#health.get(origin);
    if (h === undefined) this.#health.set(origin, (h = { healthy: true, passes: 0, fails: 0 }));
    if (ok) {
      h.fails = 0;
      h.passes++;
      if (!h.healthy && h.passes >= this.hc.healthyThreshold) {
        h.healthy = true;
        this.onTransition(this.name, origin, true);
      }
    } else {
      h.passes = 0;
      h.fails++;
      if (h.healthy && h.fails >= this.hc.unhealthyThreshold) {
        h.healthy = false;
        this.onTransition(this.name, origin, false);
      }
    }
  }
}

export class HealthChecks {
  readonly #checkers = new Map<string, ClusterChecker>();
  readonly #slots = new ProbeSlots(MAX_CONCURRENT_PROBES);
  readonly #onTransition: HealthTransition;

  constructor(onTransition: HealthTransition = () => {}) {
    this.#onTransition = onTransition;
  }

  /** Brings the checkers to the snapshot's clusters. */
  follow(clusters: readonly Cluster[]): void {
    const seen = new Set<string>();
    for (const c of clusters) {
      if (c.policy?.healthCheck === undefined) continue;
      seen.add(c.name);
      this.followOne(c.name, c);
    }
    for (const name of [...this.#checkers.keys()]) if (!seen.has(name)) this.followOne(name, undefined);
  }

  /** Brings the checker of the cluster named `name` to `cluster` (undefined: gone from the snapshot). */
  followOne(name: string, cluster: Cluster | undefined): void {
    const hc = cluster?.policy?.healthCheck;
    const had = this.#checkers.get(name);
    if (cluster === undefined || hc === undefined) {
      had?.stop();
      this.#checkers.delete(name);
      return;
    }
    if (had !== undefined && sameCheck(had.hc, hc)) {
      had.update(cluster);
      return;
    }
    had?.stop();
    this.#checkers.set(name, new ClusterChecker(name, cluster, hc, this.#slots, this.#onTransition));
  }

  /** Whether the endpoint passes its cluster's health check (true when the cluster has none). */
  healthy(cluster: string, origin: string): boolean {
    return this.#checkers.get(cluster)?.healthy(origin) ?? true;
  }

  /** Per checked cluster (sorted), each endpoint's health. */
  report(): { cluster: string; endpoints: HealthReport[] }[] {
    return [...this.#checkers.values()].map((c) => ({ cluster: c.name, endpoints: c.report() })).sort((a, b) => (a.cluster < b.cluster ? -1 : 1));
  }

  get size(): number {
    return this.#checkers.size;
  }

  stop(): void {
    for (const c of this.#checkers.values()) c.stop();
    this.#checkers.clear();
  }
}

function sameCheck(a: HealthCheck, b: HealthCheck): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}
