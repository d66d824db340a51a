// The snapshot's route policies that need more than per-route config in Envoy: the HTTP filters
// every connection manager carries (only those some route uses) and the clusters of the services
// they call. Per-route parts are in route-action.ts (withPolicies).
import type { Route, Snapshot } from '../snapshot/types.ts';
import type { ProtoObject } from './encode.ts';
import { extAuthzFilter, extAuthzFilterName, extAuthzService, servedExtAuthz } from './ext-authz.ts';
import { rateLimitFilter, rateLimitFilterName, servesGlobalLimit } from './ratelimit.ts';
import type { NamedResource } from './routes.ts';
import { serviceCluster, type ServiceProtocol } from './service-cluster.ts';

export interface EnvoyPolicies {
  /** HTTP filters after local_ratelimit, before the fault filter: the global rate limits', then ext_authz's */
  readonly filters: readonly ProtoObject[];
  /** the ext_authz filters' names (routes not using one switch it off) */
  readonly extAuthzFilters: readonly string[];
  /** the services' clusters, sorted by name */
  readonly clusters: readonly NamedResource[];
}

export const NO_POLICIES: EnvoyPolicies = { filters: [], extAuthzFilters: [], clusters: [] };

export function snapshotRoutes(snapshot: Snapshot): Route[] {
  const vhosts = [...snapshot.listeners.external, ...snapshot.listeners.local, ...snapshot.ports.flatMap((p) => p.virtualHosts)];
  return vhosts.flatMap((v) => v.routes);
}

const byName = (a: { readonly name?: unknown }, b: { readonly name?: unknown }): number => (String(a.name) < String(b.name) ? -1 : String(a.name) > String(b.name) ? 1 : 0);

/** Everything Envoy needs besides per-route config for the snapshot's route policies (pure). */
export function envoyPolicies(snapshot: Snapshot): EnvoyPolicies {
  const limits = new Map<string, ProtoObject>();
  const authz = new Map<string, ProtoObject>();
  const services = new Map<string, { protocol: ServiceProtocol; address: string }>();
  for (const r of snapshotRoutes(snapshot)) {
    const g = r.policies?.globalRateLimit;
    if (g !== undefined && servesGlobalLimit(g)) {
      const name = rateLimitFilterName(g);
      if (!limits.has(name)) limits.set(name, rateLimitFilter(g));
      services.set(`h2 ${g.service}`, { protocol: 'h2', address: g.service });
    }
    const a = servedExtAuthz(r);
    const s = a && extAuthzService(a);
    if (a !== undefined && s !== undefined) {
      const name = extAuthzFilterName(a);
      if (!authz.has(name)) authz.set(name, extAuthzFilter(a));
      services.set(`${s.protocol} ${s.address}`, s);
    }
  }
  if (limits.size === 0 && authz.size === 0) return NO_POLICIES;
  const clusters: NamedResource[] = [];
  for (const s of services.values()) {
    const c = serviceCluster(s.protocol, s.address);
    if (c !== undefined) clusters.push(c);
  }
  // Rate limits before ext_authz, as on the data plane (policies/kinds.ts): they shield the auth server.
  const authzFilters = [...authz.values()].sort(byName);
  return {
    filters: [...[...limits.values()].sort(byName), ...authzFilters],
    extAuthzFilters: authzFilters.map((f) => String(f.name)),
    clusters: clusters.sort(byName),
  };
}
