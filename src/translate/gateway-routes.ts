// The rules of each Gateway API route, kept with what they read, as cache.ts keeps each Knative
// ingress: an HTTPRoute's rules are reused while the route object, the lookups it made (Services,
// EndpointSlices), the ReferenceGrants, the Gloo Upstreams (and, for a route naming one, every
// Service) and the options are the very same. An edit of one route among 10,000 then translates
// that route's rules alone; attachment, ports and statuses are assembled from the kept rules.
import type { RouteRulesOf } from '../gateway-api/translate.ts';
import type { RouteRulesResult } from '../gateway-api/route-rules.ts';
import type { ResourceSet } from '../store/types.ts';
import { RecordingLookups, unchanged, type Dependencies } from './lookups.ts';
import { sameOptions } from './cache.ts';
import type { TranslateOptions } from './options.ts';
import type { RouteReads } from './route-reads.ts';

interface RulesEntry {
  readonly options: TranslateOptions;
  readonly grants: unknown;
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
   * What each route read goes to `reads` (gateway-part.ts finds the routes a change touches with
   * it); `onTranslate` hears each route actually translated.
   */
  rulesOf(set: ResourceSet, options: TranslateOptions, reads: RouteReads, onTranslate: ((key: string) => void) | undefined): RouteRulesOf {
    return (route, translate) => {
      const id = `${route.kind} ${route.metadata.namespace ?? 'default'}/${route.metadata.name}`;
      const hit = this.#routes.get(route);
      if (
        hit !== undefined &&
        hit.grants === set.referenceGrants &&
        hit.upstreams === set.glooUpstreams &&
        (hit.services === undefined || hit.services === set.services) &&
        sameOptions(hit.options, options) &&
        unchanged(hit.deps, set)
      ) {
        reads.set(id, hit.deps, hit.services !== undefined);
        return hit.result;
      }
      const lookups = new RecordingLookups(set);
      let services: unknown;
      const result = translate(lookups, () => (services = set.services));
      onTranslate?.(id);
      this.#routes.set(route, { options, grants: set.referenceGrants, upstreams: set.glooUpstreams, services, deps: lookups.deps, result });
      reads.set(id, lookups.deps, services !== undefined);
      return result;
    };
  }
}
