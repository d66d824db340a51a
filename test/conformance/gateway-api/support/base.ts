// conformance/base/manifests.yaml in file mode: Namespaces, Gateways and Services are written as
// they are; each echo-basic Deployment becomes `replicas` echo backends on 127.0.0.1 (pods named
// `<deployment>-<suffix>`, as the suite checks by prefix) and each Service an EndpointSlice per pod.
// The Secrets the suite's setup creates (suite.go) are made here too. Backends the port does not
// run (TLS, TCP, UDP echo) leave their Services without endpoints.
import { randomBytes } from 'node:crypto';
import { type EchoBackend, startEchoBackend } from '../../../support/echo-backend.ts';
import { type CertPair, selfSignedCert, tlsSecret } from './certs.ts';
import { type GrpcEchoBackend, startGrpcEchoBackend } from './grpc-echo.ts';
import { type KubeObject, readManifest } from './manifests.ts';

export const InfrastructureNamespace = 'gateway-conformance-infra';
export const AppBackendNamespace = 'gateway-conformance-app-backend';
export const WebBackendNamespace = 'gateway-conformance-web-backend';

interface ServicePort {
  name?: string;
  port: number;
  appProtocol?: string;
  protocol?: string;
}

interface Container {
  env?: Array<{ name: string; value?: string }>;
}

export type Pod = { readonly kind: 'echo'; readonly backend: EchoBackend } | { readonly kind: 'grpc'; readonly backend: GrpcEchoBackend };

export interface BaseResources {
  /** Namespaces, Gateways, Services, EndpointSlices, Secrets */
  readonly objects: KubeObject[];
  /** deployment name (namespace/name) -> its pods */
  readonly pods: ReadonlyMap<string, readonly Pod[]>;
  /** the suite's certificates by `namespace/secret` */
  readonly certs: ReadonlyMap<string, CertPair>;
  close(): Promise<void>;
}

function suffix(): string {
  return `${randomBytes(5).toString('hex').slice(0, 10)}-${randomBytes(3).toString('hex').slice(0, 5)}`;
}

function envOf(d: KubeObject): Record<string, string> {
  const spec = d.spec as { template?: { spec?: { containers?: Container[] } } } | undefined;
  const out: Record<string, string> = {};
  for (const e of spec?.template?.spec?.containers?.[0]?.env ?? []) if (e.value !== undefined) out[e.name] = e.value;
  return out;
}

/** The echo pods a Deployment runs in file mode (none for the TLS, TCP and UDP servers). */
async function startPods(d: KubeObject): Promise<Pod[]> {
  const env = envOf(d);
  const image = JSON.stringify(d.spec ?? {});
  if (!image.includes('echo-basic') || env.TCP_ECHO_SERVER || env.UDP_ECHO_SERVER || 'TLS_SERVER_CERT' in env || JSON.stringify(d).includes('TLS_SERVER_CERT')) return [];
  const replicas = Number((d.spec as { replicas?: number }).replicas ?? 1);
  const ns = d.metadata.namespace ?? 'default';
  const pods: Pod[] = [];
  for (let i = 0; i < replicas; i++) {
    const pod = `${d.metadata.name}-${suffix()}`;
    if (env.GRPC_ECHO_SERVER) pods.push({ kind: 'grpc', backend: await startGrpcEchoBackend({ namespace: ns, pod }) });
    else pods.push({ kind: 'echo', backend: await startEchoBackend({ namespace: ns, pod }) });
  }
  return pods;
}

/** The EndpointSlices of `svc`: one per pod, every Service port served on the pod's one port. */
export function endpointSlices(svc: KubeObject, pods: readonly Pod[]): KubeObject[] {
  const ports = ((svc.spec as { ports?: ServicePort[] }).ports ?? []).filter((p) => (p.protocol ?? 'TCP') === 'TCP');
  return pods.map((pod, i) => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${svc.metadata.name}-${i}`, namespace: svc.metadata.namespace, labels: { 'kubernetes.io/service-name': svc.metadata.name } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
    ports: ports.map((p) => ({ ...(p.name ? { name: p.name } : {}), port: pod.backend.port, protocol: 'TCP', ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) })),
  }));
}

/**
 * The endpoints controller for a test's own Services: one whose selector names a base Deployment's
 * `app` gets that Deployment's pods as EndpointSlices (a Service without a selector keeps the
 * EndpointSlices its manifest brings).
 */
export function controllerEndpointSlices(objects: readonly KubeObject[], pods: ReadonlyMap<string, readonly Pod[]>): KubeObject[] {
  return objects.flatMap((o) => {
    if (o.kind !== 'Service' || o.apiVersion !== 'v1') return [];
    const app = (o.spec as { selector?: { app?: string } } | undefined)?.selector?.app;
    const backing = app ? pods.get(`${o.metadata.namespace ?? 'default'}/${app}`) : undefined;
    return backing ? endpointSlices(o, backing) : [];
  });
}

export async function startBase(): Promise<BaseResources> {
  const docs = readManifest('base.yaml');
  const pods = new Map<string, Pod[]>();
  const objects: KubeObject[] = [];
  const all: Pod[] = [];
  try {
    for (const d of docs) {
      if (d.kind !== 'Deployment') continue;
      const started = await startPods(d);
      all.push(...started);
      pods.set(`${d.metadata.namespace}/${d.metadata.name}`, started);
    }
    for (const d of docs) {
      if (d.kind === 'Deployment' || d.kind === 'ConfigMap') continue;
      objects.push(d);
      if (d.kind !== 'Service') continue;
      const app = (d.spec as { selector?: { app?: string } }).selector?.app;
      const backing = pods.get(`${d.metadata.namespace}/${app}`) ?? [];
      objects.push(...endpointSlices(d, backing));
    }
  } catch (err) {
    await Promise.all(all.map((p) => p.backend.close()));
    throw err;
  }
  // suite.go: the certificates every HTTPS listener of the base and the tests refer to.
  const certs = new Map<string, CertPair>([
    [`${WebBackendNamespace}/certificate`, selfSignedCert(['*'])],
    [`${InfrastructureNamespace}/tls-validity-checks-certificate`, selfSignedCert(['*', '*.org', '*.wildcard.org'])],
  ]);
  for (const [key, pair] of certs) {
    const [ns, name] = key.split('/') as [string, string];
    objects.push(tlsSecret(ns, name, pair) as KubeObject);
  }
  return {
    objects,
    pods,
    certs,
    close: async () => {
      await Promise.all(all.map((p) => p.backend.close()));
    },
  };
}
