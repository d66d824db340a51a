// config-sluice's route defaults onto the snapshot's routes (pure), so the data plane and xDS serve
// them as they serve a route's own policies: the gateway-wide ext_authz on every route whose policies
// set none (a route's `disabled: true` or its own server wins; Gloo's customAuth takes the gateway's
// server with its context extensions), and the stream idle timeout on every route without an idle
// timeout of its own. Routes keep their objects while the defaults and they are unchanged, so
// policy state (token buckets) survives unrelated edits.
import { mapRoutes } from '../snapshot/map-routes.ts';
import type { ExtAuthzPolicy, GatewayDefaults, Route, SnapshotContent, TrafficPolicies } from '../snapshot/types.ts';

const made = new WeakMap<Route, { readonly key: string; readonly route: Route }>();

/** The route's ext_authz under the gateway's: its own, the gateway's (with a customAuth's extensions), or none. */
function authzOf(own: ExtAuthzPolicy | undefined, gateway: ExtAuthzPolicy | undefined): ExtAuthzPolicy | undefined {
  if (own === undefined) return gateway;
  if (own.fromGateway !== true) return own;
  if (gateway === undefined) return undefined;
  return own.contextExtensions === undefined ? gateway : Object.freeze({ ...gateway, contextExtensions: own.contextExtensions });
}

function withDefaults(route: Route, d: GatewayDefaults, key: string): Route {
  const had = made.get(route);
  if (had !== undefined && had.key === key) return had.route;
  const own = route.policies?.extAuthz;
  const authz = authzOf(own, d.extAuthz);
  const idle = d.streamIdleTimeout !== undefined && route.timeout?.idle === undefined ? d.streamIdleTimeout : undefined;
  let out = route;
  if (authz !== own) {
    const { extAuthz: _, ...rest } = route.policies ?? {};
    const policies: TrafficPolicies = Object.freeze(authz === undefined ? rest : { ...rest, extAuthz: authz });
    out = { ...out, policies };
  }
  if (idle !== undefined) out = { ...out, timeout: Object.freeze({ ...route.timeout, idle }) };
  if (out !== route) out = Object.freeze(out);
  made.set(route, { key, route: out });
  return out;
}

/** Whether the defaults touch routes at all (the others are listener settings). */
export function hasRouteDefaults(d: GatewayDefaults | undefined): boolean {
  return d !== undefined && (d.extAuthz !== undefined || d.streamIdleTimeout !== undefined);
}

/**
 * The snapshot's routes under the defaults (Gloo customAuth routes are resolved either way: see
 * translate/gateway-defaults.ts).
 */
export function withRouteDefaults(s: SnapshotContent, d: GatewayDefaults): SnapshotContent {
  const key = JSON.stringify([d.extAuthz ?? null, d.streamIdleTimeout ?? null]);
  return Object.freeze({ ...s, ...mapRoutes(s, (r) => withDefaults(r, d, key)) });
}
