// The Gateway API part of a translation, kept in the cache: reused whole when nothing it reads
// changed; patched (gateway-api/translate.ts patchGatewayApi) when a set leads from the one
// translated last and changed routes, what some routes read (Services, EndpointSlices, Endpoints,
// Secrets), ReferenceGrants (the routes crossing into their namespaces), the Gateway-level inputs
// (GatewayClasses, Gateways, ConfigMaps, listener Secrets: the routes a changed listener may take
// or leave) or Namespaces (their routes, when a listener selects namespaces by label); otherwise
// (Gloo Upstreams; an HTTPRoute and a GRPCRoute meeting on a host name) translated again whole,
// each route's rules still from the RouteRulesCache. At 10,000 HTTPRoutes an edit of one is
// then the work of one route, and a grant's the work of the routes it concerns.
import { patchGatewayApi, translateGatewayApiIndexed, type GatewayApiResult, type GatewayApiTranslation } from '../gateway-api/translate.ts';
import type { ResourceSet } from '../store/types.ts';
import { sameOptions, type TranslateCache } from './cache.ts';
import { RecordingLookups, unchanged, type Dependencies } from './lookups.ts';
import type { TranslateOptions } from './options.ts';
import { reusePorts } from './part-digest.ts';
import { RouteReads } from './route-reads.ts';
import { GrantReads } from './gateway-grant-reads.ts';
import { grantScopes } from '../gateway-api/reference-grants.ts';

/** What the cache keeps of the Gateway API part. */
export interface GatewayApiEntry {
  readonly set: ResourceSet;
  readonly options: TranslateOptions;
  /** what the Gateway-level translation read (Secrets of listeners, the gateway Services) */
  readonly deps: Dependencies;
  /** what each route's rules read */
  readonly reads: RouteReads;
  /** each route's references into other namespaces */
  readonly grantReads: GrantReads;
  readonly translation: GatewayApiTranslation;
}

/** The maps besides the routes that the part reads whole: any change to them translates it again. */
const WHOLE_MAPS = ['glooUpstreams'] as const;
/** The Gateway-level maps: a change to them resolves the Gateways again and patches (patchGatewayApi). */
const GATEWAY_MAPS = ['gatewayClasses', 'gateways', 'referenceGrants', 'configMaps', 'namespaces'] as const;

export function gatewayApiPart(set: ResourceSet, options: TranslateOptions, cache: TranslateCache): GatewayApiResult {
  const hit = cache.gatewayApi;
  if (hit !== undefined && sameOptions(hit.options, options)) {
    const change = changeOf(hit, set);
    if (
      (change !== undefined && change.ids.size === 0 && !change.gatewayLevel) ||
      (change === undefined && [...WHOLE_MAPS, ...GATEWAY_MAPS].every((m) => set[m] === hit.set[m]) && set.httpRoutes === hit.set.httpRoutes && set.grpcRoutes === hit.set.grpcRoutes && unchanged(hit.deps, set) && hit.reads.unchanged(set))
    ) {
      cache.gatewayApi = { ...hit, set };
      return hit.translation.result;
    }
    if (change !== undefined && change.ids.size <= 64 + hit.translation.index.routes.size / 8) {
      // The index is updated in place: if this throws, the next translate starts over.
      cache.gatewayApi = undefined;
      for (const id of change.ids) {
        hit.reads.delete(id);
        hit.grantReads.delete(id);
      }
      const lookups = change.gatewayLevel ? new RecordingLookups(set) : undefined;
      const namespaces = change.namespaces;
      const rulesOf = cache.routeRules.rulesOf(set, options, hit.reads, hit.grantReads, cache.onTranslate);
      const patched = patchGatewayApi(hit.translation, set, change.ids, rulesOf, cache.onCompose, lookups && { lookups, options, namespaces });
      if (patched !== undefined) {
        // A port rebuilt whole (a Gateway edit changed its listeners) keeps the virtual hosts that did not change.
        const translation = lookups === undefined ? patched : { ...patched, result: { ...patched.result, ports: reusePorts(hit.translation.result.ports, patched.result.ports) } };
        cache.gatewayApi = { ...hit, set, translation, deps: lookups?.deps ?? hit.deps };
        return translation.result;
      }
    }
  }
  const lookups = new RecordingLookups(set);
  const reads = new RouteReads();
  const grantReads = new GrantReads();
  const fresh = translateGatewayApiIndexed(set, lookups, options, cache.routeRules.rulesOf(set, options, reads, grantReads, cache.onTranslate), cache.onCompose);
  const translation = hit === undefined ? fresh : { ...fresh, result: { ...fresh.result, ports: reusePorts(hit.translation.result.ports, fresh.result.ports) } };
  cache.gatewayApi = { set, options, deps: lookups.deps, reads, grantReads, translation };
  return translation.result;
}

/**
 * What changed since the set of `entry`, when `set` leads from it and nothing the part reads whole
 * changed: the routes (`kind namespace/name`) to attach again, and whether the Gateway-level inputs
 * changed (the Gateways are then resolved again, and the routes naming a changed one added).
 * Undefined when the part must be translated whole.
 */
function changeOf(entry: GatewayApiEntry, set: ResourceSet): { ids: Set<string>; gatewayLevel: boolean; namespaces: ReadonlySet<string> } | undefined {
  const changes = set.changes;
  if (changes === undefined || changes.since.deref() !== entry.set) return undefined;
  for (const m of WHOLE_MAPS) if (set[m] !== entry.set[m] && (changes[m]?.size ?? 1) > 0) return undefined;
  const gatewayLevel = GATEWAY_MAPS.some((m) => set[m] !== entry.set[m] && (changes[m]?.size ?? 1) > 0) || !unchanged(entry.deps, set);
  const ids = new Set<string>();
  for (const key of changes.httpRoutes) ids.add(`HTTPRoute ${key}`);
  for (const key of changes.grpcRoutes) ids.add(`GRPCRoute ${key}`);
  entry.reads.readersOf(changes, ids);
  // A grant, before and after, reaches the routes crossing into its namespace from those it names.
  for (const key of changes.referenceGrants) {
    for (const g of [entry.set.referenceGrants.get(key), set.referenceGrants.get(key)]) {
      if (g !== undefined) for (const scope of grantScopes(g)) entry.grantReads.routesCrossing(scope, ids);
    }
  }
  // A Namespace edit: the names of the namespaces edited (their routes attach again if a listener selects by labels).
  const namespaces = new Set<string>();
  if (set.namespaces !== entry.set.namespaces) {
    for (const key of changes.namespaces) {
      const ns = set.namespaces.get(key) ?? entry.set.namespaces.get(key);
      if (ns !== undefined) namespaces.add(ns.metadata.name);
    }
  }
  return { ids, gatewayLevel, namespaces };
}
