// What a snapshot's Envoy-wide resources depend on. The listeners (which HTTP filters every
// connection manager runs), the clusters of policy services, JWKS origins and functions, the
// route options and the clusters that need hostnames (autoHostname) are read off every route of
// the snapshot. A virtual host whose routes use none of those features adds nothing to them, so a
// change that only swaps such virtual hosts (and leaves the snapshot's other parts alone) leaves
// every one of those resources as it was: they need not be walked for again (resource-change.ts).
import { isDeepStrictEqual } from 'node:util';
import type { SnapshotDiffs } from '../snapshot/change.ts';
import type { RouteFilter, Snapshot, VirtualHost } from '../snapshot/types.ts';

const wideFilter = (f: RouteFilter): boolean => f.type === 'fault' || (f.type === 'url-rewrite' && f.autoHostname === true);

/** Whether some route of `vhost` uses a feature that shows in snapshot-wide resources. */
export function contributesWide(vhost: VirtualHost): boolean {
  for (const r of vhost.routes) {
    if (r.policies !== undefined || r.filters.some(wideFilter)) return true;
    for (const s of r.splits) if (s.function !== undefined || s.filters.some(wideFilter)) return true;
  }
  return false;
}

/**
 * Whether `b` (made from `a` as `diffs` say) has the same Gateway API ports, certificates, function
 * bindings and gateway defaults: everything but its Knative virtual hosts, clusters and ingresses.
 */
export function sameWideParts(a: Snapshot, b: Snapshot, diffs: SnapshotDiffs): boolean {
  const none = (d: { readonly removed: readonly unknown[]; readonly added: readonly unknown[] }) => d.removed.length === 0 && d.added.length === 0;
  const same = (x: unknown, y: unknown) => x === y || isDeepStrictEqual(x, y);
  return none(diffs.ports) && none(diffs.tls) && same(a.functions, b.functions) && same(a.gatewayDefaults, b.gatewayDefaults);
}
