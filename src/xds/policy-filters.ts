// The snapshot's route policies that need more than per-route config in Envoy: the HTTP filters
// every connection manager carries (only those some route uses) and the clusters of the services
// they call. Per-route parts are in route-action.ts (withPolicies).
import type { Route, Snapshot } from '../snapshot/types.ts';
import type { ProtoObject } from './encode.ts';
import { rateLimitFilter, rateLimitFilterName, servesGlobalLimit } from './ratelimit.ts';
import type { NamedResource } from './routes.ts';
import { serviceCluster, type ServiceProtocol } from './service-cluster.ts';

export interface EnvoyPolicies {
  /** HTTP filters after local_ratelimit, before the fault filter: the global rate limits' */
  readonly filters: readonly ProtoObject[];
  /** the services' clusters, sorted by name */
  readonly clusters: readonly NamedResource[];
}

export const NO_POLICIES: EnvoyPolicies = { filters: [], clusters: [] };

export function snapshotRoutes(snapshot: Snapshot): Route[] {
  const vhosts = [...snapshot.listeners.external, ...snapshot.listeners.local, ...snapshot.ports.flatMap((p) => p.virtualHosts)];
  return vhosts.flatMap((v) => v.routes);
}

const byName = (a: { readonly name?: unknown }, b: { readonly name?: unknown }): number => (String(a.name) < String(b.name) ? -1 : String(a.name) > String(b.name) ? 1 : 0);

/** Everything Envoy needs besides per-route config for the snapshot's route policies (pure). */
export function envoyPolicies(snapshot: Snapshot): EnvoyPolicies {
  const limits = new Map<string, ProtoObject>();
  const services = new Map<string, { protocol: ServiceProtocol; address: string }>();
  for (const r of snapshotRoutes(snapshot)) {
    const g = r.policies?.globalRateLimit;
    if (g !== undefined && servesGlobalLimit(g)) {
      const name = rateLimitFilterName(g);
      if (!limits.has(name)) limits.set(name, rateLimitFilter(g));
      services.set(`h2 ${g.service}`, { protocol: 'h2', address: g.service });
    }
  }
  if (limits.size === 0) return NO_POLICIES;
  const clusters: NamedResource[] = [];
  for (const s of services.values()) {
    const c = serviceCluster(s.protocol, s.address);
    if (c !== undefined) clusters.push(c);
  }
  return { filters: [...limits.values()].sort(byName), clusters: clusters.sort(byName) };
}
