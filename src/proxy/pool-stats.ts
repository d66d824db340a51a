// Upstream pool connections per cluster, for the metrics: pools are keyed by origin (they survive
// snapshot swaps and are shared by clusters with the same endpoints), so a cluster's count is the
// sum over its endpoints' origins. Read at scrape time, never per request.
import type { Cluster } from '../snapshot/types.ts';
import { originOf } from './live-origins.ts';

export interface PoolCounts {
  /** connections open (busy, idle or connecting) */
  readonly open: number;
  /** open and waiting for a request */
  readonly idle: number;
}

export interface ClusterConnections extends PoolCounts {
  readonly cluster: string;
}

/**
 * Each cluster with a pooled origin, its connections summed over every pool kind (undici's, the
 * raw sockets'). A connection to an endpoint two clusters share counts in both.
 */
export function connectionsByCluster(clusters: readonly Cluster[], pools: readonly ReadonlyMap<string, PoolCounts>[]): ClusterConnections[] {
  const out: ClusterConnections[] = [];
  if (pools.every((p) => p.size === 0)) return out;
  for (const c of clusters) {
    let open = 0;
    let idle = 0;
    let pooled = false;
    for (const ep of c.endpoints) {
      const origin = originOf(ep);
      for (const p of pools) {
        const n = p.get(origin);
        if (n === undefined) continue;
        pooled = true;
        open += n.open;
        idle += n.idle;
      }
    }
    if (pooled) out.push({ cluster: c.name, open, idle });
  }
  return out;
}
