// What one configuration version changed, for the status page's history (ui-history.ts), found
// from the translator's diffs (snapshot/change.ts): only the virtual hosts and clusters that came
// and went are read. Comparing every route of two snapshots (ui-diff.ts) cost tens of milliseconds
// per edit at 10,000 ingresses, on the event loop that serves the edit; it stays the answer when
// no diffs are known (the first version, a translation that started over).
import { isDeepStrictEqual } from 'node:util';
import type { SnapshotDiffs } from '../snapshot/change.ts';
import { findSorted, type ListDiff } from '../snapshot/list-diff.ts';
import type { Cluster, Route, Snapshot, VirtualHost } from '../snapshot/types.ts';
import { type ChangeSummary, type NamedChanges, routesByOwner, summarizeChange } from './ui-diff.ts';

const byName = (x: { readonly name: string }): string => x.name;

/** Routes per owner (`Route.ingress`) of the snapshot last summarized: whether an owner still has any. */
export class RouteOwners {
  #count = new Map<string, number>();

  /** The change from `previous` to `next`, and the counts moved to `next`. */
  summarize(previous: Snapshot | undefined, next: Snapshot, diffs: SnapshotDiffs | undefined): ChangeSummary {
    if (previous === undefined || diffs === undefined) {
      this.#count = new Map([...routesByOwner(next)].map(([owner, routes]) => [owner, routes.length]));
      return summarizeChange(previous, next);
    }
    return { routes: this.#routes(previous, next, diffs), clusters: clusterChanges(previous.clusters, next.clusters, diffs.clusters) };
  }

  #routes(previous: Snapshot, next: Snapshot, diffs: SnapshotDiffs): NamedChanges {
    const lists = [
      [previous.listeners.external, next.listeners.external, diffs.external],
      [previous.listeners.local, next.listeners.local, diffs.local],
    ] as const;
    const gone: VirtualHost[] = [];
    const came: VirtualHost[] = [];
    for (const [before, after, d] of lists) {
      const [r, a] = truly(before, after, d);
      gone.push(...r);
      came.push(...a);
    }
    const [portsGone, portsCame] = truly(previous.ports, next.ports, diffs.ports);
    for (const p of portsGone) gone.push(...p.virtualHosts);
    for (const p of portsCame) came.push(...p.virtualHosts);
    const before = routesByOwner(listsOf(gone));
    const after = routesByOwner(listsOf(came));
    const had = new Map<string, boolean>();
    for (const owner of new Set([...before.keys(), ...after.keys()])) had.set(owner, (this.#count.get(owner) ?? 0) > 0);
    for (const [owner, routes] of before) this.#add(owner, -routes.length);
    for (const [owner, routes] of after) this.#add(owner, routes.length);
    const added: string[] = [];
    const removed: string[] = [];
    const changed: string[] = [];
    for (const [owner, was] of had) {
      const is = (this.#count.get(owner) ?? 0) > 0;
      if (!was && is) added.push(owner);
      else if (was && !is) removed.push(owner);
      else if (was && !sameRoutes(before.get(owner) ?? [], after.get(owner) ?? [])) changed.push(owner);
    }
    return { added: added.sort(), removed: removed.sort(), changed: changed.sort() };
  }

  #add(owner: string, n: number): void {
    const c = (this.#count.get(owner) ?? 0) + n;
    if (c > 0) this.#count.set(owner, c);
    else this.#count.delete(owner);
  }
}

/**
 * The items of a diff really gone from `before` and really new in `after` (a diff may also hold
 * items that were in neither, or in both: list-diff.ts), sorted by name, found by binary search.
 */
function truly<T extends { readonly name: string }>(before: readonly T[], after: readonly T[], d: ListDiff<T>): [T[], T[]] {
  const gone = d.removed.filter((x) => findSorted(before, byName, x.name) === x && findSorted(after, byName, x.name) !== x);
  const came = d.added.filter((x) => findSorted(after, byName, x.name) === x && findSorted(before, byName, x.name) !== x);
  const order = (a: T, b: T): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return [gone.sort(order), came.sort(order)];
}

function listsOf(hosts: readonly VirtualHost[]): Parameters<typeof routesByOwner>[0] {
  return { listeners: { external: hosts, local: [] }, ports: [], clusters: [] } as unknown as Parameters<typeof routesByOwner>[0];
}

function sameRoutes(a: readonly Route[], b: readonly Route[]): boolean {
  return a.length === b.length && a.every((r, i) => r === b[i] || isDeepStrictEqual(r, b[i]));
}

function clusterChanges(before: readonly Cluster[], after: readonly Cluster[], d: ListDiff<Cluster>): NamedChanges {
  const [gone, came] = truly(before, after, d);
  const goneByName = new Map(gone.map((c) => [c.name, c]));
  const added: string[] = [];
  const changed: string[] = [];
  for (const c of came) {
    const old = goneByName.get(c.name);
    goneByName.delete(c.name);
    if (old === undefined) added.push(c.name);
    else if (!isDeepStrictEqual(old, c)) changed.push(c.name);
  }
  return { added, removed: [...goneByName.keys()], changed };
}
