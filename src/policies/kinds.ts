// The data-plane policy kinds compiled from a route's IR `policies` (snapshot/types.ts), in the order
// they run: IP lists and declared body lengths first (cheapest: a refused request costs nothing
// more), rate limits (cheap, and they shield what follows: the local one before the global one's
// call), JWT (its claims may matter to ext_authz), then ext_authz.
// A policy's state (buckets, clients) lives as long as its IR route object: an unchanged route keeps
// it across snapshot swaps, and every split of a route shares it.
import type { Route } from '../snapshot/types.ts';
import type { ExchangePolicy, ForwardDecision, PolicyKind } from '../proxy/exchange-policy.ts';
import { BodyLimit } from './body-limit.ts';
import { DeferredPolicy } from './deferred-policy.ts';
import { IpAccess } from './ip-access.ts';
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

export const ipAccessKind: PolicyKind = perRoute((r) => (r.policies?.ipAccess === undefined ? undefined : new IpAccess(r.policies.ipAccess)));

export const bodyLimitKind: PolicyKind = perRoute((r) => (r.policies?.requestBody === undefined ? undefined : new BodyLimit(r.policies.requestBody)));

export const rateLimitKind: PolicyKind = perRoute((r) => (r.policies?.rateLimit === undefined ? undefined : new LocalRateLimit(r.policies.rateLimit)));

// The kinds below need grpc-js or jose: loaded with their first request (deferred-policy.ts).
export const globalRateLimitKind: PolicyKind = perRoute((r) => {
  const g = r.policies?.globalRateLimit;
  return g === undefined ? undefined : new DeferredPolicy(undefined, async () => new (await import('./global-rate-limit.ts')).GlobalRateLimit(g));
});

// `disabled: true` switches ext_authz off for the route (net-kourier#1197); `fromGateway` left
// unresolved means the gateway has no server (route-defaults.ts).
export const extAuthzKind: PolicyKind = perRoute((r) => {
  const a = r.policies?.extAuthz;
  return a === undefined || a.disabled === true || a.fromGateway === true ? undefined : new DeferredPolicy('UAEX', async () => new (await import('./ext-authz.ts')).ExtAuthz(a));
});

// `disabled: true` switches JWT authentication off for the route.
export const jwtKind: PolicyKind = perRoute((r) => {
  const j = r.policies?.jwt;
  return j === undefined || j.disabled === true ? undefined : new DeferredPolicy(undefined, async () => new (await import('./jwt.ts')).JwtAuth(j));
});

/** Every kind that reads `Route.policies`. */
export const routePolicyKinds: readonly PolicyKind[] = [ipAccessKind, bodyLimitKind, rateLimitKind, globalRateLimitKind, jwtKind, extAuthzKind];
