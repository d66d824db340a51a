// Input resources, as Kubernetes and Knative define them (only the fields Sluice reads).
// Field names and optionality follow the Go types in knative.dev/networking
// pkg/apis/networking/v1alpha1 and k8s.io/api, so JSON round-trips unchanged.
import type { GatewayApiResource } from '../gateway-api/types.ts';
import type { GlooResource } from '../gloo/types.ts';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  creationTimestamp?: string;
}

export type Visibility = 'ExternalIP' | 'ClusterLocal';
export type HTTPOption = 'Enabled' | 'Redirected';

export interface IngressBackendSplit {
  serviceNamespace: string;
  serviceName: string;
  servicePort: number | string;
  percent?: number;
  appendHeaders?: Record<string, string>;
}

export interface HTTPIngressPath {
  path?: string;
  rewriteHost?: string;
  headers?: Record<string, { exact: string }>;
  splits: IngressBackendSplit[];
  appendHeaders?: Record<string, string>;
}

export interface IngressRule {
  hosts?: string[];
  visibility?: Visibility;
  http?: { paths: HTTPIngressPath[] };
}

export interface IngressTLS {
  hosts?: string[];
  secretName?: string;
  secretNamespace?: string;
}

export interface IngressSpec {
  tls?: IngressTLS[];
  rules?: IngressRule[];
  httpOption?: HTTPOption;
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  severity?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface LoadBalancerIngressStatus {
  ip?: string;
  domain?: string;
  domainInternal?: string;
  meshOnly?: boolean;
}

export interface LoadBalancerStatus {
  ingress: LoadBalancerIngressStatus[];
}

export interface IngressStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  publicLoadBalancer?: LoadBalancerStatus;
  privateLoadBalancer?: LoadBalancerStatus;
}

export interface KIngress {
  apiVersion: 'networking.internal.knative.dev/v1alpha1';
  kind: 'Ingress';
  metadata: ObjectMeta;
  spec: IngressSpec;
  status?: IngressStatus;
}

export interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
  appProtocol?: string;
}

export interface Service {
  apiVersion: 'v1';
  kind: 'Service';
  metadata: ObjectMeta;
  spec: {
    type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
    clusterIP?: string;
    externalName?: string;
    ports?: ServicePort[];
  };
  /** read for the Service in front of the Gateway listeners (Kubernetes mode): Gateways report its addresses */
  status?: { loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> } };
}

export interface EndpointSlice {
  apiVersion: 'discovery.k8s.io/v1';
  kind: 'EndpointSlice';
  metadata: ObjectMeta;
  addressType?: 'IPv4' | 'IPv6' | 'FQDN';
  endpoints: Array<{
    addresses: string[];
    conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
    hostname?: string;
    nodeName?: string;
  }>;
  ports?: Array<{ name?: string; port?: number; protocol?: string; appProtocol?: string }>;
}

export interface EndpointSubset {
  addresses?: Array<{ ip: string; hostname?: string }>;
  notReadyAddresses?: Array<{ ip: string; hostname?: string }>;
  ports?: Array<{ name?: string; port: number; protocol?: string; appProtocol?: string }>;
}

export interface Endpoints {
  apiVersion: 'v1';
  kind: 'Endpoints';
  metadata: ObjectMeta;
  subsets?: EndpointSubset[];
}

export interface Secret {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: ObjectMeta;
  type?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

export type Resource = KIngress | Service | EndpointSlice | Endpoints | Secret | GatewayApiResource | GlooResource;
export type ResourceKind = Resource['kind'];

export const INGRESS_API_VERSION = 'networking.internal.knative.dev/v1alpha1';
export const INGRESS_CLASS_ANNOTATION = 'networking.knative.dev/ingress.class';
export const DEFAULT_INGRESS_CLASS = 'sluice.ingress.networking.knative.dev';
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** Where a resource came from, for error messages: a file and document index, or a cluster. */
export interface Origin {
  file?: string;
  doc?: number;
  /** index of the item when the document is a `kind: List` */
  item?: number;
  /** 1-based line in the file, when known (a syntax error) */
  line?: number;
  cluster?: boolean;
}

/** One validation problem, addressed by a field path such as `spec.rules[0].http.paths[1].path`. */
export interface FieldError {
  path: string;
  message: string;
  /** line of the field in its file (1-based), found only for rejected documents */
  line?: number;
}

/** A document that failed validation. Its object (if named) keeps its last good version. */
export interface Rejection {
  kind?: string;
  /** set when known: two kinds of one name (Gateway API's and Gloo's `Gateway`) are told apart by it */
  apiVersion?: string;
  namespace?: string;
  name?: string;
  origin: Origin;
  errors: FieldError[];
  /** line in its file (1-based) of its first error in the file, else of the document */
  line?: number;
}

/** A validated resource with where it came from. */
export interface Sourced<T extends Resource = Resource> {
  resource: T;
  origin: Origin;
}

export function keyOf(meta: { namespace?: string; name: string }): string {
  return `${meta.namespace ?? 'default'}/${meta.name}`;
}

/**
 * The kind the store files a resource under: its `kind`, except Gloo's `Gateway`
 * (gateway.solo.io), which would otherwise share the Gateway API's.
 */
export function storeKind(r: { readonly apiVersion?: string; readonly kind?: string }): string {
  return r.kind === 'Gateway' && r.apiVersion?.startsWith('gateway.solo.io/') === true ? 'Gateway.gateway.solo.io' : (r.kind ?? '');
}
