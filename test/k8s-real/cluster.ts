// Shared pieces of the real-API-server tests: Knative's CRD and namespace from test/fixtures/k8s, objects
// written through the API (Services, Ingresses, Namespaces) or straight into etcd (EndpointSlices with
// loopback addresses, which the API server refuses), and gateway replicas as real `sluice serve` processes.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { findBinaries, type RealApiServer } from '../support/real-apiserver.ts';
import { startSluice, type SluiceProcess } from '../support/sluice.ts';
import { DEFAULT_INGRESS_CLASS, INGRESS_CLASS_ANNOTATION, SERVICE_NAME_LABEL, type KIngress } from '../../src/api/types.ts';

export const bins = findBinaries();
/** For `describe(..., { skip })`: the message naming what to build or install, or false. */
export const skip: string | false = bins.missing ?? false;

export const INGRESSES = '/apis/networking.internal.knative.dev/v1alpha1';
const CRD_NAME = 'ingresses.networking.internal.knative.dev';

function fixture(name: string): Array<Record<string, unknown>> {
  const text = readFileSync(new URL(`../fixtures/k8s/${name}`, import.meta.url), 'utf8');
  return parseAllDocuments(text).map((d) => d.toJS() as Record<string, unknown>).filter(Boolean);
}

export async function waitFor<T>(what: string, boundMs: number, check: () => Promise<T | undefined | false> | T | undefined | false): Promise<T> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${boundMs} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function createNamespace(api: RealApiServer, name: string): Promise<void> {
  await api.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, undefined, [409]);
}

/** The KIngress CRD (established), the knative-serving namespace and its config-network, as Knative leaves them. */
export async function installKnative(api: RealApiServer): Promise<void> {
  for (const crd of fixture('knative-ingress-crd.yaml')) await api.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd, undefined, [409]);
  for (const doc of fixture('knative-serving.yaml')) {
    const meta = doc.metadata as { namespace?: string };
    const path = doc.kind === 'Namespace' ? '/api/v1/namespaces' : `/api/v1/namespaces/${meta.namespace}/configmaps`;
    await api.request('POST', path, doc, undefined, [409]);
  }
  await waitFor('the KIngress CRD to be established and served', 30_000, async () => {
    const crd = (await api.request<{ status?: { conditions?: Array<{ type: string; status: string }> } }>('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${CRD_NAME}`)).body;
    if (!crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) return false;
    return (await api.request('GET', `${INGRESSES}/ingresses`, undefined, undefined, [404])).status === 200;
  });
}

export async function createService(api: RealApiServer, ns: string, name: string, port = 80): Promise<void> {
  await api.request('POST', `/api/v1/namespaces/${ns}/services`, {
    apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns },
    spec: { type: 'ClusterIP', ports: [{ name: 'http', port, targetPort: port, protocol: 'TCP' }] },
  });
}

/** An EndpointSlice of `svc` with ready loopback endpoints on `port`, written straight into etcd. */
export function putSlice(api: RealApiServer, ns: string, name: string, svc: string, port: number): Promise<void> {
  return api.etcdPut('endpointslices', ns, name, {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name, namespace: ns, labels: { [SERVICE_NAME_LABEL]: svc } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
    ports: [{ name: 'http', port, protocol: 'TCP' }],
  });
}

export interface Split { readonly service: string; readonly percent: number }

export function kingress(ns: string, name: string, host: string, splits: readonly Split[]): KIngress {
  return {
    apiVersion: 'networking.internal.knative.dev/v1alpha1',
    kind: 'Ingress',
    metadata: { name, namespace: ns, annotations: { [INGRESS_CLASS_ANNOTATION]: DEFAULT_INGRESS_CLASS } },
    spec: {
      rules: [{
        hosts: [host], visibility: 'ExternalIP',
        http: { paths: [{ splits: splits.map((s) => ({ serviceNamespace: ns, serviceName: s.service, servicePort: 80, percent: s.percent, appendHeaders: { 'x-split': s.service } })) }] },
      }],
      httpOption: 'Enabled',
    },
  } as KIngress;
}

export async function createIngress(api: RealApiServer, ing: KIngress): Promise<KIngress> {
  return (await api.request<KIngress>('POST', `${INGRESSES}/namespaces/${ing.metadata.namespace}/ingresses`, ing)).body;
}

export async function getIngress(api: RealApiServer, ns: string, name: string): Promise<KIngress> {
  return (await api.request<KIngress>('GET', `${INGRESSES}/namespaces/${ns}/ingresses/${name}`)).body;
}

export const condition = (ing: KIngress | undefined, type: string): string | undefined => ing?.status?.conditions?.find((c) => c.type === type)?.status;

/** Ready=True for the ingress's current generation. */
export const readyNow = (ing: KIngress): boolean => condition(ing, 'Ready') === 'True' && ing.status?.observedGeneration === ing.metadata.generation;

/**
 * A gateway replica: `sluice serve --kubernetes` on loopback ports, and the EndpointSlices the EndpointSlice
 * controller would publish for its pod behind the gateway Services (so the leader probes it).
 */
export interface ReplicaOptions {
  /** --lease-duration in seconds (default 3) */
  readonly leaseSeconds?: number;
  /** publish its EndpointSlices at once (default true) */
  readonly publish?: boolean;
  /** credentials other than the admin's */
  readonly kubeconfig?: string;
}

export async function startReplica(api: RealApiServer, id: string, o: ReplicaOptions = {}): Promise<SluiceProcess> {
  const proc = await startSluice(
    ['serve', '--kubernetes', '--kubeconfig', o.kubeconfig ?? api.kubeconfigPath, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--id', id, '--lease-duration', String(o.leaseSeconds ?? 3)],
    ['http', 'local', 'admin'],
    { boundMs: 60_000 },
  );
  if (o.publish !== false) await publishReplica(api, id, proc);
  return proc;
}

/** The replica's EndpointSlices behind the gateway Services: what Kubernetes publishes once the pod is ready. */
export async function publishReplica(api: RealApiServer, id: string, proc: SluiceProcess): Promise<void> {
  const port = (a: string): number => Number(a.slice(a.lastIndexOf(':') + 1));
  await putSlice(api, 'sluice-system', `sluice-${id}`, 'sluice', port(proc.addresses.http!));
  await putSlice(api, 'sluice-system', `sluice-internal-${id}`, 'sluice-internal', port(proc.addresses.local!));
}

export async function dropReplicaSlices(api: RealApiServer, id: string): Promise<void> {
  await api.etcdDelete('endpointslices', 'sluice-system', `sluice-${id}`);
  await api.etcdDelete('endpointslices', 'sluice-system', `sluice-internal-${id}`);
}

export async function leaseHolder(api: RealApiServer): Promise<string | undefined> {
  const r = await api.request<{ spec?: { holderIdentity?: string } }>('GET', '/apis/coordination.k8s.io/v1/namespaces/sluice-system/leases/sluice-leader', undefined, undefined, [404]);
  return r.status === 200 ? r.body.spec?.holderIdentity : undefined;
}

/** GET / through a gateway address with a Host header: status, headers and body. */
export async function get(address: string, host: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: string }> {
  const { request } = await import('undici');
  const res = await request(`http://${address}/`, { headers: { host, ...headers }, headersTimeout: 5000, bodyTimeout: 5000 });
  const body = await res.body.text();
  const h = new Headers();
  for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
  return { status: res.statusCode, headers: h, body };
}
