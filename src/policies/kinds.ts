// The data-plane policy kinds compiled from a route's IR `policies` (snapshot/types.ts), in the order
// they run: rate limits first (they shield the auth server; the local one, cheapest, before the
// global one's call), then ext_authz.
// A policy's state (buckets, clients) lives as long as its IR route object: an unchanged route keeps
// it across snapshot swaps, and every split of a route shares it.
import type { Route } from '../snapshot/types.ts';
import type { ExchangePolicy, ForwardDecision, PolicyKind } from '../proxy/exchange-policy.ts';
import { ExtAuthz } from './ext-authz.ts';
import { GlobalRateLimit } from './global-rate-limit.ts';
import { LocalRateLimit } from './rate-limit.ts';

function perRoute(make: (route: Route) => ExchangePolicy | undefined): PolicyKind {
  const made = new WeakMap<Route, ExchangePolicy | undefined>();
  return {
    compile(decision: ForwardDecision): ExchangePolicy | undefined {
      const route = decision.route.route;
      if (route.policies === undefined) return undefined;
      if (!made.has(route)) made.set(route, make(route));
      return made.get(route);
    },
  };
}

export const rateLimitKind: PolicyKind = perRoute((r) => (r.policies?.rateLimit === undefined ? undefined : new LocalRateLimit(r.policies.rateLimit)));

export const globalRateLimitKind: PolicyKind = perRoute((r) => (r.policies?.globalRateLimit === undefined ? undefined : new GlobalRateLimit(r.policies.globalRateLimit)));

// `disabled: true` switches ext_authz off for the route (net-kourier#1197).
export const extAuthzKind: PolicyKind = perRoute((r) => {
  const a = r.policies?.extAuthz;
  return a === undefined || a.disabled === true ? undefined : new ExtAuthz(a);
});

/** Every kind that reads `Route.policies`. */
export const routePolicyKinds: readonly PolicyKind[] = [rateLimitKind, globalRateLimitKind, extAuthzKind];
