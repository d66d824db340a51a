// What changed between two snapshots, for the status page's configuration versions: routes (by the
// object they came from, `Route.ingress`) and clusters (by name), added, removed or changed. Pure.
// Unchanged items are usually the same objects (translators cache per object), so most compare by
// identity; the rest by value. An edit handed with the snapshot's diffs looks only at the virtual
// hosts and clusters that left and came in (summarizeEdit): at 10,000 ingresses, comparing every
// route of both snapshots was a quarter of an edit's CPU.
import { isDeepStrictEqual } from 'node:util';
import type { SnapshotDiffs } from '../snapshot/change.ts';
import { findSorted } from '../snapshot/list-diff.ts';
import type { Cluster, PortListener, Route, SnapshotContent, VirtualHost } from '../snapshot/types.ts';

export interface NamedChanges {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
  /** how many there were of each (added, removed, changed) when the lists above are cut short */
  readonly counts?: readonly [number, number, number];
}

export interface ChangeSummary {
  readonly routes: NamedChanges;
  readonly clusters: NamedChanges;
}

type Lists = Pick<SnapshotContent, 'listeners' | 'ports' | 'clusters'>;

/** The routes of every listener, grouped by the object each came from, in match order. */
export function routesByOwner(s: Lists): Map<string, Route[]> {
  const out = new Map<string, Route[]>();
  const hosts = [...s.listeners.external, ...s.listeners.local, ...s.ports.flatMap((p) => p.virtualHosts)];
  for (const vh of hosts) {
    for (const r of vh.routes) {
      let list = out.get(r.ingress);
      if (list === undefined) out.set(r.ingress, (list = []));
      list.push(r);
    }
  }
  return out;
}

/** How `next` differs from `prev` (undefined: the first version, everything added). */
export function summarizeChange(prev: Lists | undefined, next: Lists): ChangeSummary {
  const clusters = (s: Lists | undefined) => new Map<string, Cluster>((s?.clusters ?? []).map((c) => [c.name, c]));
  return {
    routes: compare(prev === undefined ? new Map() : routesByOwner(prev), routesByOwner(next), sameRoutes),
    clusters: compare(clusters(prev), clusters(next), (a, b) => a === b || isDeepStrictEqual(a, b)),
  };
}

function sameRoutes(a: readonly Route[], b: readonly Route[]): boolean {
  return a.length === b.length && a.every((r, i) => r === b[i] || isDeepStrictEqual(r, b[i]));
}

function compare<T>(before: ReadonlyMap<string, T>, after: ReadonlyMap<string, T>, same: (a: T, b: T) => boolean): NamedChanges {
  const added: string[] = [];
  const removed: string[] = [];
  const changed: string[] = [];
  for (const [name, item] of after) {
    const old = before.get(name);
    if (old === undefined) added.push(name);
    else if (!same(old, item)) changed.push(name);
  }
  for (const name of before.keys()) if (!after.has(name)) removed.push(name);
  return { added: added.sort(), removed: removed.sort(), changed: changed.sort() };
}

/** How many virtual hosts hold routes of each owner, kept up to date from diffs: whether an owner is still served, without a walk. */
export class RouteOwners {
  readonly #counts = new Map<string, number>();

  static of(s: Lists): RouteOwners {
    const owners = new RouteOwners();
    for (const vh of hostsOf(s)) owners.count(vh, 1);
    return owners;
  }

  has(owner: string): boolean {
    return this.#counts.has(owner);
  }

  count(vh: VirtualHost, by: 1 | -1): void {
    for (const owner of new Set(vh.routes.map((r) => r.ingress))) {
      const n = (this.#counts.get(owner) ?? 0) + by;
      if (n <= 0) this.#counts.delete(owner);
      else this.#counts.set(owner, n);
    }
  }
}

const hostsOf = (s: Lists): VirtualHost[] => [...s.listeners.external, ...s.listeners.local, ...s.ports.flatMap((p) => p.virtualHosts)];
const byName = (x: { readonly name: string }): string => x.name;

/** The items of a diff's list that really are in `list` (a diff may name items added and removed again in between). */
function inList<T extends { readonly name: string }>(items: readonly T[], list: readonly T[]): T[] {
  return items.filter((x) => findSorted(list, byName, x.name) === x);
}

/** The virtual hosts of `prev` that left and of `next` that came in, by listener, as `diffs` say. */
function touchedHosts(prev: Lists, next: Lists, diffs: SnapshotDiffs): { left: Map<string, VirtualHost>; came: Map<string, VirtualHost> } {
  const left = new Map<string, VirtualHost>();
  const came = new Map<string, VirtualHost>();
  const side = (listener: string, removed: readonly VirtualHost[], added: readonly VirtualHost[], before: readonly VirtualHost[], after: readonly VirtualHost[]): void => {
    for (const vh of inList(removed, before)) if (findSorted(after, byName, vh.name) !== vh) left.set(`${listener}\u0000${vh.name}`, vh);
    for (const vh of inList(added, after)) if (findSorted(before, byName, vh.name) !== vh) came.set(`${listener}\u0000${vh.name}`, vh);
  };
  side('external', diffs.external.removed, diffs.external.added, prev.listeners.external, next.listeners.external);
  side('local', diffs.local.removed, diffs.local.added, prev.listeners.local, next.listeners.local);
  // A port that changed is a short list of hosts: each of them counts as left and came in.
  const ports = (removed: readonly PortListener[], added: readonly PortListener[]): void => {
    for (const p of inList(removed, prev.ports)) if (findSorted(next.ports, byName, p.name) !== p) for (const vh of p.virtualHosts) left.set(`${p.name}\u0000${vh.name}`, vh);
    for (const p of inList(added, next.ports)) if (findSorted(prev.ports, byName, p.name) !== p) for (const vh of p.virtualHosts) came.set(`${p.name}\u0000${vh.name}`, vh);
  };
  ports(diffs.ports.removed, diffs.ports.added);
  return { left, came };
}

/** Each owner's routes in these hosts, by host. */
function routesIn(hosts: ReadonlyMap<string, VirtualHost>): Map<string, Map<string, Route[]>> {
  const out = new Map<string, Map<string, Route[]>>();
  for (const [host, vh] of hosts) {
    for (const r of vh.routes) {
      let byHost = out.get(r.ingress);
      if (byHost === undefined) out.set(r.ingress, (byHost = new Map()));
      let list = byHost.get(host);
      if (list === undefined) byHost.set(host, (list = []));
      list.push(r);
    }
  }
  return out;
}

/**
 * How `next` differs from `prev`, from the diffs that made one from the other: only the virtual hosts
 * and clusters that left or came in are read (an owner's routes elsewhere are the same objects in both).
 * `owners` is `prev`'s and is brought up to `next`. The same answer as summarizeChange.
 */
export function summarizeEdit(prev: Lists, next: Lists, diffs: SnapshotDiffs, owners: RouteOwners): ChangeSummary {
  const { left, came } = touchedHosts(prev, next, diffs);
  const before = routesIn(left);
  const after = routesIn(came);
  const existed = new Map<string, boolean>();
  for (const owner of [...before.keys(), ...after.keys()]) existed.set(owner, owners.has(owner));
  for (const vh of left.values()) owners.count(vh, -1);
  for (const vh of came.values()) owners.count(vh, 1);
  const routes = { added: [] as string[], removed: [] as string[], changed: [] as string[] };
  for (const [owner, was] of existed) {
    const is = owners.has(owner);
    if (!was && is) routes.added.push(owner);
    else if (was && !is) routes.removed.push(owner);
    else if (was && is && !sameHosts(before.get(owner), after.get(owner))) routes.changed.push(owner);
  }
  const clusters = (items: readonly Cluster[], list: readonly Cluster[]) => new Map(inList(items, list).map((c) => [c.name, c]));
  const gone = clusters(diffs.clusters.removed, prev.clusters);
  const came2 = clusters(diffs.clusters.added, next.clusters);
  for (const [name, c] of gone) {
    if (came2.get(name) !== c) continue;
    gone.delete(name);
    came2.delete(name);
  }
  return {
    routes: { added: routes.added.sort(), removed: routes.removed.sort(), changed: routes.changed.sort() },
    clusters: compare(gone, came2, (a, b) => isDeepStrictEqual(a, b)),
  };
}

/** An owner's routes in the hosts that left and in those that came in: the same hosts, with equal routes. */
function sameHosts(a: ReadonlyMap<string, Route[]> | undefined, b: ReadonlyMap<string, Route[]> | undefined): boolean {
  if ((a?.size ?? 0) !== (b?.size ?? 0)) return false;
  for (const [host, routes] of a ?? []) {
    const other = b?.get(host);
    if (other === undefined || !sameRoutes(routes, other)) return false;
  }
  return true;
}
