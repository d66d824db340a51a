// Makes each next Router of one data plane from its previous one. At 10,000 ingresses rebuilding
// the host tables takes longer than the rest of an edit, so a snapshot change recompiles only the
// virtual hosts that left or came in, and those whose clusters or ingress info are new objects;
// the host tables are the last ones with a layer of changes (store/layered.ts), so nothing of size
// 10,000 is copied or walked when the change carries the translator's diffs (snapshot/change.ts).
// Each DataPlane owns one builder: what it derives from is its own last router, never another's.
import type { SnapshotChange } from '../snapshot/change.ts';
import { compareSorted, findSorted, sortedBy, type ListDiff } from '../snapshot/list-diff.ts';
import type { Cluster, IngressInfo, KnativeListener, Snapshot, VirtualHost } from '../snapshot/types.ts';
import { LayeredMap } from '../store/layered.ts';
import { entryFor, type Lookup } from './compile-routes.ts';
import type { HostEntry, Router } from './router.ts';

/**
 * What the last router was made from. The indexes say which virtual hosts use a cluster or belong
 * to an ingress, so a new cluster or ingress info recompiles just them.
 */
interface Chain extends Indexes {
  readonly head: Router;
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

export class RouterBuilder {
  #chain: Chain | undefined;

  /** The router for `change.snapshot`: derived from the last one this builder made when possible. */
  next(change: SnapshotChange): Router {
    const derived = this.#chain !== undefined ? this.#derive(this.#chain, change) : undefined;
    return derived ?? this.#full(change.snapshot);
  }

  #full(snapshot: Snapshot): Router {
    const clusters = new Map(snapshot.clusters.map((c) => [c.name, c] as const));
    const ingresses = new Map(snapshot.ingresses.map((i) => [i.key, i] as const));
    const next: Indexes = { byCluster: new Map(), byIngress: new Map() };
    let unique = true;
    const compileHosts = (vhosts: readonly VirtualHost[]): Map<string, HostEntry> => {
      const table = new Map<string, HostEntry>();
      for (const vhost of vhosts) {
        const entry = entryFor(vhost, ingresses, clusters);
        index(next, vhost, 1);
        // The translator resolves host conflicts; the first vhost listed for a domain wins here too.
        for (const d of vhost.domains) {
          if (!table.has(d)) table.set(d, entry);
          else unique = false;
        }
      }
      return table;
    };
    const router: Router = {
      snapshot,
      version: snapshot.version,
      hosts: { external: compileHosts(snapshot.listeners.external), local: compileHosts(snapshot.listeners.local) },
    };
    // Deriving assumes each domain has one virtual host per listener (as the translator makes them).
    const derivable = unique && sortedBy(snapshot.listeners.external, byName) && sortedBy(snapshot.listeners.local, byName);
    this.#chain = derivable ? { ...next, head: router } : undefined;
    return router;
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
    if (moves.external === undefined || moves.local === undefined) return undefined;
    // Lookups for resolving only the few hosts compiled below.
    const clusters: Lookup<Cluster> = { get: (k) => findSorted(snapshot.clusters, byName, k) };
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
        const entry = entryFor(v, ingresses, clusters);
        index(c, v, 1);
        for (const dom of v.domains) {
          const there = current(l, dom);
          if (there !== undefined && there.vhost !== v) return undefined;
          edits[l].set(dom, entry);
        }
      }
    }
    for (const v of stale) {
      const entry = entryFor(v, ingresses, clusters);
      for (const l of LISTENERS) for (const dom of v.domains) if (current(l, dom)?.vhost === v) edits[l].set(dom, entry);
    }
    const hosts = { external: LayeredMap.with(c.head.hosts.external, edits.external), local: LayeredMap.with(c.head.hosts.local, edits.local) };
    const router: Router = { snapshot, version: snapshot.version, hosts };
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
  for (const r of vhost.routes) for (const s of r.splits) if (s.cluster !== undefined) edit(c.byCluster, s.cluster);
}

/** The keys of the items that differ between two lists sorted by key (from `diff` when given); undefined when not sorted. */
function changedKeys<T>(before: readonly T[], after: readonly T[], diff: ListDiff<T> | undefined, key: (x: T) => string): Iterable<string> | undefined {
  if (before === after) return [];
  const d = diff ?? compareSorted(before, after, key);
  return d === undefined ? undefined : new Set([...d.removed, ...d.added].map(key));
}
