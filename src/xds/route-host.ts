// IR url-rewrite `autoHostname` -> Envoy's `auto_host_rewrite`: the Host becomes the chosen
// endpoint's hostname. A LOGICAL_DNS cluster's hosts have their DNS name as hostname; EDS
// endpoints have one only when it is given (LbEndpoint.endpoint.hostname), so the clusters such
// routes send to get their addresses as hostnames, as the data plane uses the address there.
import type { RouteFilter, Snapshot } from '../snapshot/types.ts';

const autoHost = (filters: readonly RouteFilter[]) => filters.some((f) => f.type === 'url-rewrite' && f.autoHostname === true);

/** Names of the clusters some route (or backend) with autoHostname sends to. */
export function autoHostClusters(snapshot: Snapshot): ReadonlySet<string> {
  const out = new Set<string>();
  const vhosts = [...snapshot.listeners.external, ...snapshot.listeners.local, ...snapshot.ports.flatMap((p) => p.virtualHosts)];
  for (const v of vhosts) {
    for (const r of v.routes) {
      const onRoute = autoHost(r.filters);
      for (const s of r.splits) if (s.cluster !== undefined && (onRoute || autoHost(s.filters))) out.add(s.cluster);
    }
  }
  return out;
}

/** The hostname an EDS endpoint at `address` gets: the address, an IPv6 one in brackets (a Host). */
export function endpointHostname(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}
