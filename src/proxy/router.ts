// Compiles a Snapshot into lookup structures for the data plane. Runs once per snapshot swap,
// never per request: host tables are Maps, header matchers are flat arrays, split pickers are
// cumulative percent tables.
import { diffSince, type ListDiff } from '../snapshot/list-diff.ts';
import type { Cluster, HeaderPair, IngressInfo, ListenerKind, Route, Snapshot, Split, VirtualHost } from '../snapshot/types.ts';
import { LayeredMap } from '../store/layered.ts';

export interface CompiledSplit {
  readonly cluster: Cluster;
  /** upper bound (exclusive) of this split on the 0..100 line */
  readonly upTo: number;
  readonly appendHeaders: readonly HeaderPair[];
}

export interface CompiledRoute {
  readonly route: Route;
  readonly pathPrefix: string;
  /** lower-case names and exact values (empty: the header must be present); all must match */
  readonly headerNames: readonly string[];
  readonly headerValues: readonly string[];
  readonly splits: readonly CompiledSplit[];
}

export interface HostEntry {
  readonly vhost: VirtualHost;
  readonly ingress: IngressInfo | undefined;
  readonly routes: readonly CompiledRoute[];
}

export interface Router {
  readonly snapshot: Snapshot;
  readonly version: number;
  readonly hosts: Readonly<Record<ListenerKind, ReadonlyMap<string, HostEntry>>>;
}

/**
 * What the last compiled router was made from, to derive the next one from it: at 10,000 ingresses
 * rebuilding the host tables takes longer than the rest of an edit. The indexes say which virtual
 * hosts use a cluster or belong to an ingress, so a new cluster or ingress info recompiles just them.
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

let chain: Chain | undefined;

/** Virtual hosts that left and came in between two snapshots. */
type Moves = Pick<ListDiff<VirtualHost>, 'removed' | 'added'>;

/** The one thing compiling needs of a map: a Map, or a binary search over a sorted list. */
interface Lookup<T> {
  get(key: string): T | undefined;
}

export function compileRouter(snapshot: Snapshot): Router {
  const derived = chain !== undefined ? derive(chain, snapshot) : undefined;
  return derived ?? compileFull(snapshot);
}

function compileFull(snapshot: Snapshot): Router {
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
  chain = unique && sortedBy(snapshot.listeners.external, (v) => v.name) && sortedBy(snapshot.listeners.local, (v) => v.name) ? { ...next, head: router } : undefined;
  return router;
}

/**
 * The compiled entry for `vhost`. Entries of unchanged virtual hosts are carried from one router to
 * the next (derive); a new entry shares the compiled route list of any virtual host with the same
 * routes whose clusters are unchanged (compileRoutes).
 */
function entryFor(vhost: VirtualHost, ingresses: Lookup<IngressInfo>, clusters: Lookup<Cluster>): HostEntry {
  return { vhost, ingress: ingresses.get(vhost.ingress), routes: compileRoutes(vhost.routes, clusters) };
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
  for (const r of vhost.routes) for (const s of r.splits) edit(c.byCluster, s.cluster);
}

/**
 * The router for `snapshot` made from the last one: virtual hosts that are new objects, and those
 * whose clusters or ingress info are new objects, are compiled; the host tables are the last ones
 * with a layer of changes (store/layered.ts), so nothing of size 10,000 is copied or walked when the
 * translator recorded what changed (snapshot/list-diff.ts). Undefined when the snapshot does not fit
 * (unsorted lists, a domain claimed twice): compile in full.
 */
function derive(c: Chain, snapshot: Snapshot): Router | undefined {
  const prev = c.head.snapshot;
  const changedClusters = changedKeys(prev.clusters, snapshot.clusters, (x) => x.name);
  const changedInfos = changedKeys(prev.ingresses, snapshot.ingresses, (x) => x.key);
  if (changedClusters === undefined || changedInfos === undefined) return undefined;
  const listeners = ['external', 'local'] as const;
  const diffs = { external: listDiff(prev.listeners.external, snapshot.listeners.external), local: listDiff(prev.listeners.local, snapshot.listeners.local) };
  if (diffs.external === undefined || diffs.local === undefined) return undefined;
  // Lookups for resolving only the few hosts compiled below.
  const clusters = lazyIndex(snapshot.clusters, (x) => x.name);
  const ingresses = lazyIndex(snapshot.ingresses, (x) => x.key);
  const stale = new Set<VirtualHost>();
  for (const name of changedClusters) for (const v of c.byCluster.get(name) ?? []) stale.add(v);
  for (const key of changedInfos) for (const v of c.byIngress.get(key) ?? []) stale.add(v);
  const edits = { external: new Map<string, HostEntry | undefined>(), local: new Map<string, HostEntry | undefined>() };
  const current = (l: ListenerKind, d: string): HostEntry | undefined => (edits[l].has(d) ? edits[l].get(d) : c.head.hosts[l].get(d));
  for (const l of listeners) {
    for (const v of (diffs[l] as Moves).removed) {
      stale.delete(v);
      index(c, v, -1);
      for (const d of v.domains) if (current(l, d)?.vhost === v) edits[l].set(d, undefined);
    }
  }
  for (const l of listeners) {
    for (const v of (diffs[l] as Moves).added) {
      stale.delete(v);
      const entry = entryFor(v, ingresses, clusters);
      index(c, v, 1);
      for (const d of v.domains) {
        const there = current(l, d);
        if (there !== undefined && there.vhost !== v) return undefined;
        edits[l].set(d, entry);
      }
    }
  }
  for (const v of stale) {
    const entry = entryFor(v, ingresses, clusters);
    for (const l of listeners) for (const d of v.domains) if (current(l, d)?.vhost === v) edits[l].set(d, entry);
  }
  const hosts = { external: LayeredMap.with(c.head.hosts.external, edits.external), local: LayeredMap.with(c.head.hosts.local, edits.local) };
  const router: Router = { snapshot, version: snapshot.version, hosts };
  chain = { ...c, head: router };
  return router;
}

/** The keys of the items that differ between two lists sorted by key; undefined when not sorted. */
function changedKeys<T extends object>(before: readonly T[], after: readonly T[], key: (x: T) => string): Iterable<string> | undefined {
  if (before === after) return [];
  const d = diffSince(before, after);
  if (d === undefined) return changedNames(before, after, key);
  return new Set([...d.removed, ...d.added].map(key));
}

/** The virtual hosts removed and added, as recorded by the translator, or else found by comparing. */
function listDiff(before: readonly VirtualHost[], after: readonly VirtualHost[]): Moves | undefined {
  if (before === after) return { removed: [], added: [] };
  return diffSince(before, after) ?? diffVhosts(before, after);
}

/** Keys whose object differs between two lists sorted by key; undefined when either is not sorted. */
function changedNames<T>(before: readonly T[], after: readonly T[], key: (x: T) => string): string[] | undefined {
  if (!sortedBy(after, key)) return undefined;
  const out: string[] = [];
  walkChanged(before, after, key, (_gone, _came, k) => out.push(k));
  return out;
}

/** Virtual hosts gone from `before` and new in `after` (by object); undefined when not sorted by name. */
function diffVhosts(before: readonly VirtualHost[], after: readonly VirtualHost[]): Moves | undefined {
  if (!sortedBy(after, (v) => v.name)) return undefined;
  const removed: VirtualHost[] = [];
  const added: VirtualHost[] = [];
  walkChanged(before, after, (v) => v.name, (gone, came) => {
    if (gone !== undefined) removed.push(gone);
    if (came !== undefined) added.push(came);
  });
  return { removed, added };
}

/**
 * One merge walk over two lists sorted by key: `visit` is called once per key whose object differs,
 * with the old object (undefined if the key is new) and the new one (undefined if it is gone).
 */
function walkChanged<T>(before: readonly T[], after: readonly T[], key: (x: T) => string, visit: (gone: T | undefined, came: T | undefined, k: string) => void): void {
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    const a = before[i];
    const b = after[j];
    if (a !== undefined && a === b) {
      i++;
      j++;
      continue;
    }
    const ka = a === undefined ? undefined : key(a);
    const kb = b === undefined ? undefined : key(b);
    const k = kb === undefined || (ka !== undefined && ka < kb) ? (ka as string) : kb;
    visit(ka === k ? a : undefined, kb === k ? b : undefined, k);
    if (ka === k) i++;
    if (kb === k) j++;
  }
}

/** Strictly increasing keys (so also unique). */
function sortedBy<T>(items: readonly T[], key: (x: T) => string): boolean {
  for (let i = 1; i < items.length; i++) if (key(items[i - 1] as T) >= key(items[i] as T)) return false;
  return true;
}

/** A lookup over a list sorted by key, by binary search (no map of 20,000 entries per edit). */
function lazyIndex<T>(items: readonly T[], key: (x: T) => string): Lookup<T> {
  const get = (k: string): T | undefined => {
    let lo = 0;
    let hi = items.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const km = key(items[mid] as T);
      if (km === k) return items[mid];
      if (km < k) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  };
  return { get };
}


// The translator shares route lists (an ingress's public and cluster-local rules usually have the
// same paths) and split lists (its paths usually split the same way); compiled lists are shared the
// same way, as long as the clusters they resolved are still the ones in the snapshot.
const compiledRoutes = new WeakMap<readonly Route[], readonly CompiledRoute[]>();
const compiledSplits = new WeakMap<readonly Split[], readonly CompiledSplit[]>();
const NO_HEADERS: readonly string[] = Object.freeze([]);

function current(splits: readonly CompiledSplit[], clusters: Lookup<Cluster>): boolean {
  for (const sp of splits) if (clusters.get(sp.cluster.name) !== sp.cluster) return false;
  return true;
}

function compileRoutes(routes: readonly Route[], clusters: Lookup<Cluster>): readonly CompiledRoute[] {
  let out = compiledRoutes.get(routes);
  if (out === undefined || !out.every((r) => current(r.splits, clusters))) {
    out = routes.map((r) => compileRoute(r, clusters));
    compiledRoutes.set(routes, out);
  }
  return out;
}

function compileRoute(route: Route, clusters: Lookup<Cluster>): CompiledRoute {
  let splits = compiledSplits.get(route.splits);
  if (splits === undefined || !current(splits, clusters)) {
    let acc = 0;
    splits = route.splits.map((s): CompiledSplit => {
      acc += s.percent;
      const cluster = clusters.get(s.cluster) ?? { name: s.cluster, protocol: 'http1', type: 'static', endpoints: [] };
      return { cluster, upTo: acc, appendHeaders: s.appendHeaders };
    });
    compiledSplits.set(route.splits, splits);
  }
  return {
    route,
    pathPrefix: route.pathPrefix,
    headerNames: route.headers.length === 0 ? NO_HEADERS : route.headers.map((h) => h.name),
    headerValues: route.headers.length === 0 ? NO_HEADERS : route.headers.map((h) => h.exact),
    splits,
  };
}

/** Finds the first header value by lower-case name in a raw [name, value, ...] array. */
export function rawHeader(raw: readonly string[], lowerName: string): string | undefined {
  for (let i = 0; i < raw.length; i += 2) {
    const n = raw[i]!;
    if (n.length === lowerName.length && n.toLowerCase() === lowerName) return raw[i + 1];
  }
  return undefined;
}

/** Routes in order; a route matches when its prefix matches and every header matches exactly (or, for an empty value, is present). */
export function matchRoute(entry: HostEntry, path: string, raw: readonly string[]): CompiledRoute | undefined {
  for (const r of entry.routes) {
    if (!path.startsWith(r.pathPrefix)) continue;
    let ok = true;
    for (let i = 0; i < r.headerNames.length; i++) {
      const value = rawHeader(raw, r.headerNames[i]!);
      // An empty exact value means "present", as net-kourier writes it (an Envoy matcher with no value).
      const want = r.headerValues[i]!;
      if (want === '' ? value === undefined : value !== want) {
        ok = false;
        break;
      }
    }
    if (ok) return r;
  }
  return undefined;
}

/** Picks a split by percent; `roll` is uniform in [0, 100). */
export function pickSplit(route: CompiledRoute, roll: number): CompiledSplit | undefined {
  const splits = route.splits;
  for (let i = 0; i < splits.length; i++) if (roll < splits[i]!.upTo) return splits[i];
  // Percents that sum below 100 (not valid input) fall to the last split rather than failing.
  return splits[splits.length - 1];
}

/** `Host`/`:authority` lower-cased with the port removed (IPv6 literals keep their brackets). */
export function normalizeHost(host: string | undefined): string {
  if (!host) return '';
  let h = host;
  if (h.charCodeAt(0) === 91 /* [ */) {
    const end = h.indexOf(']');
    h = end >= 0 ? h.slice(0, end + 1) : h;
  } else {
    const colon = h.lastIndexOf(':');
    if (colon >= 0) h = h.slice(0, colon);
  }
  if (h.endsWith('.')) h = h.slice(0, -1);
  return h.toLowerCase();
}
