// The names of the resources the xDS server serves for a snapshot, as an Envoy subscribes (listeners
// and clusters by wildcard, every EDS assignment, the route configurations of Knative's three
// listeners, with VHDS every virtual host of them), from the snapshot alone with the server's own
// naming functions: what bench/scale-xds-clients.ts must hold to count itself synced, and which of
// them an edit of one app changes.
import type { Snapshot } from '../src/snapshot/types.ts';
import { buildClusters } from '../src/xds/clusters.ts';
import { LISTENER, type ListenerAddresses } from '../src/xds/common.ts';
import { envoyFunctions } from '../src/xds/functions.ts';
import { jwksClusters } from '../src/xds/jwt-authn.ts';
import { buildEnvoyListeners } from '../src/xds/listeners.ts';
import { envoyPolicies } from '../src/xds/policy-filters.ts';
import { TypeUrl } from '../src/xds/protos.ts';
import { autoHostClusters } from '../src/xds/route-host.ts';
import { envoyRouteOptions, placedVirtualHosts, routeConfigPlans } from '../src/xds/routes.ts';
import { vhostResourceName } from '../src/xds/vhds.ts';

/** The route configurations the bench's clients name. */
export const ROUTES: readonly string[] = [LISTENER.external, LISTENER.externalTls, LISTENER.local];

/** Names by type URL, as sent over IPC. */
export type NamesByType = Record<string, string[]>;

/** VHDS virtual hosts of `routes`, those serving one of `hosts` when given. */
function vhostNames(snapshot: Snapshot, hosts?: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const plan of routeConfigPlans(snapshot, envoyRouteOptions(snapshot))) {
    if (!ROUTES.includes(plan.name)) continue;
    for (const { domains } of placedVirtualHosts(plan.vhosts)) {
      if (!hosts || domains.some((d) => hosts.has(d))) out.push(vhostResourceName(plan.name, domains));
    }
  }
  return out;
}

/** What a state-of-the-world client (`vhds` false) or a delta one (with or without VHDS) must hold. */
export function servedNames(snapshot: Snapshot, addresses: ListenerAddresses, vhds: boolean): NamesByType {
  const functions = envoyFunctions(snapshot);
  const built = buildClusters(snapshot.clusters, autoHostClusters(snapshot));
  const clusters = [...built.clusters, ...functions.clusters, ...envoyPolicies(snapshot).clusters, ...jwksClusters(snapshot)];
  const names: NamesByType = {
    [TypeUrl.listener]: buildEnvoyListeners(snapshot, addresses, functions.filters).map((l) => l.name),
    [TypeUrl.cluster]: clusters.map((c) => c.name),
    [TypeUrl.endpoint]: built.endpoints.map((e) => e.name),
    [TypeUrl.route]: [...ROUTES],
  };
  if (vhds) names[TypeUrl.vhost] = vhostNames(snapshot);
  return names;
}

/** What an edit of the app serving `hosts` changes: its virtual hosts (VHDS) or the route configurations holding them. */
export function changedNames(snapshot: Snapshot, hosts: ReadonlySet<string>, vhds: boolean): NamesByType {
  const vhosts = vhostNames(snapshot, hosts);
  if (vhds) return { [TypeUrl.vhost]: vhosts };
  return { [TypeUrl.route]: [...new Set(vhosts.map((n) => n.slice(0, n.lastIndexOf('/'))))] };
}
