// Resolving an ingress split to a Cluster: the Service port it names, the wire protocol that port
// speaks, and the ready addresses behind it (DESIGN.md "Backend resolution").
import type { EndpointSlice, Endpoints, IngressBackendSplit, Service, ServicePort } from '../api/types.ts';
import type { Cluster, Endpoint } from '../snapshot/types.ts';
import type { Lookups } from './lookups.ts';
import type { Problem } from './problems.ts';

export interface ResolvedBackend {
  readonly cluster: Cluster;
  /** set when the Service or its port is missing: the cluster then has no endpoints (requests get 503) */
  readonly problem?: Problem;
}

/** `namespace/service:port`, with the port as written in the ingress (number or name). */
export function clusterName(split: IngressBackendSplit): string {
  return `${split.serviceNamespace}/${split.serviceName}:${split.servicePort}`;
}

// Knative names h2c revision ports `http2`; `h2c` and `grpc` are the other common spellings.
const H2C_PORT_NAMES = new Set(['http2', 'h2c', 'grpc']);

export function portProtocol(port: ServicePort | undefined): Cluster['protocol'] {
  if (!port) return 'http1';
  if (port.appProtocol === 'kubernetes.io/h2c') return 'h2c';
  return port.name !== undefined && H2C_PORT_NAMES.has(port.name.toLowerCase()) ? 'h2c' : 'http1';
}

/** The Service port a split's servicePort names: by number, or by name when it is a string. */
export function findServicePort(service: Service, servicePort: number | string): ServicePort | undefined {
  const ports = service.spec.ports ?? [];
  return typeof servicePort === 'number' ? ports.find((p) => p.port === servicePort) : ports.find((p) => p.name === servicePort);
}

export function resolveBackend(split: IngressBackendSplit, set: Lookups, where: string): ResolvedBackend {
  const name = clusterName(split);
  const svcKey = `${split.serviceNamespace}/${split.serviceName}`;
  const service = set.service(svcKey);
  if (!service) {
    return {
      cluster: emptyCluster(name, 'http1'),
      problem: { reason: 'ServiceNotFound', message: `${where}: Service "${svcKey}" not found` },
    };
  }
  const port = findServicePort(service, split.servicePort);
  if (service.spec.type === 'ExternalName') return externalNameCluster(name, service, port, split, where);
  if (!port) {
    return {
      cluster: emptyCluster(name, 'http1'),
      problem: { reason: 'PortNotFound', message: `${where}: Service "${svcKey}" has no port ${JSON.stringify(split.servicePort)}` },
    };
  }
  const slices = set.slices(svcKey) ?? [];
  const endpoints =
    slices.length > 0 ? fromSlices(slices, port) : fromEndpoints(set.endpoints(svcKey), port);
  return { cluster: { name, protocol: portProtocol(port), type: 'static', endpoints: sortEndpoints(endpoints) } };
}

function emptyCluster(name: string, protocol: Cluster['protocol']): Cluster {
  return { name, protocol, type: 'static', endpoints: [] };
}

// An ExternalName Service is a DNS alias: traffic goes to `externalName:port`, where the port is
// the matched Service port's number, or the split's own number when the Service declares no ports
// (ExternalName Services often list none).
function externalNameCluster(
  name: string,
  service: Service,
  port: ServicePort | undefined,
  split: IngressBackendSplit,
  where: string,
): ResolvedBackend {
  const number = port?.port ?? (typeof split.servicePort === 'number' ? split.servicePort : undefined);
  const host = service.spec.externalName ?? '';
  if (number === undefined || host === '') {
    const why = host === '' ? 'has no spec.externalName' : `has no port ${JSON.stringify(split.servicePort)}`;
    const key = `${service.metadata.namespace ?? 'default'}/${service.metadata.name}`;
    return {
      cluster: { name, protocol: portProtocol(port), type: 'dns', endpoints: [] },
      problem: { reason: 'PortNotFound', message: `${where}: ExternalName Service "${key}" ${why}` },
    };
  }
  return { cluster: { name, protocol: portProtocol(port), type: 'dns', endpoints: [{ address: host, port: number }] } };
}

// Endpoint ports carry the Service port's name (unnamed ports have none), not its number:
// the number on the slice is the target port on the pods.
function samePortName(a: string | undefined, b: string | undefined): boolean {
  return (a ?? '') === (b ?? '');
}

function fromSlices(slices: readonly EndpointSlice[], port: ServicePort): Endpoint[] {
  const out: Endpoint[] = [];
  for (const slice of slices) {
    // FQDN slices would need DNS resolution; Kubernetes only produces IP slices for Services.
    if (slice.addressType === 'FQDN') continue;
    const p = (slice.ports ?? []).find((sp) => samePortName(sp.name, port.name));
    if (p?.port === undefined) continue;
    for (const ep of slice.endpoints ?? []) {
      // `ready` absent means ready (discovery.k8s.io/v1: "nil should be interpreted as true").
      if (ep.conditions?.ready === false) continue;
      for (const address of ep.addresses ?? []) out.push({ address, port: p.port });
    }
  }
  return out;
}

function fromEndpoints(endpoints: Endpoints | undefined, port: ServicePort): Endpoint[] {
  const out: Endpoint[] = [];
  for (const subset of endpoints?.subsets ?? []) {
    const p = (subset.ports ?? []).find((sp) => samePortName(sp.name, port.name));
    if (!p) continue;
    // Only `addresses` are ready; `notReadyAddresses` are deliberately ignored.
    for (const a of subset.addresses ?? []) out.push({ address: a.ip, port: p.port });
  }
  return out;
}

function sortEndpoints(eps: Endpoint[]): Endpoint[] {
  const seen = new Map<string, Endpoint>();
  for (const e of eps) seen.set(`${e.address}|${e.port}`, e);
  return [...seen.values()].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : a.port - b.port));
}
