// Makes each next Router of one data plane from its previous one. At 10,000 ingresses rebuilding
// the host tables takes longer than the rest of an edit, so a snapshot change recompiles only the
// virtual hosts that left or came in, and those whose clusters or ingress info are new objects;
// the host tables are the last ones with a layer of changes (store/layered.ts), so nothing of size
// 10,000 is copied or walked when the change carries the translator's diffs (snapshot/change.ts).
// Each DataPlane owns one builder: what it derives from is its own last router, never another's.
import type { SnapshotChange } from '../snapshot/change.ts';
import { compareSorted, findSorted, sortedBy, type ListDiff } from '../snapshot/list-diff.ts';
import type { Cluster, IngressInfo, PortListener, Route, Snapshot, VirtualHost } from '../snapshot/types.ts';
import { LayeredMap } from '../store/layered.ts';
import { entryFor, type Lookup } from './compile-routes.ts';
import { MatcherTable } from './router-matchers.ts';
import type { ReportProblem } from './match.ts';
import type { HostEntry, HostTable, HostTables, Router } from './router.ts';

/**
 * What the last router was made from. The indexes say which virtual hosts use a cluster or belong
 * to an ingress, so a new cluster or ingress info recompiles just them.
 */
interface Chain extends Indexes {
  readonly head: Router;
}

interface Indexes {
  /** cluster name -> virtual hosts (every table) whose routes use it (small lists: arrays, not sets) */
  readonly byCluster: Map<string, VirtualHost[]>;
  /** ingress key -> its virtual hosts (every table) */
  readonly byIngress: Map<string, VirtualHost[]>;
}

const byName = (x: { readonly name: string }): string => x.name;
const byKey = (x: IngressInfo): string => x.key;

/** Problems reported at most this many times per builder (a bad regex in 10,000 routes is one line). */
const MAX_REPORTED = 1000;

export class RouterBuilder {
  #chain: Chain | undefined;
  readonly #report: ReportProblem;
  readonly #reported = new Set<string>();
  readonly #functions: Lookup<Cluster> | undefined;

  /**
   * `report` hears each configuration problem the router works around, once. `functions`: the
   * clusters function splits resolve to (the data plane's in-process function calls, functions/calls.ts).
   */
  constructor(report: ReportProblem = () => {}, functions?: Lookup<Cluster>) {
    this.#functions = functions;
    this.#report = (problem) => {
      if (this.#reported.has(problem) || this.#reported.size >= MAX_REPORTED) return;
      this.#reported.add(problem);
      report(problem);
    };
  }

  /** The router for `change.snapshot`: derived from the last one this builder made when possible. */
  next(change: SnapshotChange): Router {
    const derived = this.#chain !== undefined ? this.#derive(this.#chain, change) : undefined;
    return derived ?? this.#full(change.snapshot);
  }

  #full(snapshot: Snapshot): Router {
    const clusters = this.#withFunctions(new Map(snapshot.clusters.map((c) => [c.name, c] as const)));
    const ingresses = new Map(snapshot.ingresses.map((i) => [i.key, i] as const));
    const next: Indexes = { byCluster: new Map(), byIngress: new Map() };
    let unique = true;
    // Equal matches share one compiled matcher within this compile (router-matchers.ts).
    const matchers = new MatcherTable();
    const compileHosts = (vhosts: readonly VirtualHost[]): Map<string, HostEntry> => {
      const table = new Map<string, HostEntry>();
      for (const vhost of vhosts) {
        const entry = entryFor(vhost, ingresses, clusters, this.#report, matchers);
        index(next, vhost, 1);
        // The translator resolves host conflicts; the first vhost listed for a domain wins here too.
        for (const d of vhost.domains) {
          if (!table.has(d)) table.set(d, entry);
          else unique = false;
        }
      }
      return table;
    };
    // A port listener's table is compiled and derived as Knative's two are (a Gateway with 10,000
    // HTTPRoutes has as many hosts on one port); Knative's listeners keep their names.
    const ports: Record<string, HostTable> = {};
    for (const port of snapshot.ports) if (port.name !== 'external' && port.name !== 'local') ports[port.name] = compileHosts(port.virtualHosts);
    const router: Router = {
      snapshot,
      version: snapshot.version,
      hosts: { ...ports, external: compileHosts(snapshot.listeners.external), local: compileHosts(snapshot.listeners.local) },
    };
    // Deriving assumes each domain has one virtual host per table (as the translator makes them).
    // (A port whose virtual hosts are not sorted is compared when it changes, and then compiled in full.)
    const derivable = unique && sortedBy(snapshot.listeners.external, byName) && sortedBy(snapshot.listeners.local, byName) && sortedBy(snapshot.ports, byName);
    this.#chain = derivable ? { ...next, head: router } : undefined;
    return router;
  }

  /** The snapshot's clusters, and the function calls' under their reserved names (functions/calls.ts). */
  #withFunctions(clusters: Lookup<Cluster>): Lookup<Cluster> {
    const functions = this.#functions;
    if (functions === undefined) return clusters;
    return { get: (k) => functions.get(k) ?? clusters.get(k) };
  }

  /**
   * The router for the change's snapshot made from the last one. The change's diffs are used when
   * they lead from the snapshot of the last router (the usual case); otherwise the lists are
   * compared. Undefined when the snapshot does not fit (unsorted lists, a domain claimed twice):
   * compile in full.
   */
  #derive(c: Chain, change: SnapshotChange): Router | undefined {
    const prev = c.head.snapshot;
    const snapshot = change.snapshot;
    const d = change.previous === prev ? change.diffs : undefined;
    const changedClusters = changedKeys(prev.clusters, snapshot.clusters, d?.clusters, byName);
    const changedInfos = changedKeys(prev.ingresses, snapshot.ingresses, d?.ingresses, byKey);
    if (changedClusters === undefined || changedInfos === undefined) return undefined;
    const moves = new Map<string, ListDiff<VirtualHost> | undefined>([
      ['external', d?.external ?? compareSorted(prev.listeners.external, snapshot.listeners.external, byName)],
      ['local', d?.local ?? compareSorted(prev.listeners.local, snapshot.listeners.local, byName)],
    ]);
    const portMoves = d?.ports ?? compareSorted(prev.ports, snapshot.ports, byName);
    if (portMoves === undefined) return undefined;
    // A port changed in place (same name) is followed by its virtual hosts; a port gained or lost
    // (a Gateway listener edited: rare) compiles everything.
    const portNames = (ports: readonly PortListener[]): string => ports.map(byName).filter((n) => n !== 'external' && n !== 'local').join('\n');
    if (portNames(portMoves.removed) !== portNames(portMoves.added)) return undefined;
    const replaced = new Map(portMoves.removed.map((p) => [p.name, p]));
    for (const after of portMoves.added) {
      const before = replaced.get(after.name);
      if (before === undefined || after.name === 'external' || after.name === 'local') continue;
      moves.set(after.name, compareSorted(before.virtualHosts, after.virtualHosts, byName));
    }
    if ([...moves.values()].some((m) => m === undefined)) return undefined;
    const tables = Object.keys(c.head.hosts);
    // Lookups for resolving only the few hosts compiled below.
    const clusters = this.#withFunctions({ get: (k) => findSorted(snapshot.clusters, byName, k) });
    const ingresses: Lookup<IngressInfo> = { get: (k) => findSorted(snapshot.ingresses, byKey, k) };
    const stale = new Set<VirtualHost>();
    const matchers = new MatcherTable();
    for (const name of changedClusters) for (const v of c.byCluster.get(name) ?? []) stale.add(v);
    for (const key of changedInfos) for (const v of c.byIngress.get(key) ?? []) stale.add(v);
    const edits = new Map<string, Map<string, HostEntry | undefined>>(tables.map((t) => [t, new Map()]));
    const current = (t: string, dom: string): HostEntry | undefined => {
      const e = edits.get(t);
      return e?.has(dom) === true ? e.get(dom) : c.head.hosts[t]?.get(dom);
    };
    for (const [t, m] of moves) {
      for (const v of (m as ListDiff<VirtualHost>).removed) {
        stale.delete(v);
        index(c, v, -1);
        for (const dom of v.domains) if (current(t, dom)?.vhost === v) edits.get(t)?.set(dom, undefined);
      }
    }
    for (const [t, m] of moves) {
      for (const v of (m as ListDiff<VirtualHost>).added) {
        stale.delete(v);
        const entry = entryFor(v, ingresses, clusters, this.#report, matchers);
        index(c, v, 1);
        for (const dom of v.domains) {
          const there = current(t, dom);
          if (there !== undefined && there.vhost !== v) return undefined;
          edits.get(t)?.set(dom, entry);
        }
      }
    }
    for (const v of stale) {
      const entry = entryFor(v, ingresses, clusters, this.#report, matchers);
      for (const t of tables) for (const dom of v.domains) if (current(t, dom)?.vhost === v) edits.get(t)?.set(dom, entry);
    }
    const hosts: Record<string, HostTable> = {};
    for (const t of tables) hosts[t] = LayeredMap.with(c.head.hosts[t] as HostTable, edits.get(t) as Map<string, HostEntry | undefined>);
    const router: Router = { snapshot, version: snapshot.version, hosts: hosts as unknown as HostTables };
    this.#chain = { ...c, head: router };
    return router;
  }
}

function index(c: Indexes, vhost: VirtualHost, delta: 1 | -1): void {
  const edit = (map: Map<string, VirtualHost[]>, key: string): void => {
    const list = map.get(key);
    if (delta > 0) {
      if (list === undefined) map.set(key, [vhost]);
      else if (!list.includes(vhost)) list.push(vhost);
    } else if (list !== undefined) {
      const i = list.indexOf(vhost);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) map.delete(key);
    }
  };
  edit(c.byIngress, vhost.ingress);
  for (const r of vhost.routes) for (const name of routeClusters(r)) edit(c.byCluster, name);
}

/** The names of the clusters a route sends to: its splits' and its mirrors'. */
function routeClusters(route: Route): string[] {
  const out: string[] = [];
  for (const f of route.filters) if (f.type === 'mirror') out.push(f.cluster);
  for (const s of route.splits) {
    if (s.cluster !== undefined) out.push(s.cluster);
    for (const f of s.filters) if (f.type === 'mirror') out.push(f.cluster);
  }
  return out;
}

/** The keys of the items that differ between two lists sorted by key (from `diff` when given); undefined when not sorted. */
function changedKeys<T>(before: readonly T[], after: readonly T[], diff: ListDiff<T> | undefined, key: (x: T) => string): Iterable<string> | undefined {
  if (before === after) return [];
  const d = diff ?? compareSorted(before, after, key);
  return d === undefined ? undefined : new Set([...d.removed, ...d.added].map(key));
}
