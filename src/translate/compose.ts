// One snapshot from two translators: Knative's (incremental, state.ts) and the Gateway API's
// (gateway-api/translate.ts, redone as a whole when anything it read changed, else reused).
// Clusters of the same name are the same cluster (both name them `namespace/service:port` from
// the same lookups), so Knative's object is kept; certificates of one Secret merge their hosts.
// The content hash covers both parts. Knative's list diffs stay valid only while the Gateway API
// part adds no cluster or certificate (then the merged lists are Knative's own); otherwise they are
// dropped and consumers compare, which is always correct.
import { hash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { translateGatewayApi, type GatewayApiResult } from '../gateway-api/translate.ts';
import { compareSorted } from '../snapshot/list-diff.ts';
import type { Cluster, PortListener, SnapshotContent, TlsCertificate, TranslateResult } from '../snapshot/types.ts';
import { GATEWAY_API_MAPS, type ResourceSet } from '../store/types.ts';
import { sameOptions, type TranslateCache } from './cache.ts';
import { RecordingLookups, unchanged, type Dependencies } from './lookups.ts';
import type { TranslateOptions } from './options.ts';

/** What the cache keeps of the Gateway API part: its inputs (by identity) and result. */
export interface GatewayApiEntry {
  readonly maps: readonly unknown[];
  readonly options: TranslateOptions;
  readonly deps: Dependencies;
  readonly result: GatewayApiResult;
}

/** The last composition, so an unchanged pair of parts gives back the very same result. */
export interface ComposedEntry {
  readonly knative: TranslateResult;
  readonly gatewayApi: GatewayApiResult;
  readonly result: TranslateResult;
}

/** The Gateway API part of `set`, reused from the cache when none of its inputs changed. */
export function gatewayApiPart(set: ResourceSet, options: TranslateOptions, cache: TranslateCache): GatewayApiResult {
  const maps = GATEWAY_API_MAPS.map((m) => set[m]);
  const hit = cache.gatewayApi;
  if (hit !== undefined && sameOptions(hit.options, options) && hit.maps.every((m, i) => m === maps[i]) && unchanged(hit.deps, set)) return hit.result;
  const lookups = new RecordingLookups(set);
  const fresh = translateGatewayApi(set, lookups, options);
  const result = hit === undefined ? fresh : { ...fresh, ports: sameObjects(hit.result.ports, fresh.ports) };
  cache.gatewayApi = { maps, options, deps: lookups.deps, result };
  return result;
}

// A port whose content did not change keeps its previous object, so the ports diff (by identity)
// names only the ports an edit touched and the data plane rebuilds only those.
function sameObjects(before: readonly PortListener[], after: readonly PortListener[]): readonly PortListener[] {
  const old = new Map(before.map((p) => [p.name, p]));
  let changed = before.length !== after.length;
  const out = after.map((p) => {
    const o = old.get(p.name);
    if (o !== undefined && isDeepStrictEqual(o, p)) return o;
    changed = true;
    return p;
  });
  return changed ? out : before;
}

const EMPTY_PART = (r: GatewayApiResult): boolean => r.ports.length === 0 && r.clusters.length === 0 && r.tls.length === 0;

export function compose(knative: TranslateResult, gw: GatewayApiResult, cache: TranslateCache): TranslateResult {
  const previous = cache.composed;
  if (previous !== undefined && previous.knative === knative && previous.gatewayApi === gw) return previous.result;
  const snapshot: SnapshotContent = EMPTY_PART(gw)
    ? knative.snapshot
    : Object.freeze({
        ...knative.snapshot,
        ports: gw.ports,
        clusters: mergeClusters(knative.snapshot.clusters, gw.clusters),
        tls: mergeTls(knative.snapshot.tls, gw.tls),
        hash: hash('sha256', `${knative.snapshot.hash}\n${JSON.stringify([gw.ports, gw.clusters, gw.tls])}`, 'hex'),
      });
  const ownLists = gw.clusters.length === 0 && gw.tls.length === 0;
  const prevOwnLists = previous !== undefined && previous.gatewayApi.clusters.length === 0 && previous.gatewayApi.tls.length === 0;
  // Knative has no ports: the ports diff is the Gateway API part's, found by comparing (a short list).
  const ports =
    knative.diffs !== undefined && previous !== undefined && knative.diffs.since === previous.knative.snapshot && ownLists && prevOwnLists
      ? compareSorted(previous.result.snapshot.ports, snapshot.ports, (p) => p.name)
      : undefined;
  const diffs = knative.diffs !== undefined && previous !== undefined && ports !== undefined ? Object.freeze({ ...knative.diffs, ports, since: previous.result.snapshot }) : undefined;
  const result: TranslateResult = Object.freeze({
    snapshot: Object.freeze(snapshot),
    statuses: knative.statuses,
    objectStatuses: gw.objectStatuses,
    diagnostics: knative.diagnostics,
    ...(diffs !== undefined && { diffs }),
  });
  cache.composed = { knative, gatewayApi: gw, result };
  return result;
}

function mergeClusters(a: readonly Cluster[], b: readonly Cluster[]): readonly Cluster[] {
  if (b.length === 0) return a;
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
