// Gloo Upstreams as HTTPRoute/GRPCRoute backends (`group: gloo.solo.io`, `kind: Upstream`), as Gloo
// Gateway allowed. Resolved by the Gloo translator's own UpstreamIndex, so a route reaches the same
// cluster (`upstream:ns/name`) a VirtualService's route to that Upstream does. Only written
// Upstreams: Gloo's implicit `<namespace>-<service>-<port>` ones are found by name in any
// namespace, which would step around ReferenceGrants (a Service backendRef reaches those ports).
import { Reports } from '../gloo/report.ts';
import { UpstreamIndex } from '../gloo/upstreams.ts';
import type { Cluster } from '../snapshot/types.ts';
import type { ResourceSet } from '../store/types.ts';
import type { Lookups } from '../translate/lookups.ts';

export const GLOO_UPSTREAM_GROUP = 'gloo.solo.io';

export type UpstreamBackend =
  | { readonly cluster: Cluster }
  /** an AWS Upstream: it is called through one of its functions, which a backendRef cannot name */
  | { readonly lambda: true }
  | { readonly problem: string };

export type UpstreamResolver = (namespace: string, name: string) => UpstreamBackend;

/** A resolver over the set's Upstreams, built on first use (most routes name no Upstream). */
export function upstreamResolver(set: ResourceSet, lookups: Lookups): UpstreamResolver {
  let index: UpstreamIndex | undefined;
  return (namespace, name) => {
    const key = `${namespace}/${name}`;
    if (!set.glooUpstreams.has(key)) return { problem: `Upstream "${key}" not found` };
    // The Upstream's own problems are reported on its status by the Gloo translator, not here.
    index ??= new UpstreamIndex(set, lookups, new Reports());
    const r = index.upstream({ namespace, name }, namespace);
    if ('problem' in r) return { problem: r.problem };
    if (r.target.cluster === undefined) return { lambda: true };
    return { cluster: r.target.cluster };
  };
}
