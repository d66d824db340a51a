// The access policies of the routes (IP lists, body limits, JWT) in
// Envoy's terms: the HTTP filters a snapshot's connection managers need, each disabled there, and
// the per-route configs that enable them on the routes that carry a policy.
import type { Route, Snapshot } from '../snapshot/types.ts';
import type { ProtoObject } from './encode.ts';
import { BUFFER_FILTER, BUFFER_FILTER_NAME, bufferPerRoute, limitsBodies } from './buffer.ts';
import { JWT_FILTER_NAME, jwtAuthnFilter, jwtPerRoute } from './jwt-authn.ts';
import { limitsAddresses, RBAC_FILTER, RBAC_FILTER_NAME, rbacPerRoute } from './rbac.ts';

/**
 * The filters some route of the snapshot enables, in the data plane's order (policies/kinds.ts):
 * `before` the local rate limit (IP lists, body limits: the cheapest refusals), `after` it (JWT).
 */
export function authFilters(snapshot: Snapshot): { readonly before: ProtoObject[]; readonly after: ProtoObject[] } {
  const jwt = jwtAuthnFilter(snapshot);
  const before = [...(limitsAddresses(snapshot) ? [RBAC_FILTER] : []), ...(limitsBodies(snapshot) ? [BUFFER_FILTER] : [])];
  return { before, after: jwt === undefined ? [] : [jwt] };
}

/** The route's per-filter configs for those filters; undefined when it has none. */
export function authPerFilter(route: Route): Record<string, ProtoObject> | undefined {
  const p = route.policies;
  if (p === undefined) return undefined;
  const out: Record<string, ProtoObject> = {};
  if (p.ipAccess !== undefined) out[RBAC_FILTER_NAME] = rbacPerRoute(p.ipAccess);
  const body = p.requestBody === undefined ? undefined : bufferPerRoute(p.requestBody);
  if (body !== undefined) out[BUFFER_FILTER_NAME] = body;
  const jwt = jwtPerRoute(route);
  if (jwt !== undefined) out[JWT_FILTER_NAME] = jwt;
  return Object.keys(out).length === 0 ? undefined : out;
}
