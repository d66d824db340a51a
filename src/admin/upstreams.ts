// Gloo Upstreams as `/upstreams` (and `sluice get upstreams|functions`) show them: every written
// Upstream and, as Gloo's discovery would have written them, one implicit Upstream per Service port
// (`<namespace>-<service>-<port>`), each with its endpoints and its functions and where they came
// from. Pure: reads the store's resources, the served snapshot and the discovery reports.
import type { DiscoveryReport } from '../functions/discovery/source.ts';
import type { Upstream } from '../gloo/types.ts';
import type { Endpoint, ObjectStatus, Snapshot } from '../snapshot/types.ts';
import type { ResourceSet } from '../store/types.ts';
import { resolveBackend } from '../translate/backends.ts';
import { RecordingLookups } from '../translate/lookups.ts';

export type UpstreamType = 'kube' | 'static' | 'aws' | 'implicit';
export type FunctionKind = 'rest' | 'grpc' | 'lambda';
/** `spec`: written in the Upstream; `openapi`, `grpc-reflection`: found by discovery */
export type FoundBy = 'spec' | 'openapi' | 'grpc-reflection';

export interface FunctionReport {
  readonly name: string;
  readonly kind: FunctionKind;
  readonly foundBy: FoundBy;
}

export interface UpstreamReport {
  readonly namespace: string;
  readonly name: string;
  readonly type: UpstreamType;
  /** Gloo's state of a written Upstream; implicit ones are always Accepted */
  readonly state: string;
  readonly reason?: string;
  /** the Service an implicit or kube Upstream stands for, `namespace/name:port` */
  readonly service?: string;
  /** ready endpoints (AWS Upstreams have none: Lambda is reached by its function) */
  readonly endpoints: readonly Endpoint[];
  readonly functions: readonly FunctionReport[];
  /** function discovery, when the Upstream is labelled for it */
  readonly discovery?: Omit<DiscoveryReport, 'upstream' | 'functions'>;
}

interface GlooStatusEntry {
  readonly state?: string;
  readonly reason?: string;
}

/** `{ statuses: { <writer ns>: { state, reason } } }` -> the first writer's entry. */
function glooState(status: ObjectStatus | undefined): GlooStatusEntry {
  const statuses = (status?.status as { statuses?: Record<string, GlooStatusEntry> } | undefined)?.statuses;
  return (statuses && Object.values(statuses)[0]) ?? {};
}

export function upstreamReports(set: ResourceSet, snapshot: Snapshot | undefined, statuses: readonly ObjectStatus[], discovery: readonly DiscoveryReport[]): UpstreamReport[] {
  const lookups = new RecordingLookups(set);
  const clusters = new Map((snapshot?.clusters ?? []).map((c) => [c.name, c]));
  const byKey = new Map(statuses.filter((s) => s.kind === 'Upstream' && s.apiVersion.startsWith('gloo.solo.io/')).map((s) => [`${s.namespace}/${s.name}`, s]));
  const found = new Map(discovery.map((d) => [d.upstream, d]));
  const out: UpstreamReport[] = [];
  for (const [key, u] of set.glooUpstreams) {
    const namespace = u.metadata.namespace ?? 'default';
    const { state, reason } = glooState(byKey.get(key));
    const d = found.get(key);
    const kube = u.spec.kube;
    const service = kube?.serviceName && typeof kube.servicePort === 'number' ? { serviceNamespace: kube.serviceNamespace || namespace, serviceName: kube.serviceName, servicePort: kube.servicePort } : undefined;
    // The served cluster when a route uses the Upstream; otherwise what it would have.
    const endpoints = clusters.get(`upstream:${key}`)?.endpoints ?? (service ? resolveBackend(service, lookups, '').cluster.endpoints : staticEndpoints(u));
    out.push({
      namespace,
      name: u.metadata.name,
      type: u.spec.aws ? 'aws' : u.spec.static ? 'static' : 'kube',
      state: state ?? 'Pending',
      ...(reason !== undefined && { reason }),
      ...(service && { service: `${service.serviceNamespace}/${service.serviceName}:${service.servicePort}` }),
      endpoints: u.spec.aws ? [] : endpoints,
      functions: functionsOf(u, d),
      ...(d && { discovery: { how: d.how, state: d.state, attempts: d.attempts, ...(d.error !== undefined && { error: d.error }) } }),
    });
  }
  for (const svc of set.services.values()) {
    const serviceNamespace = svc.metadata.namespace ?? 'default';
    for (const p of svc.spec.ports ?? []) {
      const ref = { serviceNamespace, serviceName: svc.metadata.name, servicePort: p.port };
      out.push({
        namespace: serviceNamespace,
        name: `${serviceNamespace}-${svc.metadata.name}-${p.port}`,
        type: 'implicit',
        state: 'Accepted',
        service: `${serviceNamespace}/${svc.metadata.name}:${p.port}`,
        endpoints: resolveBackend(ref, lookups, '').cluster.endpoints,
        functions: [],
      });
    }
  }
  return out.sort((a, b) => compare(a.namespace, b.namespace) || compare(a.name, b.name));
}

function staticEndpoints(u: Upstream): Endpoint[] {
  return (u.spec.static?.hosts ?? []).flatMap((h) => (h.addr && typeof h.port === 'number' ? [{ address: h.addr, port: h.port }] : []));
}

/**
 * An Upstream's functions. Discovery writes what it finds into the spec (overlay.ts), so a found
 * report says which of the spec's functions came from discovery.
 */
function functionsOf(u: Upstream, d: DiscoveryReport | undefined): FunctionReport[] {
  const discovered = d?.state === 'found';
  const lambdas = (u.spec.aws?.lambdaFunctions ?? []).flatMap((f) => (f.logicalName ? [{ name: f.logicalName, kind: 'lambda' as const, foundBy: 'spec' as const }] : []));
  const spec = (u.spec.kube ?? u.spec.static)?.serviceSpec;
  const rest = Object.keys(spec?.rest?.transformations ?? {}).map((name) => ({ name, kind: 'rest' as const, foundBy: discovered && d.how === 'openapi' ? ('openapi' as const) : ('spec' as const) }));
  // Reflection names each method; a written transcoder names its services.
  const grpc =
    discovered && d.how === 'grpc'
      ? d.functions.map((name) => ({ name, kind: 'grpc' as const, foundBy: 'grpc-reflection' as const }))
      : (spec?.grpcJsonTranscoder?.services ?? []).map((name) => ({ name, kind: 'grpc' as const, foundBy: 'spec' as const }));
  return [...lambdas, ...rest, ...grpc].sort((a, b) => compare(a.name, b.name));
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
