// One snapshot from three translators: Knative's (incremental, state.ts), the Gateway API's
// (gateway-api/translate.ts, patched for a few changed routes: gateway-part.ts) and Gloo Edge's
// (gloo/translate.ts, redone as a whole when anything it reads changed, else reused). Gloo's VirtualServices join Knative's external
// virtual hosts when no Gloo Gateway is configured (Knative keeps a host both claim).
// Clusters of the same name are the same cluster (both name them `namespace/service:port` from
// the same lookups), so Knative's object is kept; certificates of one Secret merge their hosts.
// The content hash covers both parts. Knative's list diffs stay valid only while the Gateway API
// part adds no cluster or certificate (then the merged lists are Knative's own); otherwise they are
// dropped and consumers compare, which is always correct.
import { hash } from 'node:crypto';
import type { GatewayApiResult } from '../gateway-api/translate.ts';
import { compareSorted } from '../snapshot/list-diff.ts';
import { translateGloo, type GlooResult } from '../gloo/translate.ts';
import type { Cluster, Diagnostic, PortListener, SnapshotContent, TlsCertificate, TranslateResult, VirtualHost } from '../snapshot/types.ts';
import { GLOO_MAPS, type ResourceSet } from '../store/types.ts';
import { sameOptions, type TranslateCache } from './cache.ts';
import { RecordingLookups, unchanged, type Dependencies } from './lookups.ts';
import type { TranslateOptions } from './options.ts';
import { gatewayApiDigest } from './part-digest.ts';

/** The last composition, so an unchanged pair of parts gives back the very same result. */
export interface ComposedEntry {
  readonly knative: TranslateResult;
  readonly gatewayApi: GatewayApiResult;
  readonly gloo: GlooResult;
  readonly result: TranslateResult;
}

/** What the cache keeps of the Gloo part: its inputs (by identity) and result. */
export interface GlooEntry {
  readonly maps: readonly unknown[];
  readonly options: TranslateOptions;
  readonly deps: Dependencies;
  readonly result: GlooResult;
}

/**
 * The Gloo part of `set`, reused when none of its inputs changed: its maps, the Services (every
 * Service port is an implicit Upstream) and what it looked up.
 */
export function glooPart(set: ResourceSet, options: TranslateOptions, cache: TranslateCache): GlooResult {
  const maps = [...GLOO_MAPS.map((m) => set[m]), set.services];
  const hit = cache.gloo;
  if (hit !== undefined && sameOptions(hit.options, options) && hit.maps.every((m, i) => m === maps[i]) && unchanged(hit.deps, set)) return hit.result;
  const lookups = new RecordingLookups(set);
  const result = translateGloo(set, lookups, options);
  cache.gloo = { maps, options, deps: lookups.deps, result };
  return result;
}

const EMPTY_PART = (r: GatewayApiResult): boolean => r.ports.length === 0 && r.clusters.length === 0 && r.tls.length === 0;
const EMPTY_GLOO = (r: GlooResult): boolean =>
  r.external.length === 0 && r.ports.length === 0 && r.clusters.length === 0 && r.tls.length === 0 && r.functions.length === 0;

export function compose(knative: TranslateResult, gw: GatewayApiResult, gloo: GlooResult, cache: TranslateCache): TranslateResult {
  const previous = cache.composed;
  if (previous !== undefined && previous.knative === knative && previous.gatewayApi === gw && previous.gloo === gloo) return previous.result;
  const glooEmpty = EMPTY_GLOO(gloo);
  const glooDiagnostics: Diagnostic[] = [];
  const snapshot: SnapshotContent =
    EMPTY_PART(gw) && glooEmpty
      ? knative.snapshot
      : Object.freeze({
          ...knative.snapshot,
          ...(!glooEmpty && {
            listeners: Object.freeze({ ...knative.snapshot.listeners, external: withGlooHosts(knative.snapshot.listeners.external, gloo.external, glooDiagnostics) }),
          }),
          ports: withGlooPorts(gw.ports, gloo.ports, glooDiagnostics),
          clusters: mergeClusters(mergeClusters(knative.snapshot.clusters, gw.clusters), gloo.clusters),
          tls: mergeTls(mergeTls(knative.snapshot.tls, gw.tls), gloo.tls),
          ...(gloo.functions.length > 0 && { functions: gloo.functions }),
          hash: hash(
            'sha256',
            `${knative.snapshot.hash}\n${gatewayApiDigest(gw)}${glooEmpty ? '' : `\n${JSON.stringify([gloo.external, gloo.ports, gloo.clusters, gloo.tls, gloo.functions])}`}`,
            'hex',
          ),
        });
  // Knative's list diffs hold while the other parts add nothing to Knative's own lists.
  const ownLists = gw.clusters.length === 0 && gw.tls.length === 0 && glooEmpty;
  const prevOwnLists = previous !== undefined && previous.gatewayApi.clusters.length === 0 && previous.gatewayApi.tls.length === 0 && EMPTY_GLOO(previous.gloo);
  // Knative has no ports: the ports diff is the Gateway API part's, found by comparing (a short list).
  const ports =
    knative.diffs !== undefined && previous !== undefined && knative.diffs.since === previous.knative.snapshot && ownLists && prevOwnLists
      ? compareSorted(previous.result.snapshot.ports, snapshot.ports, (p) => p.name)
      : undefined;
  const diffs = knative.diffs !== undefined && previous !== undefined && ports !== undefined ? Object.freeze({ ...knative.diffs, ports, since: previous.result.snapshot }) : undefined;
  const objectStatuses = gloo.objectStatuses.length === 0 ? gw.objectStatuses : [...gw.objectStatuses, ...gloo.objectStatuses];
  const result: TranslateResult = Object.freeze({
    snapshot: Object.freeze(snapshot),
    statuses: knative.statuses,
    objectStatuses,
    diagnostics: glooDiagnostics.length === 0 ? knative.diagnostics : [...knative.diagnostics, ...glooDiagnostics],
    ...(diffs !== undefined && { diffs }),
  });
  cache.composed = { knative, gatewayApi: gw, gloo, result };
  return result;
}

// Knative's ingresses keep the external host names they claim (they were there first, and their
// readiness depends on it); a VirtualService's domain that one of them serves is dropped from it.
function withGlooHosts(knative: readonly VirtualHost[], gloo: readonly VirtualHost[], diagnostics: Diagnostic[]): readonly VirtualHost[] {
  const taken = new Set(knative.flatMap((v) => v.domains));
  const kept: VirtualHost[] = [];
  for (const v of gloo) {
    const domains = v.domains.filter((d) => !taken.has(d));
    for (const d of v.domains) if (taken.has(d)) diagnostics.push({ level: 'warning', subject: v.ingress, message: `domain ${JSON.stringify(d)} is served by a Knative Ingress: not served for this VirtualService` });
    if (domains.length > 0) kept.push(domains.length === v.domains.length ? v : { ...v, domains });
  }
  return [...knative, ...kept].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

// A Gloo Gateway that binds the address and port of a Gateway API listener is left out: the
// Gateway API's Gateway keeps the port.
function withGlooPorts(gw: readonly PortListener[], gloo: readonly PortListener[], diagnostics: Diagnostic[]): readonly PortListener[] {
  if (gloo.length === 0) return gw;
  const bound = new Set(gw.map((p) => `${p.address} ${p.port}`));
  const kept = gloo.filter((p) => {
    if (!bound.has(`${p.address} ${p.port}`)) return true;
    diagnostics.push({ level: 'warning', subject: p.name, message: `a Gloo Gateway's ${p.address}:${p.port} is bound by a Gateway API Gateway: not served` });
    return false;
  });
  return [...gw, ...kept].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function mergeClusters(a: readonly Cluster[], b: readonly Cluster[]): readonly Cluster[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const byName = new Map(b.map((c) => [c.name, c]));
  for (const c of a) byName.set(c.name, c);
  return [...byName.values()].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
}

function mergeTls(a: readonly TlsCertificate[], b: readonly TlsCertificate[]): readonly TlsCertificate[] {
  if (b.length === 0) return a;
  const byName = new Map(a.map((c) => [c.name, c]));
  for (const c of b) {
    const had = byName.get(c.name);
    byName.set(c.name, had === undefined ? c : { ...had, hosts: [...new Set([...had.hosts, ...c.hosts])].sort() });
  }
  return [...byName.values()].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
}
