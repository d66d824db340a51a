// The Kubernetes-mode scale load: the file-mode scale apps (ingress-gen.ts) as a cluster holds them,
// each an ingress of our class, two revisions' Services and one EndpointSlice per Service (as the
// EndpointSlice controller writes, instead of Endpoints), every object carrying a kubectl-sized
// managedFields; and the gateway's own Services' slices, so the leader probes and writes status.
import { load } from 'js-yaml';
import { SERVICE_NAME_LABEL } from '../src/api/types.ts';
import type { FakeApiServer, KObject } from '../test/support/fake-apiserver.ts';
import { appYaml, scaleApp } from './ingress-gen.ts';

const managedFields = [{ manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'v1', time: '2026-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:annotations': { '.': {}, 'f:kubectl.kubernetes.io/last-applied-configuration': {} } }, 'f:spec': { 'f:ports': { '.': {}, 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:name': {}, 'f:port': {}, 'f:protocol': {}, 'f:targetPort': {} } }, 'f:sessionAffinity': {}, 'f:type': {} } } }];

/** An EndpointSlice of Service `name` with one ready address, as the EndpointSlice controller names it. */
export function endpointSlice(namespace: string, service: string, address: string, port: number, portName = 'http'): KObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${service}-x7k2p`, namespace, labels: { [SERVICE_NAME_LABEL]: service, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [address], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'node-1', targetRef: { kind: 'Pod', namespace, name: `${service}-pod`, uid: '6a1b2c3d-0000-4000-8000-000000000000' } }],
    ports: [{ name: portName, port, protocol: 'TCP' }],
  };
}

/** App i's objects: its ingress, Services and EndpointSlices. */
export function k8sApp(i: number): KObject[] {
  const out: KObject[] = [];
  for (const text of appYaml(scaleApp(i, 9001, 9002)).split(/^---$/m)) {
    const o = load(text) as KObject | null;
    if (!o?.kind) continue;
    if (o.kind === 'Endpoints') {
      const subset = (o.subsets as Array<{ ports: Array<{ port: number }> }>)[0]!;
      out.push(endpointSlice(o.metadata!.namespace!, o.metadata!.name!, '127.0.0.1', subset.ports[0]!.port));
    } else out.push(o);
  }
  for (const o of out) o.metadata = { ...o.metadata, managedFields };
  return out;
}

/** Puts n apps into the fake API server. */
export function loadApps(api: FakeApiServer, n: number): void {
  for (let i = 0; i < n; i++) for (const o of k8sApp(i)) api.put(o);
}

/** The gateway's own Services' slices (sluice-system/sluice, sluice-internal): the replicas the leader probes. */
export function loadGatewayReplicas(api: FakeApiServer, httpPort: number, localPort: number): void {
  api.put(endpointSlice('sluice-system', 'sluice', '127.0.0.1', httpPort));
  api.put(endpointSlice('sluice-system', 'sluice-internal', '127.0.0.1', localPort));
}
