// What a feed hands every subscriber on a swap: the new snapshot, the one it replaces, and how
// each list of the new one was made from the old one's. Diffs travel in this value, never through
// module state, so two data planes in one process (each with its own feed) never see each other's.
import { netDiff, type ListDiff } from './list-diff.ts';
import type { Cluster, IngressInfo, PortListener, Snapshot, SnapshotContent, TlsCertificate, VirtualHost } from './types.ts';

/** How each list of one snapshot was made from the same list of another (items by identity). */
export interface SnapshotDiffs {
  readonly clusters: ListDiff<Cluster>;
  readonly external: ListDiff<VirtualHost>;
  readonly local: ListDiff<VirtualHost>;
  /** Gateway API port listeners, by name (a short list: a consumer may just rebuild what changed) */
  readonly ports: ListDiff<PortListener>;
  readonly tls: ListDiff<TlsCertificate>;
  readonly ingresses: ListDiff<IngressInfo>;
}

/** The translator's diffs, with the content they lead from (its previous result's). */
export interface ContentDiffs extends SnapshotDiffs {
  readonly since: SnapshotContent;
}

export interface SnapshotChange {
  readonly snapshot: Snapshot;
  /** the snapshot served before, undefined for the first one */
  readonly previous: Snapshot | undefined;
  /**
   * how `snapshot`'s lists were made from `previous`'s; undefined when not known (the first
   * snapshot, a translation that started over): a consumer then compares the lists, or starts over
   */
  readonly diffs: SnapshotDiffs | undefined;
}

const byName = (x: { readonly name: string }): string => x.name;
const byKey = (x: IngressInfo): string => x.key;

type Lists = Pick<SnapshotContent, 'clusters' | 'listeners' | 'ports' | 'tls' | 'ingresses'>;

/**
 * The exact diffs from `before` to `after`, given the diffs of the steps that led from one to the
 * other (several translations between two published snapshots). Lists are sorted by name or key,
 * as the translator makes them.
 */
export function foldDiffs(before: Lists, after: Lists, steps: readonly SnapshotDiffs[]): SnapshotDiffs {
  const items = <T>(pick: (d: SnapshotDiffs) => ListDiff<T>): T[] => steps.flatMap((d) => [...pick(d).removed, ...pick(d).added]);
  return {
    clusters: netDiff(before.clusters, after.clusters, items((d) => d.clusters), byName),
    external: netDiff(before.listeners.external, after.listeners.external, items((d) => d.external), byName),
    local: netDiff(before.listeners.local, after.listeners.local, items((d) => d.local), byName),
    ports: netDiff(before.ports, after.ports, items((d) => d.ports), byName),
    tls: netDiff(before.tls, after.tls, items((d) => d.tls), byName),
    ingresses: netDiff(before.ingresses, after.ingresses, items((d) => d.ingresses), byKey),
  };
}
