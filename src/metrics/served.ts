// The names a snapshot serves, as the metrics label them: the routes' objects (`ingress`) and the
// clusters requests can reach (function calls' included). Series of anything else are dropped
// when a snapshot is swapped in (see Metrics.retain).
import { FUNCTION_CLUSTER_PREFIX } from '../functions/calls.ts';
import type { SnapshotContent, VirtualHost } from '../snapshot/types.ts';

export interface ServedNames {
  readonly ingresses: ReadonlySet<string>;
  readonly clusters: ReadonlySet<string>;
}

function addHosts(hosts: readonly VirtualHost[], ingresses: Set<string>): void {
  for (const vh of hosts) {
    ingresses.add(vh.ingress);
    for (const r of vh.routes) ingresses.add(r.ingress);
  }
}

export function servedNames(s: SnapshotContent): ServedNames {
  const ingresses = new Set<string>();
  addHosts(s.listeners.external, ingresses);
  addHosts(s.listeners.local, ingresses);
  for (const p of s.ports) addHosts(p.virtualHosts, ingresses);
  const clusters = new Set<string>(s.clusters.map((c) => c.name));
  for (const f of s.functions ?? []) clusters.add(`${FUNCTION_CLUSTER_PREFIX}${f.name}`);
  return { ingresses, clusters };
}
