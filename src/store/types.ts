// The resource store's view: every input resource by kind and `namespace/name`,
// plus the documents that failed validation. The translator reads only this.
// A ResourceSet is a value: the store never changes one it has handed out.
import type { EndpointSlice, Endpoints, KIngress, Rejection, Secret, Service, Sourced } from '../api/types.ts';
import type { ConfigMap, GRPCRoute, Gateway, GatewayClass, HTTPRoute, Namespace, ReferenceGrant } from '../gateway-api/types.ts';
import type { TrafficPolicy } from '../gateway-api/traffic-policy-types.ts';
import type { BackendPolicy } from '../gateway-api/backend-policy-types.ts';
import type { GlooGateway, RouteTable, Upstream, UpstreamGroup, VirtualService } from '../gloo/types.ts';

export interface ResourceSet {
  /** by `namespace/name`; an ingress whose latest document was rejected keeps its last good version here */
  readonly ingresses: ReadonlyMap<string, Sourced<KIngress>>;
  /** by `namespace/name` */
  readonly services: ReadonlyMap<string, Service>;
  /** by `namespace/serviceName` (label kubernetes.io/service-name), each list sorted by slice name */
  readonly endpointSlicesByService: ReadonlyMap<string, readonly EndpointSlice[]>;
  /** by `namespace/name` */
  readonly endpoints: ReadonlyMap<string, Endpoints>;
  /** by `namespace/name` */
  readonly secrets: ReadonlyMap<string, Secret>;
  /** Gateway API kinds, by `namespace/name`; cluster-scoped kinds (GatewayClass, Namespace) by `default/name` (keyOf) */
  readonly gatewayClasses: ReadonlyMap<string, GatewayClass>;
  readonly gateways: ReadonlyMap<string, Gateway>;
  readonly httpRoutes: ReadonlyMap<string, HTTPRoute>;
  readonly grpcRoutes: ReadonlyMap<string, GRPCRoute>;
  /** v1 and v1beta1 alike */
  readonly referenceGrants: ReadonlyMap<string, ReferenceGrant>;
  readonly namespaces: ReadonlyMap<string, Namespace>;
  /** the CA bundles of Gateways' client certificate validation */
  readonly configMaps: ReadonlyMap<string, ConfigMap>;
  /** Gloo Edge kinds, by `namespace/name` */
  readonly glooUpstreams: ReadonlyMap<string, Upstream>;
  readonly glooUpstreamGroups: ReadonlyMap<string, UpstreamGroup>;
  readonly glooVirtualServices: ReadonlyMap<string, VirtualService>;
  readonly glooRouteTables: ReadonlyMap<string, RouteTable>;
  readonly glooGateways: ReadonlyMap<string, GlooGateway>;
  /** sluice.dev TrafficPolicies, by `namespace/name` */
  readonly trafficPolicies?: ReadonlyMap<string, TrafficPolicy>;
  /** sluice.dev BackendPolicies, by `namespace/name` */
  readonly backendPolicies?: ReadonlyMap<string, BackendPolicy>;
  /** the latest documents that failed validation */
  readonly rejections: readonly Rejection[];
  /**
   * optional: which entries differ from an earlier set, so the translator can redo only what they
   * touch (it must give the same result as from the whole set). Maps are compared by key: a key
   * is listed when its value was added, removed, or replaced by another object.
   */
  readonly changes?: ResourceSetChanges;
}

export interface ResourceSetChanges {
  /** the set these changes lead from; held weakly, so a set does not keep every earlier set alive */
  readonly since: WeakRef<ResourceSet>;
  readonly ingresses: ReadonlySet<string>;
  readonly services: ReadonlySet<string>;
  readonly endpointSlicesByService: ReadonlySet<string>;
  readonly endpoints: ReadonlySet<string>;
  readonly secrets: ReadonlySet<string>;
  readonly gatewayClasses: ReadonlySet<string>;
  readonly gateways: ReadonlySet<string>;
  readonly httpRoutes: ReadonlySet<string>;
  readonly grpcRoutes: ReadonlySet<string>;
  readonly referenceGrants: ReadonlySet<string>;
  readonly namespaces: ReadonlySet<string>;
  readonly configMaps: ReadonlySet<string>;
  readonly glooUpstreams: ReadonlySet<string>;
  readonly glooUpstreamGroups: ReadonlySet<string>;
  readonly glooVirtualServices: ReadonlySet<string>;
  readonly glooRouteTables: ReadonlySet<string>;
  readonly glooGateways: ReadonlySet<string>;
  readonly trafficPolicies?: ReadonlySet<string>;
  readonly backendPolicies?: ReadonlySet<string>;
}

/**
 * The ResourceSet maps that hold Gateway API objects (and the Namespaces their selectors read, and
 * the ConfigMaps their client certificate validation reads).
 */
export const GATEWAY_API_MAPS = ['gatewayClasses', 'gateways', 'httpRoutes', 'grpcRoutes', 'referenceGrants', 'namespaces', 'configMaps', 'trafficPolicies', 'backendPolicies'] as const;

/** The ResourceSet maps that hold Gloo Edge objects, and the store kind (storeKind) of each. */
export const GLOO_MAPS = ['glooUpstreams', 'glooUpstreamGroups', 'glooVirtualServices', 'glooRouteTables', 'glooGateways'] as const;
export const GLOO_MAP_KINDS: Readonly<Record<(typeof GLOO_MAPS)[number], string>> = {
  glooUpstreams: 'Upstream',
  glooUpstreamGroups: 'UpstreamGroup',
  glooVirtualServices: 'VirtualService',
  glooRouteTables: 'RouteTable',
  glooGateways: 'Gateway.gateway.solo.io',
};
