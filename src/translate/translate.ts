// resources -> Snapshot content + per-ingress status + diagnostics. Pure: no I/O, no clock, no
// randomness; the same ResourceSet and the same ready versions (cache.readyVersions: the last
// version of an ingress served with endpoints, kept while a newer one waits for them) always give
// the same result, whatever order its maps were filled in and whatever else the cache holds. Each ingress is translated on its own (ingress.ts);
// merge.ts combines them and settles host conflicts; problems stay on the ingress they belong to.
// The Gateway API's objects are translated beside them (gateway-api/translate.ts) and the two
// parts composed into one snapshot (compose.ts).
import type { TranslateResult } from '../snapshot/types.ts';
import type { ResourceSet } from '../store/types.ts';
import { sameOptions, TranslateCache } from './cache.ts';
import { attachTrafficPolicies } from '../gateway-api/traffic-policy-attach.ts';
import { attachBackendPolicies } from '../gateway-api/backend-policy-attach.ts';
import { compose, glooPart } from './compose.ts';
import { gatewayApiPart } from './gateway-part.ts';
import type { TranslateOptions } from './options.ts';
import { TranslateState } from './state.ts';
import { withGatewayDefaults } from './gateway-defaults.ts';

/**
 * `cache` carries translations over from earlier calls (the pipeline keeps one); the result is the
 * same with a fresh cache, only slower, except that a fresh cache knows no earlier version, so an
 * ingress waiting for endpoints is then served as it is. Without one, everything is translated from
 * scratch.
 *
 * With a cache, a set that leads from the set translated last (`set.changes.since`, as the Store
 * makes them) is translated incrementally: only the ingresses it changed, or whose Services,
 * EndpointSlices, Endpoints or Secrets it changed, are looked at again (state.ts). Any other set
 * starts over (reusing the cached translations of unchanged ingresses).
 */
export function translate(set: ResourceSet, options: TranslateOptions, cache: TranslateCache = new TranslateCache()): TranslateResult {
  const composed = compose(translateKnative(set, options, cache), gatewayApiPart(set, options, cache), glooPart(set, options, cache), cache);
  const routed = attachBackendPolicies(attachTrafficPolicies(composed, set), set);
  return withGatewayDefaults(routed, set.configMaps, set.secrets, options.gatewayNamespace ?? 'sluice-system');
}

/** The Knative Ingress part alone (incremental, see above). */
export function translateKnative(set: ResourceSet, options: TranslateOptions, cache: TranslateCache): TranslateResult {
  let state = cache.state;
  if (state !== undefined && state.set === set && state.result !== undefined && sameOptions(state.options, options)) return state.result;
  if (state === undefined || state.set === undefined || set.changes?.since.deref() !== state.set || !sameOptions(state.options, options)) {
    state = new TranslateState(options);
  }
  // A failed update leaves the state half done: the next call starts over.
  cache.state = undefined;
  const result = state.update(set, cache);
  cache.state = state;
  return result;
}
