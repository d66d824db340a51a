// Incremental translation (as net-kourier caches each translated ingress): the result of
// translating one ingress is kept with the ingress object it came from, the object each of its
// lookups returned (Services, EndpointSlices, Endpoints, Secrets) and the options. On the next
// translate it is reused when all of those are the very same objects, so an edit re-translates only
// the ingresses it touches. Sources and the Store keep object identity for resources that did not
// change, which is what makes identity a sound and cheap test. The cache also remembers the parts
// of the merge and the statuses that depend on one ingress alone, and the last version of each
// ingress served with ready endpoints (kept served while a newer one waits for endpoints).
import type { KIngress, Origin, Sourced } from '../api/types.ts';
import type { IngressInfo, IngressStatusReport } from '../snapshot/types.ts';
import type { ResourceSet } from '../store/types.ts';
import { translateIngress, type TranslatedIngress } from './ingress.ts';
import { RecordingLookups, unchanged, type Dependencies } from './lookups.ts';
import type { TranslateOptions } from './options.ts';
import type { TranslateState } from './state.ts';
import type { ComposedEntry, GlooEntry } from './compose.ts';
import type { GatewayApiEntry } from './gateway-part.ts';
import { RouteRulesCache } from './gateway-routes.ts';

interface Entry {
  readonly origin: Origin;
  readonly options: TranslateOptions;
  readonly deps: Dependencies;
  readonly result: TranslatedIngress;
}

export class TranslateCache {
  readonly #ingresses = new WeakMap<KIngress, Entry>();
  /** IngressInfo of an ingress that lost no host to another one */
  readonly infos = new WeakMap<TranslatedIngress, IngressInfo>();
  /** status of an ingress with no rejection and no conflict */
  readonly statuses = new WeakMap<TranslatedIngress, IngressStatusReport>();
  /** the lookups each translation made (the translator indexes ingresses by what they read) */
  readonly #deps = new WeakMap<TranslatedIngress, Dependencies>();
  /**
   * The last version of each ingress (by key) served with ready endpoints: the one piece of
   * history the result depends on. While a newer version waits for endpoints, this one stays
   * served (state.ts), as net-kourier keeps its cached translation when a new one has none.
   */
  readonly readyVersions = new Map<string, Sourced<KIngress>>();
  /** the Gateway API part and the last composition of both parts (compose.ts) */
  gatewayApi: GatewayApiEntry | undefined;
  /** the rules of each Gateway API route (gateway-routes.ts) */
  readonly routeRules = new RouteRulesCache();
  /** the Gloo Edge part (compose.ts) */
  gloo: GlooEntry | undefined;
  composed: ComposedEntry | undefined;
  /** the translator's state after the last translate() with this cache (see state.ts) */
  state: TranslateState | undefined;
  /** called each time an ingress (its key) or a Gateway API route (`HTTPRoute ns/name`) is actually translated (tests count re-translations with it) */
  onTranslate: ((key: string) => void) | undefined;
  /** called for each Gateway API route attached (`attach HTTPRoute ns/name`) and virtual host built (`vhost NAME`): tests count recompositions with it */
  onCompose: ((what: string) => void) | undefined;

  /** The translation of one ingress, reused when nothing it read has changed. */
  ingress(sourced: Sourced<KIngress>, set: ResourceSet, options: TranslateOptions): TranslatedIngress {
    const ing = sourced.resource;
    const hit = this.#ingresses.get(ing);
    if (hit !== undefined && sameOptions(hit.options, options) && unchanged(hit.deps, set)) {
      if (sameOrigin(hit.origin, sourced.origin)) return hit.result;
      // Moved (another file or document index) but otherwise the same: only the origin differs.
      const moved = Object.freeze({ ...hit.result, origin: sourced.origin });
      this.#ingresses.set(ing, { ...hit, origin: sourced.origin, result: moved });
      this.#deps.set(moved, hit.deps);
      return moved;
    }
    const lookups = new RecordingLookups(set);
    const result = freezeTranslated(translateIngress(sourced, lookups, options));
    this.onTranslate?.(result.key);
    this.#ingresses.set(ing, { origin: sourced.origin, options, deps: lookups.deps, result });
    this.#deps.set(result, lookups.deps);
    return result;
  }

  /** What translating `t` read (empty for a translation this cache did not make). */
  depsOf(t: TranslatedIngress): Dependencies {
    return this.#deps.get(t) ?? [];
  }
}

export function sameOptions(a: TranslateOptions, b: TranslateOptions): boolean {
  return (
    a === b ||
    (a.clusterDomain === b.clusterDomain &&
      a.publicDomain === b.publicDomain &&
      a.privateDomain === b.privateDomain &&
      a.ingressClass === b.ingressClass &&
      a.requireClass === b.requireClass &&
      a.gatewayAddress === b.gatewayAddress &&
      a.portOffset === b.portOffset &&
      a.gatewayService === b.gatewayService)
  );
}

function sameOrigin(a: Origin, b: Origin): boolean {
  return a === b || (a.file === b.file && a.doc === b.doc && a.item === b.item && a.cluster === b.cluster);
}

// Freezing once, when an ingress is translated, instead of the whole snapshot on every change:
// consumers share these values across swaps, and freezing makes accidental edits throw. The
// origin is left alone: it belongs to the source.
function freezeTranslated(t: TranslatedIngress): TranslatedIngress {
  deepFreeze(t.vhosts);
  deepFreeze(t.clusters);
  deepFreeze(t.tls);
  deepFreeze(t.problems);
  deepFreeze(t.waiting);
  return Object.freeze(t);
}

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    if (Array.isArray(value)) for (let i = 0; i < value.length; i++) deepFreeze(value[i]);
    else for (const k in value) deepFreeze((value as Record<string, unknown>)[k]);
  }
  return value;
}
