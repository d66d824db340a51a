// Which endpoints of a cluster with a BackendPolicy may be picked: not ejected by outlier detection,
// not failing their health check. Shared by both pickers (upstreams.ts, fast/upstream-pool.ts), so
// every front end skips the same endpoints. Clusters without a policy never get here.
import type { Cluster, Endpoint } from '../snapshot/types.ts';

export interface EndpointGate {
  available(cluster: Cluster, endpoint: Endpoint, now: number): boolean;
}

/**
 * The first endpoint index from `start` on (round-robin order) that the gate lets through. When it
 * lets none through, `start`: as Envoy's panic mode, traffic then goes to every endpoint rather than
 * nowhere (a cluster that is all unhealthy may still answer).
 */
export function gatedIndex(cluster: Cluster, start: number, gate: EndpointGate): number {
  const eps = cluster.endpoints;
  const now = Date.now();
  for (let k = 0; k < eps.length; k++) {
    const i = (start + k) % eps.length;
    if (gate.available(cluster, eps[i]!, now)) return i;
  }
  return start;
}
