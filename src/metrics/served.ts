// Which metric names a snapshot swap may have left without anything served: the routes' objects
// (`ingress` labels) and clusters (`cluster` labels) of what the swap removed and did not add
// back, from the swap's diffs (so a swap costs what it changed, not the size of the config); and
// whether a name is still served, answered by a binary search for clusters and, for routes, by
// one walk of the snapshot made only when a name with series needs it.
import { FUNCTION_CLUSTER_PREFIX } from '../functions/calls.ts';
import type { SnapshotChange } from '../snapshot/change.ts';
import { findSorted } from '../snapshot/list-diff.ts';
import type { Snapshot, VirtualHost } from '../snapshot/types.ts';

export interface ServedNames {
  ingress(name: string): boolean;
  cluster(name: string): boolean;
}

export interface GoneNames {
  readonly ingresses: ReadonlySet<string>;
  readonly clusters: ReadonlySet<string>;
}

function hostNames(hosts: Iterable<VirtualHost>, into: Set<string>): Set<string> {
  for (const vh of hosts) {
    into.add(vh.ingress);
    for (const r of vh.routes) into.add(r.ingress);
  }
  return into;
}

/** Names the swap took away (some may still be served elsewhere); undefined: not known, check all. */
export function maybeGone(change: SnapshotChange): GoneNames | undefined {
  const d = change.diffs;
  if (d === undefined) return undefined;
  const removed = hostNames([...d.external.removed, ...d.local.removed, ...d.ports.removed.flatMap((p) => p.virtualHosts)], new Set());
  // What was added is in the new snapshot: its names are served.
  for (const name of hostNames([...d.external.added, ...d.local.added, ...d.ports.added.flatMap((p) => p.virtualHosts)], new Set())) removed.delete(name);
  const clusters = new Set(d.clusters.removed.map((c) => c.name));
  for (const c of d.clusters.added) clusters.delete(c.name);
  return { ingresses: removed, clusters };
}

const byName = (x: { readonly name: string }): string => x.name;

/** Lookups of what `s` serves. */
export function servedBy(s: Snapshot): ServedNames {
  let ingresses: Set<string> | undefined;
  return {
    ingress(name) {
      ingresses ??= hostNames([...s.listeners.external, ...s.listeners.local, ...s.ports.flatMap((p) => p.virtualHosts)], new Set());
      return ingresses.has(name);
    },
    cluster(name) {
      if (name.startsWith(FUNCTION_CLUSTER_PREFIX)) return findSorted(s.functions ?? [], byName, name.slice(FUNCTION_CLUSTER_PREFIX.length)) !== undefined;
      return findSorted(s.clusters, byName, name) !== undefined;
    },
  };
}
