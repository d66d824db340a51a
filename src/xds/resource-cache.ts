// Snapshot -> encoded xDS resources, translating and encoding only what changed since the last
// snapshot. The translators share the IR objects of unchanged ingresses and routes between
// snapshots, so each resource is kept with the identity of the IR object it came from: a cluster
// and its assignment by IR Cluster, a secret by TlsCertificate, an Envoy route configuration's
// virtual hosts by IR VirtualHost (route-config-cache.ts), a proxyless client's route
// configuration by host and VirtualHost, its API listener by host. The few snapshot-wide
// resources (Envoy's listeners, the clusters of functions and policy services) are translated
// each time and encoded only when their content is new.
// A resource whose bytes did not change keeps its EncodedResource (so its version), and a kind
// with nothing changed keeps its very table, so what the streams computed from it stays valid.
// What one build does not use is dropped with it: the cache holds the current snapshot's only.
import type { SnapshotDiffs } from '../snapshot/change.ts';
import type { Cluster, Snapshot, TlsCertificate, VirtualHost } from '../snapshot/types.ts';
import { clusterResources } from './clusters.ts';
import type { ListenerAddresses } from './common.ts';
import { encodeAny, type ProtoObject } from './encode.ts';
import { envoyFunctions } from './functions.ts';
import { jwksClusters } from './jwt-authn.ts';
import { buildEnvoyListeners } from './listeners.ts';
import { envoyPolicies } from './policy-filters.ts';
import { RESOURCE_KINDS, type ResourceKind } from './protos.ts';
import { messageTypeOf, type EncodedResource, type EncodedResources, type ResourceTable, type TableName } from './resources.ts';
import { GrpcHostIndex } from './grpc-hosts.ts';
import { grpcRouteResource, lazyApiListener } from './grpc-route-config.ts';
import { changeResources } from './resource-change.ts';
import { changeVersion, succeed } from './table-change.ts';
import { buildRouteConfigs, emptyRouteConfigState, type Counters, type RouteConfigState } from './route-config-cache.ts';
import type { RouteOptions } from './route-action.ts';
import { autoHostClusters } from './route-host.ts';
import { envoyRouteOptions, grpcRouteOptions, hostsForGrpc, ingressHashes, routeConfigPlans } from './routes.ts';
import { buildSecrets } from './secrets.ts';
import { digest } from './wire.ts';

export interface ClusterEntry {
  readonly autoHost: boolean;
  readonly cluster: EncodedResource;
  readonly endpoint?: EncodedResource;
}

/** What a change can be followed with (resource-change.ts): the snapshot-wide values of the last full build, and indexes. */
export interface Followed {
  readonly snapshot: Snapshot;
  readonly vhds: boolean;
  readonly autoHost: ReadonlySet<string>;
  readonly routeOptions: RouteOptions;
  readonly grpcOptions: RouteOptions;
  /** virtual hosts by ingress key, per Knative listener */
  readonly byIngress: Readonly<Record<'external' | 'local', Map<string, Set<VirtualHost>>>>;
  readonly grpcHosts: GrpcHostIndex;
}

export interface State {
  /** what the route translation depends on beyond each virtual host: function targets, ext_authz filters */
  readonly routeOptions: string;
  readonly clusters: Map<Cluster, ClusterEntry>;
  readonly secrets: Map<TlsCertificate, EncodedResource>;
  readonly routes: RouteConfigState;
  readonly grpcRoutes: Map<string, { readonly vhost: VirtualHost; readonly resource: EncodedResource }>;
  readonly apiListeners: Map<string, EncodedResource>;
  /** snapshot-wide resources by kind and content */
  readonly byContent: Map<string, EncodedResource>;
  readonly tables?: EncodedResources;
  readonly followed?: Followed;
}

const emptyState = (routeOptions = ''): State => ({
  routeOptions,
  clusters: new Map(),
  secrets: new Map(),
  routes: emptyRouteConfigState(),
  grpcRoutes: new Map(),
  apiListeners: new Map(),
  byContent: new Map(),
});

export class XdsResourceCache {
  /** units translated and messages encoded since the cache was made (for tests and the bench) */
  readonly stats: Counters = { translated: 0, encoded: 0, visited: 0 };
  readonly #addresses: ListenerAddresses;
  #state: State = emptyState();
  /** also build what VHDS clients get (set once the first one connects: until then it costs nothing) */
  vhds = false;

  constructor(addresses: ListenerAddresses) {
    this.#addresses = addresses;
  }

  /**
   * The snapshot's resources. With `change` (the snapshot built last and how `snapshot`'s lists
   * were made from it), only what changed is looked at, when the change allows (resource-change.ts);
   * otherwise the whole snapshot is walked, still translating and encoding only what changed.
   * Throws SLUICE_ERR_XDS naming the bad field (or SLUICE_ERR_BAD_FLAG for a listener address), and
   * then keeps what it held, so the next build starts from the last good one.
   */
  build(snapshot: Snapshot, change?: { readonly previous: Snapshot | undefined; readonly diffs: SnapshotDiffs | undefined }): EncodedResources {
    const prev = this.#state;
    if (change?.diffs !== undefined && change.previous !== undefined) {
      const followed = changeResources(prev, snapshot, change.previous, change.diffs, this.vhds, this.stats);
      if (followed) {
        this.#state = followed.commit();
        return followed.tables;
      }
    }
    return this.#buildAll(snapshot);
  }

  #buildAll(snapshot: Snapshot): EncodedResources {
    const prev = this.#state;
    const functions = envoyFunctions(snapshot);
    const routeOptions = envoyRouteOptions(snapshot, functions);
    const optionsKey = JSON.stringify([[...functions.targets], routeOptions.extAuthzFilters ?? []]);
    const old = optionsKey === prev.routeOptions ? prev : emptyState();
    const next = emptyState(optionsKey);
    const encode = (kind: ResourceKind, name: string, resource: ProtoObject, wildcard: boolean): EncodedResource => {
      this.stats.encoded++;
      const any = encodeAny(messageTypeOf(kind), resource);
      return { name, any, hash: digest(any.value), wildcard };
    };
    const byContent = (kind: ResourceKind, r: { name: string; resource: ProtoObject }): EncodedResource => {
      const key = `${kind}\0${JSON.stringify(r.resource)}`;
      const e = prev.byContent.get(key) ?? encode(kind, r.name, r.resource, true);
      next.byContent.set(key, e);
      return e;
    };

    const autoHost = autoHostClusters(snapshot);
    const clusters: EncodedResource[] = [];
    const endpoints: EncodedResource[] = [];
    this.stats.visited += snapshot.clusters.length;
    for (const c of snapshot.clusters) {
      const flag = autoHost.has(c.name);
      let entry = prev.clusters.get(c);
      if (!entry || entry.autoHost !== flag) {
        this.stats.translated++;
        const r = clusterResources(c, flag);
        entry = { autoHost: flag, cluster: encode('cluster', c.name, r.cluster, true), endpoint: r.endpoint && encode('endpoint', c.name, r.endpoint, true) };
      }
      next.clusters.set(c, entry);
      clusters.push(entry.cluster);
      if (entry.endpoint) endpoints.push(entry.endpoint);
    }
    for (const r of [...functions.clusters, ...envoyPolicies(snapshot).clusters, ...jwksClusters(snapshot)]) clusters.push(byContent('cluster', r));

    const listeners = buildEnvoyListeners(snapshot, this.#addresses, functions.filters).map((r) => byContent('listener', r));
    const built = buildRouteConfigs(routeConfigPlans(snapshot, routeOptions), ingressHashes(snapshot), old.routes, this.stats, this.vhds);
    const routes = built.routes;
    const grpcOptions = grpcRouteOptions(functions);
    for (const [host, vhost] of hostsForGrpc(snapshot)) {
      const api = prev.apiListeners.get(host) ?? lazyApiListener(host, this.stats);
      next.apiListeners.set(host, api);
      listeners.push(api);
      const held = old.grpcRoutes.get(host);
      let route = held?.vhost === vhost ? held.resource : undefined;
      route ??= grpcRouteResource(host, vhost, grpcOptions, this.stats);
      next.grpcRoutes.set(host, { vhost, resource: route });
      routes.push(route);
      // Proxyless clients' per-host configurations are served to VHDS clients as to any other.
      if (this.vhds) built.vhdsRoutes.push(route);
    }

    const secrets = snapshot.tls.map((cert) => {
      let e = prev.secrets.get(cert);
      if (!e) {
        this.stats.translated++;
        // Only ever sent to a client that names them (SDS), never to a wildcard subscription.
        e = encode('secret', cert.name, buildSecrets([cert])[0]!.resource, false);
      }
      next.secrets.set(cert, e);
      return e;
    });

    const tables = settle(prev.tables, { listener: listeners, route: routes, cluster: clusters, endpoint: endpoints, secret: secrets, vhost: built.vhosts, vhdsRoute: built.vhdsRoutes });
    const byIngress = { external: indexByIngress(snapshot.listeners.external), local: indexByIngress(snapshot.listeners.local) };
    const followed: Followed = {
      snapshot,
      vhds: this.vhds,
      autoHost,
      routeOptions,
      grpcOptions,
      byIngress,
      grpcHosts: new GrpcHostIndex(snapshot.listeners.local, snapshot.listeners.external),
    };
    this.#state = { ...next, routes: built.state, tables, followed };
    return tables;
  }

  /** Entries held: one per IR object (or host, or content) the last build used. */
  size(): number {
    const s = this.#state;
    let fragments = 0;
    for (const p of s.routes.plans.values()) fragments += p.entries.length + 1;
    return s.clusters.size + s.secrets.size + fragments + s.grpcRoutes.size + s.apiListeners.size + s.byContent.size;
  }

  /** Whether the cache holds resources made from this IR object. */
  holds(object: Cluster | TlsCertificate | VirtualHost): boolean {
    const s = this.#state;
    return (
      s.clusters.has(object as Cluster) ||
      s.secrets.has(object as TlsCertificate) ||
      [...s.routes.plans.values()].some((p) => p.entries.some((e) => e.vhost === object)) ||
      [...s.grpcRoutes.values()].some((g) => g.vhost === object)
    );
  }
}

/**
 * The tables of one build. A resource with the same bytes as before keeps its previous
 * EncodedResource; a kind with nothing changed keeps its previous table.
 */
const TABLES: readonly TableName[] = [...RESOURCE_KINDS, 'vhdsRoute'];

function settle(prev: EncodedResources | undefined, lists: Record<TableName, EncodedResource[]>): EncodedResources {
  const out = {} as Record<TableName, ResourceTable>;
  for (const kind of TABLES) {
    const before = prev?.[kind];
    const table = new Map<string, EncodedResource>();
    const changed: string[] = [];
    for (const r of lists[kind]) {
      const old = before?.get(r.name);
      // The same object first: a lazily built one (grpc-route-config.ts) is not built to be compared.
      const kept = old === r || (old !== undefined && old.hash === r.hash && old.wildcard === r.wildcard) ? old : r;
      if (kept !== old) changed.push(r.name);
      table.set(r.name, kept);
    }
    const removed = before ? [...before.keys()].filter((name) => !table.has(name)) : [];
    if (before && changed.length === 0 && removed.length === 0) out[kind] = before;
    else if (!before) out[kind] = table;
    else {
      const edits = new Map<string, EncodedResource | undefined>([...changed.map((n): [string, EncodedResource | undefined] => [n, table.get(n)]), ...removed.map((n): [string, undefined] => [n, undefined])]);
      out[kind] = succeed(before, Object.assign(table, { change: { from: before, changed, removed, version: changeVersion(before, edits) } }));
    }
  }
  return out;
}

/** Virtual hosts by the ingress they come from (a changed ingress hash changes their probe routes). */
export function indexByIngress(vhosts: readonly VirtualHost[]): Map<string, Set<VirtualHost>> {
  const out = new Map<string, Set<VirtualHost>>();
  for (const v of vhosts) {
    let s = out.get(v.ingress);
    if (!s) out.set(v.ingress, (s = new Set()));
    s.add(v);
  }
  return out;
}
