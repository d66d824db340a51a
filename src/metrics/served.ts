// What the served snapshot names, as the metrics label it: the routes' objects (`ingress`) and the
// clusters (`cluster`), followed swap by swap from the swaps' diffs, so following costs what a swap
// changed, not the size of the configuration. Says which names a swap took away, so the metrics
// drop their series (Metrics.retain).
import { FUNCTION_CLUSTER_PREFIX } from '../functions/calls.ts';
import type { SnapshotChange } from '../snapshot/change.ts';
import { findSorted } from '../snapshot/list-diff.ts';
import type { PortListener, Snapshot, VirtualHost } from '../snapshot/types.ts';

export interface ServedNames {
  ingress(name: string): boolean;
  cluster(name: string): boolean;
}

/** Names a swap took away (a name may be served again by the time it is looked at). */
export interface GoneNames {
  readonly ingresses: ReadonlySet<string>;
  readonly clusters: ReadonlySet<string>;
}

const byName = (x: { readonly name: string }): string => x.name;

export class ServedIndex implements ServedNames {
  // Host and port objects by identity (the translator shares unchanged ones between snapshots), so
  // a diff's extra items (removed ones that were never here, added ones already here) change nothing.
  readonly #external = new Set<VirtualHost>();
  readonly #local = new Set<VirtualHost>();
  readonly #ports = new Set<PortListener>();
  /** route object name -> how many hosts and routes held in the sets name it */
  readonly #ingresses = new Map<string, number>();
  #snapshot: Snapshot | undefined;

  /** Follows `change`; returns what it took away. */
  follow(change: SnapshotChange): GoneNames {
    const gone = new Set<string>();
    const before = this.#snapshot;
    this.#snapshot = change.snapshot;
    const d = change.diffs;
    const s = change.snapshot;
    if (d === undefined) {
      for (const name of this.#ingresses.keys()) gone.add(name);
      this.#external.clear();
      this.#local.clear();
      this.#ports.clear();
      this.#ingresses.clear();
      for (const vh of s.listeners.external) this.#addHost(this.#external, vh);
      for (const vh of s.listeners.local) this.#addHost(this.#local, vh);
      for (const p of s.ports) this.#addPort(p);
    } else {
      for (const vh of d.external.removed) this.#removeHost(this.#external, vh, gone);
      for (const vh of d.local.removed) this.#removeHost(this.#local, vh, gone);
      for (const p of d.ports.removed) this.#removePort(p, gone);
      for (const vh of d.external.added) this.#addHost(this.#external, vh);
      for (const vh of d.local.added) this.#addHost(this.#local, vh);
      for (const p of d.ports.added) this.#addPort(p);
    }
    for (const name of gone) if (this.#ingresses.has(name)) gone.delete(name);
    const clusters = new Set((d === undefined ? (before?.clusters ?? []) : d.clusters.removed).map(byName));
    for (const name of clusters) if (this.cluster(name)) clusters.delete(name);
    return { ingresses: gone, clusters };
  }

  ingress(name: string): boolean {
    return this.#ingresses.has(name);
  }

  cluster(name: string): boolean {
    const s = this.#snapshot;
    if (s === undefined) return false;
    if (name.startsWith(FUNCTION_CLUSTER_PREFIX)) return findSorted(s.functions ?? [], byName, name.slice(FUNCTION_CLUSTER_PREFIX.length)) !== undefined;
    return findSorted(s.clusters, byName, name) !== undefined;
  }

  #addHost(set: Set<VirtualHost>, vh: VirtualHost): void {
    if (set.has(vh)) return;
    set.add(vh);
    this.#count(vh, 1);
  }

  #removeHost(set: Set<VirtualHost>, vh: VirtualHost, gone: Set<string>): void {
    if (!set.delete(vh)) return;
    this.#count(vh, -1, gone);
  }

  #addPort(p: PortListener): void {
    if (this.#ports.has(p)) return;
    this.#ports.add(p);
    for (const vh of p.virtualHosts) this.#count(vh, 1);
  }

  #removePort(p: PortListener, gone: Set<string>): void {
    if (!this.#ports.delete(p)) return;
    for (const vh of p.virtualHosts) this.#count(vh, -1, gone);
  }

  #count(vh: VirtualHost, by: 1 | -1, gone?: Set<string>): void {
    this.#name(vh.ingress, by, gone);
    for (const r of vh.routes) this.#name(r.ingress, by, gone);
  }

  #name(name: string, by: 1 | -1, gone: Set<string> | undefined): void {
    const n = (this.#ingresses.get(name) ?? 0) + by;
    if (n > 0) this.#ingresses.set(name, n);
    else {
      this.#ingresses.delete(name);
      gone?.add(name);
    }
  }
}
