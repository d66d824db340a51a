// Makes each next Router of one data plane from its previous one. At 10,000 ingresses rebuilding
// the host tables takes longer than the rest of an edit, so a snapshot change recompiles only the
// virtual hosts that left or came in, and those whose clusters or ingress info are new objects;
// the host tables are the last ones with a layer of changes (store/layered.ts), so nothing of size
// 10,000 is copied or walked when the change carries the translator's diffs (snapshot/change.ts).
// Each DataPlane owns one builder: what it derives from is its own last router, never another's.
import type { SnapshotChange } from '../snapshot/change.ts';
import { compareSorted, findSorted, sortedBy, type ListDiff } from '../snapshot/list-diff.ts';
import type { Cluster, IngressInfo, KnativeListener, PortListener, Route, Snapshot, VirtualHost } from '../snapshot/types.ts';
import { LayeredMap } from '../store/layered.ts';
import { entryFor, type Lookup } from './compile-routes.ts';
import type { ReportProblem } from './match.ts';
import type { HostEntry, HostTable, HostTables, Router } from './router.ts';

/**
 * What the last router was made from. The indexes say which virtual hosts use a cluster or belong
 * to an ingress, so a new cluster or ingress info recompiles just them.
 */
interface Chain extends Indexes {
  readonly head: Router;
  /** what the port listeners' tables resolved: a change to one of these rebuilds them */
  readonly portClusters: ReadonlySet<string>;
  readonly portIngresses: ReadonlySet<string>;
}

interface Indexes {
  /** cluster name -> virtual hosts (both listeners) whose routes use it (small lists: arrays, not sets) */
  readonly byCluster: Map<string, VirtualHost[]>;
  /** ingress key -> its virtual hosts (both listeners) */
  readonly byIngress: Map<string, VirtualHost[]>;
}

const LISTENERS = ['external', 'local'] as const;
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
    const compileHosts = (vhosts: readonly VirtualHost[]): Map<string, HostEntry> => {
      const table = new Map<string, HostEntry>();
      for (const vhost of vhosts) {
        const entry = entryFor(vhost, ingresses, clusters, this.#report);
        index(next, vhost, 1);
        // The translator resolves host conflicts; the first vhost listed for a domain wins here too.
        for (const d of vhost.domains) {
          if (!table.has(d)) table.set(d, entry);
          else unique = false;
        }
      }
      return table;
    };
    const ports = this.#portTables(snapshot.ports, ingresses, clusters);
    const router: Router = {
      snapshot,
      version: snapshot.version,
      hosts: { ...ports.tables, external: compileHosts(snapshot.listeners.external), local: compileHosts(snapshot.listeners.local) },
    };
    // Deriving assumes each domain has one virtual host per listener (as the translator makes them).
    const derivable = unique && sortedBy(snapshot.listeners.external, byName) && sortedBy(snapshot.listeners.local, byName) && sortedBy(snapshot.ports, byName);
    this.#chain = derivable ? { ...next, head: router, portClusters: ports.clusters, portIngresses: ports.ingresses } : undefined;
    return router;
  }

  /** The snapshot's clusters, and the function calls' under their reserved names (functions/calls.ts). */
  #withFunctions(clusters: Lookup<Cluster>): Lookup<Cluster> {
    const functions = this.#functions;
    if (functions === undefined) return clusters;
    return { get: (k) => functions.get(k) ?? clusters.get(k) };
  }

  /**
   * A host table per port listener, compiled in full: a port list is short, and its virtual hosts
   * share compiled routes with the last tables (compile-routes.ts) when their clusters are the same.
   */
  #portTables(ports: readonly PortListener[], ingresses: Lookup<IngressInfo>, clusters: Lookup<Cluster>): { tables: Record<string, HostTable>; clusters: Set<string>; ingresses: Set<string> } {
    const out = { tables: {} as Record<string, HostTable>, clusters: new Set<string>(), ingresses: new Set<string>() };
    for (const port of ports) {
      // Knative's listeners keep their names; a port listener cannot take one over.
      if (port.name === 'external' || port.name === 'local') continue;
      const table = new Map<string, HostEntry>();
      for (const vhost of port.virtualHosts) {
        const entry = entryFor(vhost, ingresses, clusters, this.#report);
        out.ingresses.add(vhost.ingress);
        for (const r of vhost.routes) for (const name of routeClusters(r)) out.clusters.add(name);
        for (const d of vhost.domains) if (!table.has(d)) table.set(d, entry);
      }
      out.tables[port.name] = table;
    }
    return out;
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
    const moves = {
      external: d?.external ?? compareSorted(prev.listeners.external, snapshot.listeners.external, byName),
      local: d?.local ?? compareSorted(prev.listeners.local, snapshot.listeners.local, byName),
    };
    const portMoves = d?.ports ?? compareSorted(prev.ports, snapshot.ports, byName);
    if (moves.external === undefined || moves.local === undefined || portMoves === undefined) return undefined;
    // Lookups for resolving only the few hosts compiled below.
    const clusters = this.#withFunctions({ get: (k) => findSorted(snapshot.clusters, byName, k) });
    const ingresses: Lookup<IngressInfo> = { get: (k) => findSorted(snapshot.ingresses, byKey, k) };
    const stale = new Set<VirtualHost>();
    for (const name of changedClusters) for (const v of c.byCluster.get(name) ?? []) stale.add(v);
    for (const key of changedInfos) for (const v of c.byIngress.get(key) ?? []) stale.add(v);
    const edits = { external: new Map<string, HostEntry | undefined>(), local: new Map<string, HostEntry | undefined>() };
    const current = (l: KnativeListener, dom: string): HostEntry | undefined => (edits[l].has(dom) ? edits[l].get(dom) : c.head.hosts[l].get(dom));
    for (const l of LISTENERS) {
      for (const v of (moves[l] as ListDiff<VirtualHost>).removed) {
        stale.delete(v);
        index(c, v, -1);
        for (const dom of v.domains) if (current(l, dom)?.vhost === v) edits[l].set(dom, undefined);
      }
    }
    for (const l of LISTENERS) {
      for (const v of (moves[l] as ListDiff<VirtualHost>).added) {
        stale.delete(v);
        const entry = entryFor(v, ingresses, clusters, this.#report);
        index(c, v, 1);
        for (const dom of v.domains) {
          const there = current(l, dom);
          if (there !== undefined && there.vhost !== v) return undefined;
          edits[l].set(dom, entry);
        }
      }
    }
    for (const v of stale) {
      const entry = entryFor(v, ingresses, clusters, this.#report);
      for (const l of LISTENERS) for (const dom of v.domains) if (current(l, dom)?.vhost === v) edits[l].set(dom, entry);
    }
    // Port tables are rebuilt when their list or anything they resolved changed, else kept as they are.
    let ports = { tables: portTablesOf(c.head.hosts), clusters: c.portClusters, ingresses: c.portIngresses };
    const portsStale = portMoves.removed.length > 0 || portMoves.added.length > 0 || some(changedClusters, c.portClusters) || some(changedInfos, c.portIngresses);
    if (portsStale) ports = this.#portTables(snapshot.ports, ingresses, clusters);
    const hosts: HostTables = { ...ports.tables, external: LayeredMap.with(c.head.hosts.external, edits.external), local: LayeredMap.with(c.head.hosts.local, edits.local) };
    const router: Router = { snapshot, version: snapshot.version, hosts };
    this.#chain = { ...c, head: router, portClusters: ports.clusters, portIngresses: ports.ingresses };
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

function portTablesOf(hosts: HostTables): Record<string, HostTable> {
  const out: Record<string, HostTable> = {};
  for (const [name, table] of Object.entries(hosts)) if (name !== 'external' && name !== 'local' && table !== undefined) out[name] = table;
  return out;
}

function some(keys: Iterable<string>, set: ReadonlySet<string>): boolean {
  if (set.size === 0) return false;
  for (const k of keys) if (set.has(k)) return true;
  return false;
}

/** The keys of the items that differ between two lists sorted by key (from `diff` when given); undefined when not sorted. */
function changedKeys<T>(before: readonly T[], after: readonly T[], diff: ListDiff<T> | undefined, key: (x: T) => string): Iterable<string> | undefined {
  if (before === after) return [];
  const d = diff ?? compareSorted(before, after, key);
  return d === undefined ? undefined : new Set([...d.removed, ...d.added].map(key));
}
