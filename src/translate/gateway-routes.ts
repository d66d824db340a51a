// The rules of each Gateway API route, kept with what they read, as cache.ts keeps each Knative
// ingress: an HTTPRoute's rules are reused while the route object, the lookups it made (Services,
// EndpointSlices), the Gloo Upstreams (and, for a route naming one, every Service) and the options
// are the very same, and the ReferenceGrants give the same answer to each reference it made into
// another namespace (a grant edit then translates only the routes whose answer changed). An edit of one route among 10,000 then translates
// that route's rules alone; attachment, ports and statuses are assembled from the kept rules.
import { crossingKey, grantIndexOf, refAllowed, type RefTo } from '../gateway-api/reference-grants.ts';
import type { RouteRulesOf } from '../gateway-api/translate.ts';
import { GATEWAY_GROUP } from '../gateway-api/types.ts';
import type { RouteRulesResult } from '../gateway-api/route-rules.ts';
import { kept } from '../snapshot/kept-lists.ts';
import type { ResourceSet } from '../store/types.ts';
import { RecordingLookups, unchanged, type Dependencies } from './lookups.ts';
import { sameOptions } from './cache.ts';
import type { TranslateOptions } from './options.ts';
import type { GrantReads } from './gateway-grant-reads.ts';
import type { RouteReads } from './route-reads.ts';

/** A reference into another namespace and the grants' answer to it. */
interface Crossing {
  readonly to: RefTo;
  readonly allowed: boolean;
}

/** Most routes reference nothing in another namespace: one empty list for all of them. */
const NO_CROSSINGS: readonly Crossing[] = [];

interface RulesEntry {
  readonly options: TranslateOptions;
  readonly crossings: readonly Crossing[];
  readonly upstreams: unknown;
  /** the Services map, when the rules named a Gloo Upstream (its index reads every Service) */
  readonly services: unknown;
  readonly deps: Dependencies;
  readonly result: RouteRulesResult;
  /** the generation of lookup maps (RouteRulesCache) `deps` were last found to hold in */
  checked: number;
}

/** The maps a route's rules look things up in (lookups.ts DepKind); a store never changes one it handed out. */
type LookupMaps = Pick<ResourceSet, 'services' | 'endpointSlicesByService' | 'endpoints' | 'secrets'>;

const sameMaps = (a: LookupMaps, b: LookupMaps): boolean => a.services === b.services && a.endpointSlicesByService === b.endpointSlicesByService && a.endpoints === b.endpoints && a.secrets === b.secrets;

/**
 * Whether what the rules read is still the same in `set`, whose lookup maps are `generation`. The
 * same maps as when last checked (a Gateway or grant edit changes none of them) need no lookup: at
 * 10,000 routes those lookups were 10-15% of a Gateway edit, which attaches every route again.
 */
function depsHold(entry: RulesEntry, set: ResourceSet, generation: number): boolean {
  if (entry.checked === generation) return true;
  if (!unchanged(entry.deps, set)) return false;
  entry.checked = generation;
  return true;
}

export class RouteRulesCache {
  readonly #routes = new WeakMap<object, RulesEntry>();
  /** the lookup maps of the last set, and their generation (counted up when any of them is another map) */
  #maps: LookupMaps | undefined;
  #generation = 0;

  /**
   * A RouteRulesOf for translating `set`: each route's rules from the cache or translated afresh.
   * What each route read goes to `reads` and `grantReads` (gateway-part.ts finds the routes a
   * change touches with them); `onTranslate` hears each route actually translated.
   */
  rulesOf(set: ResourceSet, options: TranslateOptions, reads: RouteReads, grantReads: GrantReads, onTranslate: ((key: string) => void) | undefined): RouteRulesOf {
    if (this.#maps === undefined || !sameMaps(this.#maps, set)) {
      this.#maps = { services: set.services, endpointSlicesByService: set.endpointSlicesByService, endpoints: set.endpoints, secrets: set.secrets };
      this.#generation++;
    }
    const generation = this.#generation;
    return (route, id, translate) => {
      const namespace = route.metadata.namespace ?? 'default';
      const hit = this.#routes.get(route);
      if (
        hit !== undefined &&
        hit.upstreams === set.glooUpstreams &&
        (hit.services === undefined || hit.services === set.services) &&
        sameOptions(hit.options, options) &&
        depsHold(hit, set, generation) &&
        sameAnswers(hit.crossings, set, { group: GATEWAY_GROUP, kind: route.kind, namespace })
      ) {
        reads.set(id, hit.deps, hit.services !== undefined);
        grantReads.set(id, crossingKeys(route.kind, namespace, hit.crossings));
        return hit.result;
      }
      const lookups = new RecordingLookups(set);
      let services: unknown;
      const crossings: Crossing[] = [];
      const result = translate(lookups, { usesUpstreams: () => (services = set.services), crossed: (to, allowed) => crossings.push({ to, allowed }) });
      onTranslate?.(id);
      const deps = kept(lookups.deps);
      this.#routes.set(route, { options, crossings: crossings.length === 0 ? NO_CROSSINGS : crossings, upstreams: set.glooUpstreams, services, deps, result, checked: generation });
      reads.set(id, deps, services !== undefined);
      grantReads.set(id, crossingKeys(route.kind, namespace, crossings));
      return result;
    };
  }
}

function sameAnswers(crossings: readonly Crossing[], set: ResourceSet, from: { group: string; kind: string; namespace: string }): boolean {
  if (crossings.length === 0) return true;
  const grants = grantIndexOf(set.referenceGrants);
  return crossings.every((c) => refAllowed(grants, from, c.to) === c.allowed);
}

function crossingKeys(kind: string, namespace: string, crossings: readonly Crossing[]): string[] {
  return crossings.length === 0 ? [] : [...new Set(crossings.map((c) => crossingKey(kind, namespace, c.to.namespace)))];
}
