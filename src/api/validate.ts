// Turns one untrusted document (parsed YAML/JSON, or an object from the Kubernetes API) into a
// typed Resource, a Rejection listing every problem with its field path, or "ignored" for kinds
// Sluice does not read. The only normalization is filling in metadata.namespace (`default`);
// Knative defaults (visibility, percent, secretNamespace) are the translator's job.
import { Check, describe, isDNSLabel, isDNSSubdomain, isObject, type Json } from './check.ts';
import { checkConfigMap, checkEndpointSlice, checkEndpoints, checkSecret, checkService } from './validate-core.ts';
import { checkKnownFields } from './known-fields.ts';
import { checkIngressSpec } from './validate-ingress.ts';
import { INGRESS_API_VERSION, type Origin, type Rejection, type Resource } from './types.ts';
import { checkGateway, checkGatewayClass, checkReferenceGrant } from './validate-gateway.ts';
import { checkRouteSpec } from './validate-routes.ts';
import { GATEWAY_API_V1, GATEWAY_API_V1BETA1 } from '../gateway-api/types.ts';
import { GLOO_GATEWAY_V1, GLOO_V1 } from '../gloo/types.ts';
import { checkGloo } from './validate-gloo.ts';
import { SLUICE_API_V1ALPHA1 } from '../gateway-api/traffic-policy-types.ts';
import { checkTrafficPolicy } from './validate-traffic-policy.ts';
import { checkBackendPolicy } from './validate-backend-policy.ts';
import { shareRouteSpec } from '../gateway-api/shared-route-parts.ts';

export type ValidateOutcome =
  | { kind: 'resource'; resource: Resource }
  | { kind: 'rejected'; rejection: Rejection }
  | { kind: 'ignored'; apiVersion: string; kindName: string };

export const DEFAULT_NAMESPACE = 'default';

type KindCheck = (c: Check, doc: Json, namespace: string) => void;

// Keyed by `apiVersion kind`: the same kind name under another group (e.g. networking.k8s.io
// Ingress) is a different resource and is ignored, not misread.
const KINDS: ReadonlyMap<string, KindCheck> = new Map<string, KindCheck>([
  [`${INGRESS_API_VERSION} Ingress`, (c, doc, ns) => checkIngressSpec(c, doc.spec, ns)],
  ['v1 Service', (c, doc) => checkService(c, doc)],
  ['discovery.k8s.io/v1 EndpointSlice', (c, doc) => checkEndpointSlice(c, doc)],
  ['v1 Endpoints', (c, doc) => checkEndpoints(c, doc)],
  ['v1 Secret', (c, doc) => checkSecret(c, doc)],
  [`${GATEWAY_API_V1} GatewayClass`, (c, doc) => checkGatewayClass(c, doc)],
  [`${GATEWAY_API_V1} Gateway`, (c, doc) => checkGateway(c, doc)],
  [`${GATEWAY_API_V1} HTTPRoute`, (c, doc) => checkRouteSpec(c, doc, 'HTTPRoute')],
  [`${GATEWAY_API_V1} GRPCRoute`, (c, doc) => checkRouteSpec(c, doc, 'GRPCRoute')],
  [`${GATEWAY_API_V1} ReferenceGrant`, (c, doc) => checkReferenceGrant(c, doc)],
  [`${GATEWAY_API_V1BETA1} ReferenceGrant`, (c, doc) => checkReferenceGrant(c, doc)],
  ['v1 Namespace', () => {}],
  ['v1 ConfigMap', (c, doc) => checkConfigMap(c, doc)],
  [`${GLOO_V1} Upstream`, (c, doc) => checkGloo(c, doc, 'Upstream')],
  [`${GLOO_V1} UpstreamGroup`, (c, doc) => checkGloo(c, doc, 'UpstreamGroup')],
  [`${GLOO_GATEWAY_V1} VirtualService`, (c, doc) => checkGloo(c, doc, 'VirtualService')],
  [`${GLOO_GATEWAY_V1} RouteTable`, (c, doc) => checkGloo(c, doc, 'RouteTable')],
  [`${GLOO_GATEWAY_V1} Gateway`, (c, doc) => checkGloo(c, doc, 'Gateway')],
  [`${SLUICE_API_V1ALPHA1} TrafficPolicy`, (c, doc) => checkTrafficPolicy(c, doc)],
  [`${SLUICE_API_V1ALPHA1} BackendPolicy`, (c, doc) => checkBackendPolicy(c, doc)],
]);

/** Kinds that have no namespace: their metadata.namespace is ignored and never defaulted. */
const CLUSTER_SCOPED: ReadonlySet<string> = new Set(['GatewayClass', 'Namespace']);

export function isKnownKind(apiVersion: string, kind: string): boolean {
  return KINDS.has(`${apiVersion} ${kind}`);
}

export function validateDocument(doc: unknown, origin: Origin): ValidateOutcome {
  if (!isObject(doc)) {
    const message = `must be an object (a Kubernetes resource), got ${describe(doc)}`;
    return { kind: 'rejected', rejection: { origin, errors: [{ path: '', message }] } };
  }
  const c = new Check();
  const apiVersion = c.string(doc.apiVersion, 'apiVersion', true);
  const kind = c.string(doc.kind, 'kind', true);
  const check = apiVersion !== undefined && kind !== undefined ? KINDS.get(`${apiVersion} ${kind}`) : undefined;
  if (apiVersion !== undefined && kind !== undefined && check === undefined) {
    return { kind: 'ignored', apiVersion, kindName: kind };
  }
  const meta = checkMetadata(c, doc.metadata);
  const clusterScoped = kind !== undefined && CLUSTER_SCOPED.has(kind);
  const namespace = clusterScoped ? '' : (meta?.namespace ?? DEFAULT_NAMESPACE);
  check?.(c, doc, namespace);
  // Objects read from a cluster went through the API server, which drops unknown fields; a newer
  // server may also send fields this list does not know yet, which must not reject a Service.
  // Gloo's fields Sluice does not serve are warnings in the object's status, not errors (known-fields-gloo.ts).
  const gloo = apiVersion === GLOO_V1 || apiVersion === GLOO_GATEWAY_V1;
  if (check !== undefined && kind !== undefined && origin.cluster !== true && !gloo) checkKnownFields(c, doc, kind);
  const name = meta?.name;
  if (c.errors.length > 0 || meta === undefined || check === undefined) {
    const rejection: Rejection = {
      ...(kind !== undefined && { kind }),
      ...(gloo && { apiVersion }),
      ...(name !== undefined && { namespace, name }),
      origin,
      errors: c.errors,
    };
    return { kind: 'rejected', rejection };
  }
  const metadata: Json = clusterScoped ? { ...meta.raw } : { ...meta.raw, namespace };
  if (clusterScoped) delete metadata.namespace;
  // Routes repeat each other's parentRefs, matches and filters: one object for each (shared-route-parts.ts).
  const route = apiVersion === GATEWAY_API_V1 && (kind === 'HTTPRoute' || kind === 'GRPCRoute');
  const resource = (route ? { ...doc, metadata, spec: shareRouteSpec(doc.spec) } : { ...doc, metadata }) as unknown as Resource;
  return { kind: 'resource', resource };
}

interface CheckedMeta {
  raw: Json;
  /** present when usable, even if other fields of the document are wrong (names the rejection) */
  name?: string;
  namespace?: string;
}

function checkMetadata(c: Check, value: unknown): CheckedMeta | undefined {
  const meta = c.object(value, 'metadata', true);
  if (meta === undefined) return undefined;
  const out: CheckedMeta = { raw: meta };
  const name = c.string(meta.name, 'metadata.name', true);
  if (name !== undefined) {
    if (isDNSSubdomain(name)) out.name = name;
    else c.fail('metadata.name', 'must be a lower-case DNS-1123 name (a-z, 0-9, "-", ".")');
  }
  const namespace = c.string(meta.namespace, 'metadata.namespace');
  if (namespace !== undefined && namespace !== '') {
    if (isDNSLabel(namespace)) out.namespace = namespace;
    else c.fail('metadata.namespace', 'must be a lower-case DNS-1123 label (a-z, 0-9, "-")');
  }
  c.stringMap(meta.labels, 'metadata.labels');
  c.stringMap(meta.annotations, 'metadata.annotations');
  c.integer(meta.generation, 'metadata.generation');
  for (const key of ['uid', 'resourceVersion', 'creationTimestamp']) c.string(meta[key], `metadata.${key}`);
  return out;
}
