// Merging separately translated ingresses into one snapshot. Two ingresses may claim the same
// domain on a listener (or the same SNI name); the one that comes first in precedence order keeps
// it and the other loses just that domain, with a HostConflict problem on its status. Precedence is
// the oldest creationTimestamp, then `namespace/name`, so the result never depends on input order,
// and an existing ingress is not taken over by a newer one that copies its hosts.
import type { KIngress, Sourced } from '../api/types.ts';
import type { Cluster, IngressInfo, ListenerKind, TlsCertificate, VirtualHost } from '../snapshot/types.ts';
import type { TranslatedIngress } from './ingress.ts';
import type { Problem } from './problems.ts';

export interface Merged {
  readonly listeners: Record<ListenerKind, VirtualHost[]>;
  readonly clusters: Cluster[];
  readonly tls: TlsCertificate[];
  readonly ingresses: IngressInfo[];
  /** HostConflict problems by ingress key */
  readonly conflicts: ReadonlyMap<string, Problem[]>;
}

/** Sort order for conflict resolution: oldest first (no timestamp counts as newest), then by key. */
export function byPrecedence(a: Sourced<KIngress>, b: Sourced<KIngress>): number {
  const ta = created(a.resource);
  const tb = created(b.resource);
  if (ta !== tb) return ta < tb ? -1 : 1;
  return compareStrings(keyOfIngress(a.resource), keyOfIngress(b.resource));
}

/** creationTimestamp in ms; no (or an unreadable) timestamp counts as newest. */
export function createdTime(ing: KIngress): number {
  return created(ing);
}

function created(ing: KIngress): number {
  const t = ing.metadata.creationTimestamp ? Date.parse(ing.metadata.creationTimestamp) : NaN;
  return Number.isNaN(t) ? Number.POSITIVE_INFINITY : t;
}

function keyOfIngress(ing: KIngress): string {
  return `${ing.metadata.namespace ?? 'default'}/${ing.metadata.name}`;
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const LISTENERS: readonly ListenerKind[] = ['external', 'local'];

/** Remembers what depends on one translated ingress alone (see cache.ts). */
export interface MergeCache {
  readonly infos: WeakMap<TranslatedIngress, IngressInfo>;
}

/** `ordered` must already be in precedence order. */
export function merge(ordered: readonly TranslatedIngress[], cache: MergeCache = { infos: new WeakMap() }): Merged {
  const owners: Record<ListenerKind, Map<string, string>> = { external: new Map(), local: new Map() };
  const listeners: Record<ListenerKind, VirtualHost[]> = { external: [], local: [] };
  const conflicts = new Map<string, Problem[]>();
  const ingresses: IngressInfo[] = [];
  for (const t of ordered) {
    // domain -> winning ingress, for every domain this ingress lost (on any listener); made only
    // when something is lost, as most ingresses lose nothing
    let lost: Map<string, string> | undefined;
    const start = { external: listeners.external.length, local: listeners.local.length };
    for (const listener of LISTENERS) {
      const owned = owners[listener];
      for (const vh of t.vhosts[listener]) {
        let kept: string[] | undefined;
        for (let i = 0; i < vh.domains.length; i++) {
          const d = vh.domains[i] as string;
          const owner = owned.get(d);
          if (owner === undefined) owned.set(d, t.key);
          if (owner === undefined || owner === t.key) {
            kept?.push(d);
          } else {
            (lost ??= new Map()).set(d, owner);
            kept ??= vh.domains.slice(0, i);
          }
        }
        // A virtual host that lost nothing is shared as it is (its cached hash stays valid).
        if (kept === undefined) listeners[listener].push(vh);
        else if (kept.length > 0) listeners[listener].push(Object.freeze({ ...vh, domains: Object.freeze(kept) }));
      }
    }
    if (lost !== undefined) conflicts.set(t.key, conflictProblems(lost));
    const cached = lost === undefined ? cache.infos.get(t) : undefined;
    if (cached !== undefined) {
      ingresses.push(cached);
      continue;
    }
    const hostsOf = (l: ListenerKind) => Object.freeze([...new Set(listeners[l].slice(start[l]).flatMap((v) => v.domains))].sort());
    const info: IngressInfo = Object.freeze({
      key: t.key,
      namespace: t.namespace,
      name: t.name,
      hash: t.hash,
      httpOption: t.httpOption,
      externalHosts: hostsOf('external'),
      localHosts: hostsOf('local'),
    });
    if (lost === undefined) cache.infos.set(t, info);
    ingresses.push(info);
  }
  const tls = mergeTls(ordered, owners.external, conflicts);
  for (const l of ['external', 'local'] as const) listeners[l].sort((a, b) => compareStrings(a.name, b.name));
  ingresses.sort((a, b) => compareStrings(a.key, b.key));
  return { listeners, clusters: mergeClusters(ordered), tls, ingresses, conflicts };
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
function mergeTls(ordered: readonly TranslatedIngress[], hostOwners: Map<string, string>, conflicts: Map<string, Problem[]>): TlsCertificate[] {
  const sniOwner = new Map<string, string>(); // name -> certificate name
  const byName = new Map<string, TlsCertificate>();
  for (const t of ordered) {
    const dropped: string[] = [];
    for (const cert of t.tls) {
      const hosts = cert.hosts.filter((h) => {
        const routedTo = hostOwners.get(h);
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
      const msg = `no certificate offered for TLS host ${quoteList([...new Set(dropped)])}: it is served by, or has a certificate from, an ingress that takes precedence`;
      conflicts.set(t.key, [...(conflicts.get(t.key) ?? []), { reason: 'HostConflict', message: msg }]);
    }
  }
  return [...byName.values()].sort((a, b) => compareStrings(a.name, b.name));
}

function mergeClusters(ordered: readonly TranslatedIngress[]): Cluster[] {
  // A cluster is a function of its name and the resources, so duplicates are identical.
  const byName = new Map<string, Cluster>();
  for (const t of ordered) for (const c of t.clusters) byName.set(c.name, c);
  return [...byName.values()].sort((a, b) => compareStrings(a.name, b.name));
}
