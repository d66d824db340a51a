// Merging separately translated ingresses into one snapshot. Two ingresses may claim the same
// domain on a listener (or the same SNI name); the one that comes first in precedence order
// (compare.ts: oldest, then `namespace/name`) keeps it and the other loses just that domain, with
// a HostConflict problem on its status. The result never depends on input order.
//
// MergeState keeps the merge of the current ingresses and takes changes (an ingress added,
// replaced or removed). It records, for every domain, every ingress claiming it in precedence
// order, so a change re-merges only the changed ingresses and those whose domains changed owner;
// the output lists stay sorted (by name or key) between changes. A cold start is the same with
// every ingress changed.
import type { SnapshotDiffs } from '../snapshot/change.ts';
import type { ListDiff } from '../snapshot/list-diff.ts';
import type { Cluster, IngressInfo, KnativeListener, PortListener, SnapshotContent, TlsCertificate, VirtualHost } from '../snapshot/types.ts';
import { compareRanks, type Rank } from './compare.ts';
import type { TranslatedIngress } from './ingress.ts';
import type { Problem } from './problems.ts';
import { SortedList } from './sorted.ts';
import { routesDigest, type SectionDigest } from './digest.ts';
import { createHash } from 'node:crypto';

/** Remembers what depends on one translated ingress alone (see cache.ts). */
export interface MergeCache {
  readonly infos: WeakMap<TranslatedIngress, IngressInfo>;
}

/** One ingress changed: `after` is absent when it is no longer served. */
export interface MergeChange {
  readonly key: string;
  readonly after: { readonly t: TranslatedIngress; readonly rank: Rank } | undefined;
}

export interface MergeOutcome {
  /** ingress keys whose conflicts (host or TLS) may differ from before */
  readonly conflictsChanged: ReadonlySet<string>;
  /** names of clusters added, removed or replaced */
  readonly clustersChanged: ReadonlySet<string>;
}

interface Entry {
  readonly t: TranslatedIngress;
  readonly rank: Rank;
}

/** What one ingress puts into the snapshot once host conflicts are settled. */
interface Contribution {
  readonly vhosts: Record<KnativeListener, readonly VirtualHost[]>;
  readonly info: IngressInfo;
  /** HostConflict problems for the domains it lost */
  readonly lost: readonly Problem[] | undefined;
}

const LISTENERS: readonly KnativeListener[] = ['external', 'local'];
// Knative ingresses are served on the Knative listeners only; Gateway API ports come from elsewhere.
const NO_PORTS: readonly PortListener[] = Object.freeze([]);
const NO_PORT_CHANGES: ListDiff<PortListener> = Object.freeze({ removed: NO_PORTS, added: NO_PORTS });

/** The ingresses claiming one domain: one key (the usual case, kept without a list) or several in precedence order. */
type Claims = string | string[];

/** The ingress that owns a domain: the first claimant in precedence order. */
function ownerIn(claims: Claims | undefined): string | undefined {
  return typeof claims === 'string' ? claims : claims?.[0];
}

export class MergeState {
  readonly #entries = new Map<string, Entry>();
  readonly #contributions = new Map<string, Contribution>();
  /** per listener: domain -> keys of the ingresses claiming it, in precedence order (the first owns it) */
  readonly #claims: Record<KnativeListener, Map<string, Claims>> = { external: new Map(), local: new Map() };
  readonly #vhosts: Record<KnativeListener, SortedList<VirtualHost>> = { external: vhostList(), local: vhostList() };
  readonly #infos = new SortedList<IngressInfo>((i) => i.key, true);
  readonly #clusters = byName<Cluster>();
  readonly #tlsList = byName<TlsCertificate>();
  /** cluster name -> the object served and how many ingresses use it */
  readonly #clusterUse = new Map<string, { cluster: Cluster; users: number }>();
  /** keys of the ingresses that have certificates, in precedence order */
  readonly #tlsOrder: string[] = [];
  /** SNI name -> how many certificates (of any ingress) list it */
  readonly #tlsHosts = new Map<string, number>();
  #tlsConflicts = new Map<string, Problem>();

  /** The clusters in name order (the live list: it changes with the next update). */
  get clusters(): readonly Cluster[] {
    return this.#clusters.items;
  }

  /**
   * The snapshot's lists as frozen copies (each the same copy as last time when it did not change),
   * and how each was made from the copy before (undefined the first time).
   */
  sections(): { readonly lists: Omit<SnapshotContent, 'hash'>; readonly diffs: SnapshotDiffs | undefined } {
    const external = this.#vhosts.external.copy();
    const local = this.#vhosts.local.copy();
    const clusters = this.#clusters.copy();
    const tls = this.#tlsList.copy();
    const ingresses = this.#infos.copy();
    const lists = { listeners: Object.freeze({ external: external.list, local: local.list }), ports: NO_PORTS, clusters: clusters.list, tls: tls.list, ingresses: ingresses.list };
    // The lists are copied together, so either every one has a diff or none has.
    const diffs =
      external.diff && local.diff && clusters.diff && tls.diff && ingresses.diff
        ? { clusters: clusters.diff, external: external.diff, local: local.diff, ports: NO_PORT_CHANGES, tls: tls.diff, ingresses: ingresses.diff }
        : undefined;
    return { lists, diffs };
  }

  /**
   * The snapshot's content hash: SHA-256 over each section's digest (digest.ts), so it depends on
   * the content alone and an edit re-hashes only what it changed.
   */
  contentHash(): string {
    const h = createHash('sha256');
    const section = <T extends object>(name: string, list: SortedList<T>) => (list.digest as SectionDigest<T>).update(h, name);
    section('clusters', this.#clusters);
    section('ingresses', this.#infos);
    section('listeners.external', this.#vhosts.external);
    section('listeners.local', this.#vhosts.local);
    section('tls', this.#tlsList);
    return h.digest('hex');
  }

  /** HostConflict problems of one ingress (hosts lost, then certificate names dropped). */
  conflicts(key: string): readonly Problem[] | undefined {
    const lost = this.#contributions.get(key)?.lost;
    const tls = this.#tlsConflicts.get(key);
    if (tls === undefined) return lost;
    return lost === undefined ? [tls] : [...lost, tls];
  }

  update(changes: readonly MergeChange[], cache: MergeCache): MergeOutcome {
    /** per listener: domains whose claims changed -> their owner before */
    const touched: Record<KnativeListener, Map<string, string | undefined>> = { external: new Map(), local: new Map() };
    const dirty = new Set<string>();
    const clusterNames = new Set<string>();
    let tlsDirty = false;
    // 1. Take back everything the old versions claimed.
    for (const { key } of changes) {
      dirty.add(key);
      const old = this.#entries.get(key);
      if (old === undefined) continue;
      this.#entries.delete(key);
      for (const l of LISTENERS) {
        for (const vh of old.t.vhosts[l]) for (const d of vh.domains) this.#unclaim(l, d, key, touched[l]);
      }
      for (const c of old.t.clusters) {
        (this.#clusterUse.get(c.name) as { users: number }).users--;
        clusterNames.add(c.name);
      }
      if (old.t.tls.length > 0) {
        tlsDirty = true;
        this.#tlsOrder.splice(this.#tlsOrder.indexOf(key), 1);
        for (const cert of old.t.tls) for (const h of cert.hosts) this.#tlsHosts.set(h, (this.#tlsHosts.get(h) ?? 1) - 1);
      }
    }
    // 2. Claim for the new versions (every rank is known before any claim list is ordered).
    for (const { key, after } of changes) if (after !== undefined) this.#entries.set(key, after);
    for (const { key, after } of changes) {
      if (after === undefined) continue;
      for (const l of LISTENERS) {
        for (const vh of after.t.vhosts[l]) for (const d of vh.domains) this.#claim(l, d, key, touched[l]);
      }
      for (const c of after.t.clusters) {
        const use = this.#clusterUse.get(c.name);
        // Ingresses that use one cluster read the same resources, so their copies are equal; the
        // object served changes only when every user was translated again.
        if (use === undefined || use.users === 0) this.#clusterUse.set(c.name, { cluster: c, users: 1 });
        else use.users++;
        clusterNames.add(c.name);
      }
      if (after.t.tls.length > 0) {
        tlsDirty = true;
        this.#insertTlsOrder(key);
        for (const cert of after.t.tls) for (const h of cert.hosts) this.#tlsHosts.set(h, (this.#tlsHosts.get(h) ?? 0) + 1);
      }
    }
    // 3. Every ingress claiming a domain whose owner changed is merged again.
    for (const l of LISTENERS) {
      for (const [d, before] of touched[l]) {
        const claims = this.#claims[l].get(d);
        if (ownerIn(claims) === before) continue;
        if (typeof claims === 'string') dirty.add(claims);
        else for (const k of claims ?? []) dirty.add(k);
        if (l === 'external' && (this.#tlsHosts.get(d) ?? 0) > 0) tlsDirty = true;
      }
    }
    const conflictsChanged = this.#recontribute(dirty, cache);
    const clustersChanged = this.#updateClusters(clusterNames);
    if (tlsDirty) {
      for (const k of this.#tlsConflicts.keys()) conflictsChanged.add(k);
      const merged = mergeTls(
        this.#tlsOrder.map((k) => (this.#entries.get(k) as Entry).t),
        (h) => ownerIn(this.#claims.external.get(h)),
      );
      this.#tlsList.apply(new Set(this.#tlsList.items.map((c) => c.name)), merged.certificates);
      this.#tlsConflicts = merged.conflicts;
      for (const k of this.#tlsConflicts.keys()) conflictsChanged.add(k);
      for (const [h, n] of this.#tlsHosts) if (n === 0) this.#tlsHosts.delete(h);
    }
    return { conflictsChanged, clustersChanged };
  }

  #claim(l: KnativeListener, d: string, key: string, touched: Map<string, string | undefined>): void {
    const claims = this.#claims[l].get(d);
    if (!touched.has(d)) touched.set(d, ownerIn(claims));
    if (claims === undefined) {
      this.#claims[l].set(d, key);
      return;
    }
    const list = typeof claims === 'string' ? [claims] : claims;
    const rank = (this.#entries.get(key) as Entry).rank;
    let i = list.length;
    while (i > 0 && compareRanks((this.#entries.get(list[i - 1] as string) as Entry).rank, rank) > 0) i--;
    list.splice(i, 0, key);
    this.#claims[l].set(d, list);
  }

  #unclaim(l: KnativeListener, d: string, key: string, touched: Map<string, string | undefined>): void {
    const claims = this.#claims[l].get(d);
    if (claims === undefined) return;
    if (!touched.has(d)) touched.set(d, ownerIn(claims));
    const rest = typeof claims === 'string' ? (claims === key ? [] : [claims]) : claims.filter((k) => k !== key);
    if (rest.length === 0) this.#claims[l].delete(d);
    else this.#claims[l].set(d, rest.length === 1 ? (rest[0] as string) : rest);
  }

  #insertTlsOrder(key: string): void {
    const rank = (this.#entries.get(key) as Entry).rank;
    let lo = 0;
    let hi = this.#tlsOrder.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareRanks((this.#entries.get(this.#tlsOrder[mid] as string) as Entry).rank, rank) < 0) lo = mid + 1;
      else hi = mid;
    }
    this.#tlsOrder.splice(lo, 0, key);
  }

  /** Settles the dirty ingresses' hosts again; returns the keys whose host conflicts may have changed. */
  #recontribute(dirty: ReadonlySet<string>, cache: MergeCache): Set<string> {
    const conflictsChanged = new Set<string>();
    const removed: Record<KnativeListener, Set<string>> = { external: new Set(), local: new Set() };
    const added: Record<KnativeListener, VirtualHost[]> = { external: [], local: [] };
    const infosRemoved = new Set<string>();
    const infosAdded: IngressInfo[] = [];
    for (const key of dirty) {
      const old = this.#contributions.get(key);
      if (old !== undefined) {
        for (const l of LISTENERS) for (const vh of old.vhosts[l]) removed[l].add(vh.name);
        infosRemoved.add(key);
      }
      const entry = this.#entries.get(key);
      const out = entry === undefined ? undefined : this.#contribute(entry.t, cache);
      if (out === undefined) this.#contributions.delete(key);
      else {
        this.#contributions.set(key, out);
        for (const l of LISTENERS) added[l].push(...out.vhosts[l]);
        infosAdded.push(out.info);
      }
      if (old?.lost !== undefined || out?.lost !== undefined) conflictsChanged.add(key);
    }
    for (const l of LISTENERS) this.#vhosts[l].apply(removed[l], added[l]);
    this.#infos.apply(infosRemoved, infosAdded);
    return conflictsChanged;
  }

  #contribute(t: TranslatedIngress, cache: MergeCache): Contribution {
    // domain -> winning ingress, for every domain this ingress lost (on any listener); made only
    // when something is lost, as most ingresses lose nothing
    let lost: Map<string, string> | undefined;
    const vhosts: Record<KnativeListener, VirtualHost[]> = { external: [], local: [] };
    for (const l of LISTENERS) {
      for (const vh of t.vhosts[l]) {
        let kept: string[] | undefined;
        for (let i = 0; i < vh.domains.length; i++) {
          const d = vh.domains[i] as string;
          const owner = ownerIn(this.#claims[l].get(d));
          if (owner === t.key) kept?.push(d);
          else {
            (lost ??= new Map()).set(d, owner);
            kept ??= vh.domains.slice(0, i);
          }
        }
        // A virtual host that lost nothing is shared as it is (its cached hash stays valid).
        if (kept === undefined) vhosts[l].push(vh);
        else if (kept.length > 0) vhosts[l].push(Object.freeze({ ...vh, domains: Object.freeze(kept) }));
      }
    }
    // The usual case: nothing lost, so the translation's own lists are the contribution.
    const out = lost === undefined ? t.vhosts : vhosts;
    let info = lost === undefined ? cache.infos.get(t) : undefined;
    if (info === undefined) {
      const hostsOf = (l: KnativeListener) => Object.freeze([...new Set(out[l].flatMap((v) => v.domains))].sort());
      info = Object.freeze({
        key: t.key,
        namespace: t.namespace,
        name: t.name,
        hash: t.hash,
        httpOption: t.httpOption,
        externalHosts: hostsOf('external'),
        localHosts: hostsOf('local'),
      });
      if (lost === undefined) cache.infos.set(t, info);
    }
    return { vhosts: out, info, lost: lost === undefined ? undefined : Object.freeze(conflictProblems(lost)) };
  }

  // A cluster is a function of its name and the resources, so copies from several ingresses are equal.
  #updateClusters(names: ReadonlySet<string>): Set<string> {
    const changed = new Set<string>();
    const removed = new Set<string>();
    const added: Cluster[] = [];
    for (const name of names) {
      const use = this.#clusterUse.get(name);
      const now = use !== undefined && use.users > 0 ? use.cluster : undefined;
      if (now === undefined) this.#clusterUse.delete(name);
      if (this.#clusters.get(name) === now) continue;
      changed.add(name);
      removed.add(name);
      if (now !== undefined) added.push(now);
    }
    this.#clusters.apply(removed, added);
    return changed;
  }
}

function vhostList(): SortedList<VirtualHost> {
  return new SortedList<VirtualHost>((x) => x.name, vhostLine);
}

// Every field of a virtual host is hashed: a field added to VirtualHost fails to compile here
// until vhostLine writes it too.
const VHOST_FIELDS: Record<keyof VirtualHost, true> = { name: true, domains: true, ingress: true, httpOption: true, routes: true, listenerHostname: true, listeners: true };
void VHOST_FIELDS;

/** A virtual host as hashed: its fields as JSON, with its route list by digest (see digest.ts). */
function vhostLine(vh: VirtualHost): string {
  const head = vh.listenerHostname === undefined ? [vh.name, vh.domains, vh.ingress, vh.httpOption] : [vh.name, vh.domains, vh.ingress, vh.httpOption, vh.listenerHostname];
  return `${JSON.stringify(vh.listeners === undefined ? head : [...head, vh.listeners])} routes:${routesDigest(vh.routes)}`;
}

function byName<T extends { readonly name: string }>(): SortedList<T> {
  return new SortedList<T>((x) => x.name, true);
}

function conflictProblems(lost: Map<string, string>): Problem[] {
  const byOwner = new Map<string, string[]>();
  for (const [domain, owner] of lost) byOwner.set(owner, [...(byOwner.get(owner) ?? []), domain]);
  return [...byOwner.keys()].sort().map((owner) => ({
    reason: 'HostConflict',
    message: `host ${quoteList(byOwner.get(owner) ?? [])} already served by ingress "${owner}", which takes precedence (older, or same age and first by namespace/name)`,
  }));
}

function quoteList(items: string[]): string {
  return [...items].sort().map((i) => `"${i}"`).join(', ');
}

// A certificate may only be offered for names its ingress serves: an SNI name routed to another
// ingress (or already claimed by an earlier ingress's certificate) is dropped from it.
// Ingresses sharing one Secret produce one certificate with the union of their names.
// `ordered` holds the ingresses with certificates in precedence order; `hostOwner` says which
// ingress owns a domain on the external listener.
function mergeTls(
  ordered: readonly TranslatedIngress[],
  hostOwner: (host: string) => string | undefined,
): { certificates: readonly TlsCertificate[]; conflicts: Map<string, Problem> } {
  const sniOwner = new Map<string, string>(); // name -> certificate name
  const byName = new Map<string, TlsCertificate>();
  const conflicts = new Map<string, Problem>();
  for (const t of ordered) {
    const dropped: string[] = [];
    for (const cert of t.tls) {
      const hosts = cert.hosts.filter((h) => {
        const routedTo = hostOwner(h);
        const certOwner = sniOwner.get(h);
        if ((routedTo !== undefined && routedTo !== t.key) || (certOwner !== undefined && certOwner !== cert.name)) {
          dropped.push(h);
          return false;
        }
        sniOwner.set(h, cert.name);
        return true;
      });
      const prev = byName.get(cert.name);
      const all = [...new Set([...(prev?.hosts ?? []), ...hosts])].sort();
      if (all.length === 0) continue;
      // The certificate as translated when its names are unchanged (keeps its cached hash).
      const same = all.length === cert.hosts.length && all.every((h, i) => h === cert.hosts[i]);
      byName.set(cert.name, same ? cert : Object.freeze({ ...cert, hosts: Object.freeze(all) }));
    }
    if (dropped.length > 0) {
      const message = `no certificate offered for TLS host ${quoteList([...new Set(dropped)])}: it is served by, or has a certificate from, an ingress that takes precedence`;
      conflicts.set(t.key, Object.freeze({ reason: 'HostConflict', message }));
    }
  }
  const certificates = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { certificates: Object.freeze(certificates), conflicts };
}
