// Which upstream origins and clusters the current snapshot uses, for the pools to close what no
// cluster needs any more. Kept up to date from the list diff the snapshot change carries (a file
// edit touches a few clusters of 20,000), so a snapshot swap costs the pools O(changes + pooled
// origins) instead of a pass over every endpoint; any other list is counted from scratch.
import type { SnapshotChange } from '../snapshot/change.ts';
import type { ListDiff } from '../snapshot/list-diff.ts';
import type { Cluster, Endpoint } from '../snapshot/types.ts';

/** `http://host:port` of an endpoint (IPv6 in brackets): the key of every upstream pool. */
export function originOf(e: Endpoint): string {
  const host = e.address.includes(':') && !e.address.startsWith('[') ? `[${e.address}]` : e.address;
  return `http://${host}:${e.port}`;
}

export class LiveOrigins {
  #clusters: readonly Cluster[] | undefined;
  /** origin -> number of (cluster, endpoint) pairs using it, over all clusters and over h2c ones */
  readonly #all = new Map<string, number>();
  readonly #h2c = new Map<string, number>();
  readonly #byName = new Map<string, Cluster>();
  /** the cluster objects counted in the maps (an added item may be one already counted) */
  #counted = new WeakSet<Cluster>();

  /** Brings the counts to the change's snapshot; the same snapshot again costs nothing. */
  follow(change: SnapshotChange): void {
    const { previous, diffs } = change;
    this.update(change.snapshot.clusters, previous !== undefined && diffs !== undefined ? { list: previous.clusters, diff: diffs.clusters } : undefined);
  }

  /**
   * Brings the counts to `clusters`: by `from.diff` when it leads from the list counted last
   * (`from.list`), else counted afresh.
   */
  update(clusters: readonly Cluster[], from?: { readonly list: readonly Cluster[]; readonly diff: ListDiff<Cluster> }): void {
    const before = this.#clusters;
    if (clusters === before) return;
    this.#clusters = clusters;
    if (before === undefined || from === undefined || from.list !== before) {
      this.#all.clear();
      this.#h2c.clear();
      this.#byName.clear();
      this.#counted = new WeakSet();
      for (const c of clusters) this.#add(c);
      return;
    }
    const diff = from.diff;
    // Removed first: a replaced cluster is in both lists under the same name.
    for (const c of diff.removed) if (this.#counted.has(c)) this.#remove(c);
    for (const c of diff.added) if (!this.#counted.has(c)) this.#add(c);
  }

  /** Some cluster has an endpoint at this origin. */
  has(origin: string): boolean {
    return this.#all.has(origin);
  }

  /** Some h2c cluster has an endpoint at this origin. */
  hasH2c(origin: string): boolean {
    return this.#h2c.has(origin);
  }

  hasCluster(name: string): boolean {
    return this.#byName.has(name);
  }

  #add(c: Cluster): void {
    this.#counted.add(c);
    this.#byName.set(c.name, c);
    for (const e of c.endpoints) {
      const o = originOf(e);
      bump(this.#all, o, 1);
      if (c.protocol === 'h2c') bump(this.#h2c, o, 1);
    }
  }

  #remove(c: Cluster): void {
    this.#counted.delete(c);
    if (this.#byName.get(c.name) === c) this.#byName.delete(c.name);
    for (const e of c.endpoints) {
      const o = originOf(e);
      bump(this.#all, o, -1);
      if (c.protocol === 'h2c') bump(this.#h2c, o, -1);
    }
  }
}

function bump(counts: Map<string, number>, key: string, by: number): void {
  const n = (counts.get(key) ?? 0) + by;
  if (n > 0) counts.set(key, n);
  else counts.delete(key);
}
