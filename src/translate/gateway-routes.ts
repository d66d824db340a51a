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

interface RulesEntry {
  readonly options: TranslateOptions;
  readonly crossings: readonly Crossing[];
  readonly upstreams: unknown;
  /** the Services map, when the rules named a Gloo Upstream (its index reads every Service) */
  readonly services: unknown;
  readonly deps: Dependencies;
  readonly result: RouteRulesResult;
}

export class RouteRulesCache {
  readonly #routes = new WeakMap<object, RulesEntry>();

  /**
   * A RouteRulesOf for translating `set`: each route's rules from the cache or translated afresh.
   * What each route read goes to `reads` and `grantReads` (gateway-part.ts finds the routes a
   * change touches with them); `onTranslate` hears each route actually translated.
   */
  rulesOf(set: ResourceSet, options: TranslateOptions, reads: RouteReads, grantReads: GrantReads, onTranslate: ((key: string) => void) | undefined): RouteRulesOf {
    return (route, translate) => {
      const namespace = route.metadata.namespace ?? 'default';
      const id = `${route.kind} ${namespace}/${route.metadata.name}`;
      const hit = this.#routes.get(route);
      if (
        hit !== undefined &&
        hit.upstreams === set.glooUpstreams &&
        (hit.services === undefined || hit.services === set.services) &&
        sameOptions(hit.options, options) &&
        unchanged(hit.deps, set) &&
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
      this.#routes.set(route, { options, crossings, upstreams: set.glooUpstreams, services, deps: lookups.deps, result });
      reads.set(id, lookups.deps, services !== undefined);
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
