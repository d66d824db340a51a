// Snapshot -> the xDS resources Sluice serves, as plain objects and then as encoded Anys.
// Resources marked `wildcard` are the ones a wildcard (Envoy) subscription receives; the
// per-host API listeners and route configurations, and the secrets, go only to clients that ask
// for them by name.
import { createHash } from 'node:crypto';
import type { Snapshot } from '../snapshot/types.ts';
import { buildClusters } from './clusters.ts';
import { jwksClusters } from './jwt-authn.ts';
import type { ListenerAddresses } from './common.ts';
import { encodeAny, type AnyMessage, type ProtoObject } from './encode.ts';
import { buildListeners } from './listeners.ts';
import { RESOURCE_KINDS, TypeUrl, type ResourceKind } from './protos.ts';
import { autoHostClusters } from './route-host.ts';
import { buildRouteConfigurations } from './routes.ts';
import { envoyFunctions } from './functions.ts';
import { envoyPolicies } from './policy-filters.ts';
import { buildSecrets } from './secrets.ts';

export interface PlainResource {
  readonly name: string;
  readonly resource: ProtoObject;
  readonly wildcard: boolean;
}

export type PlainResources = Record<ResourceKind, PlainResource[]>;

export interface EncodedResource {
  readonly name: string;
  readonly any: AnyMessage;
  /** SHA-256 of the encoded bytes: what "changed" means for pushes */
  readonly hash: string;
  readonly wildcard: boolean;
}

/**
 * A resource translated and encoded when first read (its bytes or its version), for the ones only
 * a client naming them gets (a proxyless client's per-host listener and route configuration):
 * 10,000 apps have 40,000 such hosts, and most are never asked for. `make` must not throw.
 */
export function lazyResource(name: string, wildcard: boolean, make: () => AnyMessage): EncodedResource {
  let built: { readonly any: AnyMessage; readonly hash: string } | undefined;
  const build = () => {
    const any = make();
    return { any, hash: createHash('sha256').update(any.value).digest('hex') };
  };
  return {
    name,
    wildcard,
    get any() {
      built ??= build();
      return built.any;
    },
    get hash() {
      built ??= build();
      return built.hash;
    },
  };
}

/** How a table was made from the one before it (resource-cache.ts): what a delta stream in step with `from` is sent. */
export interface TableChange {
  readonly from: ResourceTable;
  /** names of new resources and of those whose bytes changed */
  readonly changed: readonly string[];
  readonly removed: readonly string[];
  /** names the table made by this change, for delta responses (a digest of the change and of `from`'s version) */
  readonly version: string;
}

/** Encoded resources of one kind, by name. */
export interface ResourceTable extends ReadonlyMap<string, EncodedResource> {
  /** absent when not known (a table built from scratch) */
  readonly change?: TableChange;
}
export type KindTables = Readonly<Record<ResourceKind, ResourceTable>>;
/**
 * What the server serves: a table per kind, and `vhdsRoute`, the route configurations a VHDS
 * client gets in place of `route` (Envoy listeners' configurations naming VHDS, with no virtual
 * host of their own; vhds.ts). `vhdsRoute` and `vhost` are empty until a VHDS client connects.
 */
export type EncodedResources = KindTables & { readonly vhdsRoute: ResourceTable };
export type TableName = keyof EncodedResources;

const MESSAGE_TYPE: Record<ResourceKind, string> = {
  listener: 'envoy.config.listener.v3.Listener',
  route: 'envoy.config.route.v3.RouteConfiguration',
  cluster: 'envoy.config.cluster.v3.Cluster',
  endpoint: 'envoy.config.endpoint.v3.ClusterLoadAssignment',
  secret: 'envoy.extensions.transport_sockets.tls.v3.Secret',
  vhost: 'envoy.config.route.v3.VirtualHost',
};

export function messageTypeOf(kind: ResourceKind): string {
  return MESSAGE_TYPE[kind];
}

export function kindOfTypeUrl(typeUrl: string): ResourceKind | undefined {
  return RESOURCE_KINDS.find((k) => TypeUrl[k] === typeUrl);
}

/** Pure translation; throws SLUICE_ERR_BAD_FLAG when a listener address is not host:port. */
export function buildResources(snapshot: Snapshot, addresses: ListenerAddresses): PlainResources {
  const functions = envoyFunctions(snapshot);
  const listeners = buildListeners(snapshot, addresses, functions.filters);
  const routes = buildRouteConfigurations(snapshot, functions);
  const built = buildClusters(snapshot.clusters, autoHostClusters(snapshot));
  // Lambda endpoints' clusters carry their endpoint inline (LOGICAL_DNS): no assignment over EDS.
  // Policy services' clusters (rate limit, ext_authz, JWKS origins) likewise.
  const clusters = [...built.clusters, ...functions.clusters, ...envoyPolicies(snapshot).clusters, ...jwksClusters(snapshot)];
  const endpoints = built.endpoints;
  const all = (list: readonly { name: string; resource: ProtoObject }[], wildcard: boolean) =>
    list.map((r) => ({ ...r, wildcard }));
  return {
    listener: [...all(listeners.envoy, true), ...all(listeners.grpc, false)],
    route: [...all(routes.envoy, true), ...all(routes.grpc, false)],
    cluster: all(clusters, true),
    endpoint: all(endpoints, true),
    // Only ever sent to a client that names them (SDS), never to a wildcard subscription.
    secret: all(buildSecrets(snapshot.tls), false),
    // Only for VHDS clients of the xDS server (vhds.ts); the admin's dump shows whole route configurations.
    vhost: [],
  };
}

/** Encodes every resource through its proto type; throws SLUICE_ERR_XDS naming the bad field. */
export function encodeResources(plain: PlainResources): KindTables {
  const out = {} as Record<ResourceKind, Map<string, EncodedResource>>;
  for (const kind of RESOURCE_KINDS) {
    const table = new Map<string, EncodedResource>();
    for (const r of plain[kind]) {
      const any = encodeAny(MESSAGE_TYPE[kind], r.resource);
      const hash = createHash('sha256').update(any.value).digest('hex');
      table.set(r.name, { name: r.name, any, hash, wildcard: r.wildcard });
    }
    out[kind] = table;
  }
  return out;
}
