// A snapshot change followed without walking the snapshot: the change's diffs (snapshot/change.ts,
// as the translator hands them over) name the virtual hosts, clusters and ingresses that changed,
// and only those are placed, translated, encoded and put in the tables; everything else, and
// every table entry, is shared with the last build. That needs the snapshot-wide resources to stay
// as they were (wide.ts: the changed virtual hosts use no feature that shows in them, the ports,
// certificates, functions and defaults are the same) and each changed virtual host to be placed
// without looking at the others (route-config-change.ts). Any other change is left to a full build
// (undefined). Nothing held is touched until commit(), so a change that cannot be encoded leaves
// the last good state.
import type { SnapshotDiffs } from '../snapshot/change.ts';
import { findSorted, type ListDiff } from '../snapshot/list-diff.ts';
import type { Cluster, IngressInfo, Snapshot, VirtualHost } from '../snapshot/types.ts';
import { clusterResources } from './clusters.ts';
import { encodeAny, type ProtoObject } from './encode.ts';
import type { ResourceKind } from './protos.ts';
import type { ClusterEntry, State } from './resource-cache.ts';
import { messageTypeOf, type EncodedResource, type EncodedResources } from './resources.ts';
import { changePlan, type PlanChange } from './route-config-change.ts';
import type { Counters } from './route-config-cache.ts';
import { LISTENER } from './common.ts';
import { routeConfigPlans } from './routes.ts';
import { grpcRouteResource, lazyApiListener } from './grpc-route-config.ts';
import { changeTable } from './table-change.ts';
import { contributesWide, sameWideParts } from './wide.ts';
import { digest } from './wire.ts';

type Changes = Map<string, EncodedResource | undefined>;

const byKey = (i: IngressInfo): string => i.key;

/** The virtual hosts of a listener whose ingress changed (its hash may have): each is placed again, its fragment kept if its key is the same. */
function staleOf(byIngress: Map<string, Set<VirtualHost>>, ingresses: ListDiff<IngressInfo>): VirtualHost[] {
  const keys = new Set([...ingresses.removed, ...ingresses.added].map(byKey));
  const out: VirtualHost[] = [];
  for (const k of keys) for (const v of byIngress.get(k) ?? []) out.push(v);
  return out;
}

export function changeResources(
  held: State,
  snapshot: Snapshot,
  previous: Snapshot,
  diffs: SnapshotDiffs,
  vhds: boolean,
  counters: Counters,
): { readonly tables: EncodedResources; commit(): State } | undefined {
  const f = held.followed;
  const tables = held.tables;
  if (f === undefined || tables === undefined || f.snapshot !== previous || f.vhds !== vhds || !sameWideParts(previous, snapshot, diffs)) return undefined;
  const moves = { external: diffs.external, local: diffs.local };
  for (const d of [diffs.external, diffs.local]) for (const v of [...d.removed, ...d.added]) if (contributesWide(v)) return undefined;

  const encode = (kind: ResourceKind, name: string, resource: ProtoObject, wildcard: boolean): EncodedResource => {
    counters.encoded++;
    const any = encodeAny(messageTypeOf(kind), resource);
    return { name, any, hash: digest(any.value), wildcard };
  };
  const hashOf = (key: string) => findSorted(snapshot.ingresses, byKey, key)?.hash;

  // Route configurations of Envoy's Knative listeners (Gateway API ports are the same: sameWideParts).
  const stale = { external: staleOf(f.byIngress.external, diffs.ingresses), local: staleOf(f.byIngress.local, diffs.ingresses) };
  const plans = routeConfigPlans(snapshot, f.routeOptions).filter((p) => p.name === LISTENER.external || p.name === LISTENER.externalTls || p.name === LISTENER.local);
  const planChanges: PlanChange[] = [];
  for (const plan of plans) {
    const list = plan.name === LISTENER.local ? 'local' : 'external';
    const state = held.routes.plans.get(plan.name);
    const change = state && changePlan(state, plan, { ...moves[list], stale: stale[list] }, hashOf, counters, vhds);
    if (change === undefined) return undefined;
    planChanges.push(change);
  }
  const routes: Changes = new Map();
  const vhdsRoutes: Changes = new Map();
  const vhosts: Changes = new Map();
  for (const c of planChanges) {
    if (c.route) routes.set(c.route.name, c.route);
    if (c.vhdsRoute) vhdsRoutes.set(c.vhdsRoute.name, c.vhdsRoute);
    for (const [name, r] of c.vhosts) vhosts.set(name, r);
  }

  // Clusters: the added ones (held when only their list position moved), the removed ones' names.
  const clusterEntries = new Map<Cluster, ClusterEntry>();
  const clusters: Changes = new Map();
  const endpoints: Changes = new Map();
  for (const c of diffs.clusters.removed) {
    if (!held.clusters.has(c)) continue;
    counters.visited++;
    clusters.set(c.name, undefined);
    endpoints.set(c.name, undefined);
  }
  for (const c of diffs.clusters.added) {
    counters.visited++;
    const flag = f.autoHost.has(c.name);
    let entry = held.clusters.get(c);
    if (!entry || entry.autoHost !== flag) {
      counters.translated++;
      const r = clusterResources(c, flag);
      entry = { autoHost: flag, cluster: encode('cluster', c.name, r.cluster, true), endpoint: r.endpoint && encode('endpoint', c.name, r.endpoint, true) };
    }
    clusterEntries.set(c, entry);
    clusters.set(c.name, entry.cluster);
    endpoints.set(c.name, entry.endpoint);
  }

  // Proxyless clients' per-host resources, for the hosts the moved virtual hosts list.
  const grpcMoves = { local: diffs.local, external: diffs.external };
  const hosts = new Set<string>();
  for (const d of [diffs.local, diffs.external]) for (const v of [...d.removed, ...d.added]) for (const h of v.domains) hosts.add(h);
  const listeners: Changes = new Map();
  const grpcRoutes = new Map<string, { vhost: VirtualHost; resource: EncodedResource } | undefined>();
  const apis = new Map<string, EncodedResource | undefined>();
  for (const host of hosts) {
    const owner = f.grpcHosts.ownerAfter(host, grpcMoves);
    const before = held.grpcRoutes.get(host);
    if (owner === before?.vhost) continue;
    if (owner === undefined) {
      grpcRoutes.set(host, undefined);
      apis.set(host, undefined);
      continue;
    }
    const resource = grpcRouteResource(host, owner, f.grpcOptions, counters);
    let api = held.apiListeners.get(host);
    if (!api) {
      api = lazyApiListener(host, counters);
    }
    grpcRoutes.set(host, { vhost: owner, resource });
    apis.set(host, api);
  }
  for (const [host, g] of grpcRoutes) {
    routes.set(host, g?.resource);
    if (vhds) vhdsRoutes.set(host, g?.resource);
  }
  for (const [host, api] of apis) listeners.set(host, api);

  const next: EncodedResources = {
    listener: changeTable(tables.listener, listeners),
    route: changeTable(tables.route, routes),
    cluster: changeTable(tables.cluster, clusters),
    endpoint: changeTable(tables.endpoint, endpoints),
    secret: tables.secret,
    vhost: changeTable(tables.vhost, vhosts),
    vhdsRoute: changeTable(tables.vhdsRoute, vhdsRoutes),
  };

  return {
    tables: next,
    commit(): State {
      plans.forEach((plan, i) => {
        const c = planChanges[i]!;
        for (const [d, n] of c.claims) {
          if (n > 0) c.state.claims?.set(d, n);
          else c.state.claims?.delete(d);
        }
        held.routes.plans.set(plan.name, c.state);
      });
      for (const c of diffs.clusters.removed) held.clusters.delete(c);
      for (const [c, e] of clusterEntries) held.clusters.set(c, e);
      for (const [host, g] of grpcRoutes) {
        if (g) held.grpcRoutes.set(host, g);
        else held.grpcRoutes.delete(host);
      }
      for (const [host, api] of apis) {
        if (api) held.apiListeners.set(host, api);
        else held.apiListeners.delete(host);
      }
      f.grpcHosts.apply(grpcMoves);
      for (const list of ['external', 'local'] as const) {
        const index = f.byIngress[list];
        for (const v of moves[list].removed) {
          const s = index.get(v.ingress);
          s?.delete(v);
          if (s?.size === 0) index.delete(v.ingress);
        }
        for (const v of moves[list].added) {
          let s = index.get(v.ingress);
          if (!s) index.set(v.ingress, (s = new Set()));
          s.add(v);
        }
      }
      return { ...held, tables: next, followed: { ...f, snapshot } };
    },
  };
}
