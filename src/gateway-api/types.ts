// The Gateway API kinds Sluice reads (gateway.networking.k8s.io v1.6.1, experimental channel), as
// plain interfaces with the field names of apis/v1/*.go, so JSON round-trips unchanged. Only the
// fields Sluice reads are typed; validation (src/api/validate-gateway*.ts) checks documents
// against them before anything here trusts one. The route specs are gwroutes' route-types.ts.
import type { ObjectMeta } from '../api/types.ts';
import type { GRPCRouteSpec, HTTPRouteSpec } from './route-types.ts';
import type { TrafficPolicy } from './traffic-policy-types.ts';
import type { BackendPolicy } from './backend-policy-types.ts';

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';
export const GATEWAY_API_V1 = 'gateway.networking.k8s.io/v1';
export const GATEWAY_API_V1BETA1 = 'gateway.networking.k8s.io/v1beta1';
/** the GatewayClass `spec.controllerName` Sluice serves */
export const CONTROLLER_NAME = 'sluice.dev/gateway-controller';
/** the label the API server gives every Namespace (Sluice plays its part in file mode) */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export interface GatewayClass {
  apiVersion: typeof GATEWAY_API_V1;
  kind: 'GatewayClass';
  metadata: ObjectMeta;
  spec: { controllerName: string; description?: string };
}

/** A reference to a Secret (certificateRefs): group `` and kind `Secret` by default. */
export interface SecretObjectReference {
  group?: string;
  kind?: string;
  name: string;
  /** default: the Gateway's namespace */
  namespace?: string;
}

export interface ListenerTLSConfig {
  /** default `Terminate`; `Passthrough` is for TLS listeners, which Sluice does not serve */
  mode?: 'Terminate' | 'Passthrough';
  certificateRefs?: SecretObjectReference[];
  options?: Record<string, string>;
}

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface RouteGroupKind {
  /** default `gateway.networking.k8s.io` */
  group?: string;
  kind: string;
}

export interface AllowedRoutes {
  /** default `{ from: Same }` */
  namespaces?: { from?: 'All' | 'Same' | 'Selector'; selector?: LabelSelector };
  /** default: every kind the listener's protocol supports */
  kinds?: RouteGroupKind[];
}

export interface Listener {
  name: string;
  /** absent: every host name */
  hostname?: string;
  port: number;
  /** any protocol name is valid; Sluice serves `HTTP` and `HTTPS` (others: UnsupportedProtocol) */
  protocol: string;
  tls?: ListenerTLSConfig;
  allowedRoutes?: AllowedRoutes;
}

/** Client certificate validation of a Gateway's TLS listeners (spec.tls.frontend). */
export interface FrontendTLSConfig {
  validation?: { caCertificateRefs?: Array<{ group?: string; kind?: string; name?: string; namespace?: string }>; mode?: string };
}

export interface GatewaySpec {
  gatewayClassName: string;
  listeners: Listener[];
  tls?: { frontend?: { default?: FrontendTLSConfig; perPort?: Array<{ port: number; tls?: FrontendTLSConfig }> } };
  addresses?: Array<{ type?: string; value?: string }>;
  infrastructure?: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    parametersRef?: { group?: string; kind?: string; name?: string };
  };
}

export interface Gateway {
  apiVersion: typeof GATEWAY_API_V1;
  kind: 'Gateway';
  metadata: ObjectMeta;
  spec: GatewaySpec;
}

export interface HTTPRoute {
  apiVersion: typeof GATEWAY_API_V1;
  kind: 'HTTPRoute';
  metadata: ObjectMeta;
  spec: HTTPRouteSpec;
}

export interface GRPCRoute {
  apiVersion: typeof GATEWAY_API_V1;
  kind: 'GRPCRoute';
  metadata: ObjectMeta;
  spec: GRPCRouteSpec;
}

export interface ReferenceGrantFrom {
  group: string;
  kind: string;
  namespace: string;
}

export interface ReferenceGrantTo {
  group: string;
  kind: string;
  /** absent: every object of the kind in the grant's namespace */
  name?: string;
}

export interface ReferenceGrant {
  apiVersion: typeof GATEWAY_API_V1 | typeof GATEWAY_API_V1BETA1;
  kind: 'ReferenceGrant';
  metadata: ObjectMeta;
  spec: { from: ReferenceGrantFrom[]; to: ReferenceGrantTo[] };
}

export interface Namespace {
  apiVersion: 'v1';
  kind: 'Namespace';
  metadata: ObjectMeta;
}

/** v1 ConfigMap: the CA bundles (`ca.crt`) Gateways' client certificate validation names. */
export interface ConfigMap {
  apiVersion: 'v1';
  kind: 'ConfigMap';
  metadata: ObjectMeta;
  data?: Record<string, string>;
}

// TrafficPolicy (sluice.dev) travels with them: it attaches to their routes, and is redone with them.
export type GatewayApiResource = GatewayClass | Gateway | HTTPRoute | GRPCRoute | ReferenceGrant | Namespace | ConfigMap | TrafficPolicy | BackendPolicy;
