// Plain-object fixtures for the route rules translator: Services with ready endpoints, and a
// RuleContext over them.
import type { EndpointSlice, Service, ServicePort } from '../../../src/api/types.ts';
import type { RuleContext } from '../../../src/gateway-api/route-rules.ts';
import type { Lookups } from '../../../src/translate/lookups.ts';

export interface Backend {
  readonly namespace?: string;
  readonly name: string;
  readonly ports: readonly ServicePort[];
  /** ready IPs (one EndpointSlice naming every port); default one address */
  readonly ips?: readonly string[];
  readonly externalName?: string;
}

export function service(b: Backend): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace: b.namespace ?? 'default', name: b.name },
    spec: b.externalName ? { type: 'ExternalName', externalName: b.externalName, ports: [...b.ports] } : { ports: [...b.ports] },
  };
}

function slice(b: Backend): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace: b.namespace ?? 'default', name: `${b.name}-abc`, labels: { 'kubernetes.io/service-name': b.name } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [...(b.ips ?? ['10.0.0.1'])] }],
    // the pods' port: the Service's numeric targetPort, else the Service port + 1000 (visibly not the Service port)
    ports: b.ports.map((p) => ({ ...(p.name !== undefined && { name: p.name }), port: typeof p.targetPort === 'number' ? p.targetPort : p.port + 1000 })),
  };
}

export function lookupsOf(backends: readonly Backend[]): Lookups {
  const services = new Map(backends.map((b) => [`${b.namespace ?? 'default'}/${b.name}`, service(b)]));
  const slices = new Map(backends.filter((b) => !b.externalName).map((b) => [`${b.namespace ?? 'default'}/${b.name}`, [slice(b)]]));
  return {
    service: (key) => services.get(key),
    slices: (key) => slices.get(key),
    endpoints: () => undefined,
    secret: () => undefined,
  };
}

export interface ContextOptions {
  readonly kind?: RuleContext['kind'];
  readonly namespace?: string;
  readonly name?: string;
  readonly backends?: readonly Backend[];
  /** `namespace/name` of Services a ReferenceGrant lets this route reach */
  readonly granted?: readonly string[];
}

/** Default backends: `default/web` port 80 (http) and 8080 (unnamed). */
export const WEB: Backend = { name: 'web', ports: [{ name: 'http', port: 80 }, { port: 8080 }] };

/** A Backend for a Service object (as written in a golden scenario). */
export function backendOf(svc: Service): Backend {
  return {
    namespace: svc.metadata.namespace ?? 'default',
    name: svc.metadata.name,
    ports: svc.spec.ports ?? [],
    ...(svc.spec.externalName !== undefined && { externalName: svc.spec.externalName }),
  };
}

export function ruleContext(o: ContextOptions = {}): RuleContext {
  const kind = o.kind ?? 'HTTPRoute';
  const namespace = o.namespace ?? 'default';
  const granted = new Set(o.granted ?? []);
  return {
    routeKey: `${kind} ${namespace}/${o.name ?? 'r'}`,
    kind,
    namespace,
    lookups: lookupsOf(o.backends ?? [WEB]),
    refAllowed: (to) => to.group === '' && to.kind === 'Service' && granted.has(`${to.namespace}/${to.name}`),
  };
}
