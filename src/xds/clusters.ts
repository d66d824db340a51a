// Snapshot clusters -> Envoy Clusters and ClusterLoadAssignments.
// Static clusters get their endpoints over EDS (ADS), so an endpoint change only pushes that
// cluster's assignment; `dns` clusters (ExternalName Services) resolve their one name themselves.
import type { Cluster, Endpoint } from '../snapshot/types.ts';
import { clusterPolicyFields, http2Limits } from './cluster-policy.ts';
import { ADS_CONFIG_SOURCE, socketAddress } from './common.ts';
import { typed, type ProtoObject } from './encode.ts';
import { endpointHostname } from './route-host.ts';
import type { NamedResource } from './routes.ts';

/** Speak HTTP/2 cleartext to h2c/gRPC upstreams; HTTP/1.1 is Envoy's default. */
function protocolOptions(cluster: Cluster): ProtoObject | undefined {
  if (cluster.protocol !== 'h2c') return undefined;
  const type = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';
  // allow_connect: a WebSocket upgrade reaches an HTTP/2 upstream as extended CONNECT.
  return { [type]: typed(type, { explicit_http_config: { http2_protocol_options: { allow_connect: true, ...http2Limits(cluster) } } }) };
}

/**
 * Endpoints of one cluster. gRPC clients ignore localities without a weight, so the single
 * locality gets weight 1; an empty cluster has no locality at all (requests get 503). `hostnames`:
 * each endpoint's address is its hostname too (auto_host_rewrite, route-host.ts).
 */
export function loadAssignment(name: string, endpoints: readonly Endpoint[], hostnames = false): ProtoObject {
  if (endpoints.length === 0) return { cluster_name: name, endpoints: [] };
  const lb_endpoints = endpoints.map((e) => ({ endpoint: { address: socketAddress(e.address, e.port), hostname: hostnames ? endpointHostname(e.address) : undefined } }));
  return { cluster_name: name, endpoints: [{ locality: {}, load_balancing_weight: { value: 1 }, lb_endpoints }] };
}

function cluster(c: Cluster): ProtoObject {
  const common = {
    name: c.name,
    connect_timeout: { seconds: 5 },
    lb_policy: 'ROUND_ROBIN',
    typed_extension_protocol_options: protocolOptions(c),
    ...clusterPolicyFields(c),
  };
  if (c.type === 'dns' && c.endpoints.length > 0) {
    // LOGICAL_DNS (one name, connect to whatever it resolves to now) is what an ExternalName
    // means, and unlike STRICT_DNS it is also understood by proxyless gRPC clients.
    return {
      ...common,
      type: 'LOGICAL_DNS',
      dns_lookup_family: 'V4_PREFERRED',
      load_assignment: loadAssignment(c.name, c.endpoints.slice(0, 1)),
    };
  }
  if (c.type === 'dns') return { ...common, type: 'STATIC', load_assignment: loadAssignment(c.name, []) };
  return { ...common, type: 'EDS', eds_cluster_config: { eds_config: ADS_CONFIG_SOURCE } };
}

/** The Cluster of one IR cluster and, for a static one, its ClusterLoadAssignment (hostnames when `autoHost`). */
export function clusterResources(c: Cluster, autoHost: boolean): { cluster: ProtoObject; endpoint?: ProtoObject } {
  return { cluster: cluster(c), endpoint: c.type === 'static' ? loadAssignment(c.name, c.endpoints, autoHost) : undefined };
}

/** `autoHost`: clusters whose endpoints need their hostname (route-host.ts). */
export function buildClusters(clusters: readonly Cluster[], autoHost: ReadonlySet<string> = new Set()): { clusters: NamedResource[]; endpoints: NamedResource[] } {
  return {
    clusters: clusters.map((c) => ({ name: c.name, resource: cluster(c) })),
    endpoints: clusters
      .filter((c) => c.type === 'static')
      .map((c) => ({ name: c.name, resource: loadAssignment(c.name, c.endpoints, autoHost.has(c.name)) })),
  };
}
