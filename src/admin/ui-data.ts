// `GET /ui/data`: what the status page shows, as JSON: every object with its state, every route with
// its splits and live rates, the last configuration versions with what changed, and the rejected
// documents. Names only, never a key or certificate.
import type { Snapshot } from '../snapshot/types.ts';
import type { AdminSources } from './server.ts';
import type { MetricsJson } from './cluster-metrics.ts';
import { routesByOwner } from './ui-diff.ts';
import { ConfigHistory } from './ui-history.ts';
import { uiObjects } from './ui-objects.ts';
import { LiveStats, type Rates } from './ui-stats.ts';

export interface UiSplit extends Rates {
  readonly cluster: string;
  /**
   * its percent of the traffic of each route of the object that sends to it, distinct, largest first
   * (a Knative tag route: 100, beside its 10 of the main route)
   */
  readonly percents: readonly number[];
}

export interface UiRoute extends Rates {
  /** the object the route came from (`default/hello`, `HTTPRoute default/store`): the metrics' `ingress` label */
  readonly name: string;
  readonly splits: readonly UiSplit[];
}

const NO_RATES: Rates = { rps: 0, errorsPerSecond: 0, p50: null, p99: null };

export class UiData {
  readonly #src: AdminSources;
  readonly #history: ConfigHistory;
  readonly #stats = new LiveStats();

  constructor(src: AdminSources) {
    this.#src = src;
    this.#history = new ConfigHistory(src.feed);
  }

  async body(): Promise<object> {
    const src = this.#src;
    const snapshot = src.feed.current();
    const metrics: MetricsJson = await (src.metricsJson ?? (() => src.metrics.registry.getMetricsAsJSON()))();
    const rates = this.#stats.update(metrics);
    return {
      version: snapshot?.version ?? 0,
      at: new Date().toISOString(),
      routes: snapshot === undefined ? [] : uiRoutes(snapshot, rates),
      objects: uiObjects(src.statuses ? src.statuses() : src.feed.statuses(), src.objectStatuses?.() ?? []),
      versions: this.#history.entries(),
      rejected: src.rejections().map((r) => ({
        file: r.origin.file,
        doc: r.origin.doc,
        line: r.line ?? r.origin.line,
        kind: r.kind,
        namespace: r.namespace,
        name: r.name,
        errors: r.errors,
      })),
    };
  }

  stop(): void {
    this.#history.stop();
  }
}

/** Each route's object with its distinct splits (cluster and percent) and their rates; sorted by name. */
export function uiRoutes(snapshot: Snapshot, rates: { routes: ReadonlyMap<string, Rates>; clusters: ReadonlyMap<string, Rates> }): UiRoute[] {
  const out: UiRoute[] = [];
  for (const [name, routes] of routesByOwner(snapshot)) {
    const splits = new Map<string, Set<number>>();
    for (const r of routes) {
      const total = r.splits.reduce((sum, s) => sum + s.weight, 0);
      for (const s of r.splits) {
        if (s.cluster === undefined) continue;
        let shares = splits.get(s.cluster);
        if (shares === undefined) splits.set(s.cluster, (shares = new Set()));
        shares.add(total > 0 ? Math.round((s.weight / total) * 1000) / 10 : 0);
      }
    }
    out.push({
      name,
      ...(rates.routes.get(name) ?? NO_RATES),
      splits: [...splits].map(([cluster, shares]) => ({ cluster, percents: [...shares].sort((a, b) => b - a), ...(rates.clusters.get(cluster) ?? NO_RATES) })),
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
