// Compiles a Snapshot into lookup structures for the data plane. Runs once per snapshot swap,
// never per request: host tables are Maps, header matchers are flat arrays, split pickers are
// cumulative percent tables.
import type { Cluster, HeaderPair, IngressInfo, ListenerKind, Route, Snapshot, VirtualHost } from '../snapshot/types.ts';

export interface CompiledSplit {
  readonly cluster: Cluster;
  /** upper bound (exclusive) of this split on the 0..100 line */
  readonly upTo: number;
  readonly appendHeaders: readonly HeaderPair[];
}

export interface CompiledRoute {
  readonly route: Route;
  readonly pathPrefix: string;
  /** lower-case names and exact values; all must match */
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
 * Compiled entries by virtual host object. The translator keeps unchanged virtual hosts as the same
 * objects across snapshots, so an edit to one ingress among thousands recompiles only its own hosts.
 */
const compiled = new WeakMap<VirtualHost, HostEntry>();

export function compileRouter(snapshot: Snapshot): Router {
  const clusters = new Map(snapshot.clusters.map((c) => [c.name, c] as const));
  const ingresses = new Map(snapshot.ingresses.map((i) => [i.key, i] as const));
  const compileHosts = (vhosts: readonly VirtualHost[]): Map<string, HostEntry> => {
    const table = new Map<string, HostEntry>();
    for (const vhost of vhosts) {
      const ingress = ingresses.get(vhost.ingress);
      let entry = compiled.get(vhost);
      // A cached entry is reused only if what it resolved is still the same: the ingress info
      // (hash, httpOption) and every cluster object (endpoints change without the vhost changing).
      if (!entry || entry.ingress !== ingress || !sameClusters(entry, clusters)) {
        entry = { vhost, ingress, routes: vhost.routes.map((r) => compileRoute(r, clusters)) };
        compiled.set(vhost, entry);
      }
      // The translator resolves host conflicts; the first vhost listed for a domain wins here too.
      for (const d of vhost.domains) if (!table.has(d)) table.set(d, entry);
    }
    return table;
  };
  return {
    snapshot,
    version: snapshot.version,
    hosts: { external: compileHosts(snapshot.listeners.external), local: compileHosts(snapshot.listeners.local) },
  };
}

function sameClusters(entry: HostEntry, clusters: ReadonlyMap<string, Cluster>): boolean {
  for (const r of entry.routes) for (const sp of r.splits) if (clusters.get(sp.cluster.name) !== sp.cluster) return false;
  return true;
}

function compileRoute(route: Route, clusters: ReadonlyMap<string, Cluster>): CompiledRoute {
  let acc = 0;
  const splits = route.splits.map((s): CompiledSplit => {
    acc += s.percent;
    const cluster = clusters.get(s.cluster) ?? { name: s.cluster, protocol: 'http1', type: 'static', endpoints: [] };
    return { cluster, upTo: acc, appendHeaders: s.appendHeaders };
  });
  return {
    route,
    pathPrefix: route.pathPrefix,
    headerNames: route.headers.map((h) => h.name),
    headerValues: route.headers.map((h) => h.exact),
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

/** Routes in order; a route matches when its prefix matches and every header matches exactly. */
export function matchRoute(entry: HostEntry, path: string, raw: readonly string[]): CompiledRoute | undefined {
  for (const r of entry.routes) {
    if (!path.startsWith(r.pathPrefix)) continue;
    let ok = true;
    for (let i = 0; i < r.headerNames.length; i++) {
      if (rawHeader(raw, r.headerNames[i]!) !== r.headerValues[i]) {
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
