// The access policies of the routes (IP lists; JWT and body limits follow the same shape) in
// Envoy's terms: the HTTP filters a snapshot's connection managers need, each disabled there, and
// the per-route configs that enable them on the routes that carry a policy.
import type { Route, Snapshot } from '../snapshot/types.ts';
import type { ProtoObject } from './encode.ts';
import { limitsAddresses, RBAC_FILTER, RBAC_FILTER_NAME, rbacPerRoute } from './rbac.ts';

/** The filters, in the order they run (cheapest refusal first), that some route of the snapshot enables. */
export function authFilters(snapshot: Snapshot): ProtoObject[] {
  return limitsAddresses(snapshot) ? [RBAC_FILTER] : [];
}

/** The route's per-filter configs for those filters; undefined when it has none. */
export function authPerFilter(route: Route): Record<string, ProtoObject> | undefined {
  const p = route.policies;
  if (p === undefined) return undefined;
  const out: Record<string, ProtoObject> = {};
  if (p.ipAccess !== undefined) out[RBAC_FILTER_NAME] = rbacPerRoute(p.ipAccess);
  return Object.keys(out).length === 0 ? undefined : out;
}
