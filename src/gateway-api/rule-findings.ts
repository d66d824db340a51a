// What translating one route's rules found wrong, kept as its status needs it: the first bad
// reference (ResolvedRefs) and the first unsupported value (Accepted), plus the clusters named.
import type { Cluster } from '../snapshot/types.ts';
import type { RouteRulesResult, UnresolvedReason } from './route-rules.ts';

export class RuleFindings {
  unresolved: RouteRulesResult['unresolved'];
  unsupported: RouteRulesResult['unsupported'];
  readonly #clusters = new Map<string, Cluster>();

  notResolved(reason: UnresolvedReason, message: string): void {
    this.unresolved ??= { reason, message };
  }

  notSupported(message: string): void {
    this.unsupported ??= { reason: 'UnsupportedValue', message };
  }

  cluster(cluster: Cluster): string {
    this.#clusters.set(cluster.name, cluster);
    return cluster.name;
  }

  clusters(): Cluster[] {
    return [...this.#clusters.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}
