// What changed between two snapshots, for the status page's configuration versions: routes (by the
// object they came from, `Route.ingress`) and clusters (by name), added, removed or changed. Pure.
// Unchanged items are usually the same objects (translators cache per object), so most compare by
// identity; the rest by value.
import { isDeepStrictEqual } from 'node:util';
import type { Cluster, Route, SnapshotContent } from '../snapshot/types.ts';

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
