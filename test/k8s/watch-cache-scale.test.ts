// What the watch caches keep at scale: a status-only change (the leader's own writes, one per ingress)
// pushes nothing to the translator, and objects are kept without managedFields (and, for the kinds
// Sluice never writes, without kubectl's last-applied copy), which are often most of an object's size.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeApiServer } from '../support/fake-apiserver.ts';
import { KubeClient } from '../../src/k8s/client.ts';
import { KubernetesSource } from '../../src/k8s/source.ts';
import { DEFAULT_INGRESS_CLASS, type Service } from '../../src/api/types.ts';
import { ingress, service, slice, waitFor } from './helpers.ts';

const managedFields = [{ manager: 'kubectl', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:ports': {} } } }];
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

describe('watch caches at scale', () => {
  let api: FakeApiServer;
  let source: KubernetesSource;
  let pushes = 0;
  let lastHosts = '';
  before(async () => {
    api = await FakeApiServer.start();
    for (const n of ['a', 'b']) {
      const ing = ingress('app', n, DEFAULT_INGRESS_CLASS, `${n}.example`, n);
      ing.metadata!.managedFields = managedFields;
      api.put(ing);
      const svc = service('app', n, 80);
      svc.metadata!.managedFields = managedFields;
      svc.metadata!.annotations = { [LAST_APPLIED]: JSON.stringify(svc), keep: 'me' };
      svc.spec = { ...(svc.spec as Record<string, unknown>), selector: { app: n }, clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', sessionAffinity: 'None' };
      api.put(svc);
    }
    // As the EndpointSlice controller writes them: most of a slice is what Sluice never reads.
    const sl = slice('app', 'a-x7k2p', 'a', ['10.0.0.1'], 8080);
    sl.metadata!.labels = { 'kubernetes.io/service-name': 'a', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io', app: 'a' };
    sl.metadata!.annotations = { 'endpoints.kubernetes.io/last-change-trigger-time': '2026-01-01T00:00:00Z' };
    sl.metadata!.ownerReferences = [{ apiVersion: 'v1', kind: 'Service', name: 'a', uid: 'u-1', controller: true }];
    sl.endpoints = [{ addresses: ['10.0.0.1'], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'node-1', zone: 'z1', hints: { forZones: [{ name: 'z1' }] }, targetRef: { kind: 'Pod', namespace: 'app', name: 'a-pod', uid: 'p-1' } }];
    api.put(sl);
    source = new KubernetesSource(KubeClient.load(api.kubeconfigPath), { ingressClass: DEFAULT_INGRESS_CLASS, coalesceMs: 0 });
    await source.start((state) => {
      pushes++;
      lastHosts = JSON.stringify(state.resources.map((r) => (r.resource.kind === 'Ingress' ? r.resource.spec.rules?.[0]?.hosts : [])));
    });
  });
  after(async () => {
    await source.stop();
    await api.close();
  });

  it('a status-only change to an ingress updates the cache but pushes nothing', async () => {
    const before = pushes;
    const live = api.get('networking.internal.knative.dev/v1alpha1', 'Ingress', 'app', 'a')!;
    const written = api.putStatus({ ...live, status: { observedGeneration: 1, conditions: [{ type: 'Ready', status: 'True' }] } });
    await waitFor(() => source.ingress('app', 'a')?.metadata.resourceVersion === written.metadata!.resourceVersion, 5000, 'the cache holds the status write');
    // A real change after it is pushed: the count shows whether the status write was pushed too.
    const b = api.get('networking.internal.knative.dev/v1alpha1', 'Ingress', 'app', 'b')!;
    api.put({ ...b, spec: { ...(b.spec as object), rules: [{ hosts: ['b2.example'], visibility: 'ExternalIP', http: { paths: [{ splits: [{ serviceNamespace: 'app', serviceName: 'b', servicePort: 80, percent: 100 }] }] } }] } });
    await waitFor(() => lastHosts.includes('b2.example'), 5000, 'the spec change pushed');
    assert.equal(pushes, before + 1, 'only the spec change was pushed');
  });

  it('an ingress whose status alone changed keeps sharing its spec and labels with the version cached before', async () => {
    const cached = source.ingress('app', 'a')!;
    const live = api.get('networking.internal.knative.dev/v1alpha1', 'Ingress', 'app', 'a')!;
    const written = api.putStatus({ ...live, status: { observedGeneration: 1, conditions: [{ type: 'Ready', status: 'False' }] } });
    await waitFor(() => source.ingress('app', 'a')?.metadata.resourceVersion === written.metadata!.resourceVersion, 5000, 'the cache holds the status write');
    const now = source.ingress('app', 'a')!;
    // One copy of each spec, not two: the store still holds the resource validated from the version before.
    assert.equal(now.spec, cached.spec, 'the same spec object');
    assert.equal(now.metadata.annotations, cached.metadata.annotations, 'the same annotations object');
    assert.deepEqual(now.status?.conditions, [{ type: 'Ready', status: 'False' }]);
  });

  it('cached objects keep no managedFields, and Services no last-applied configuration', () => {
    assert.equal((source.ingress('app', 'a')?.metadata as { managedFields?: unknown } | undefined)?.managedFields, undefined);
    const svc = source.state().resources.find((r) => r.resource.kind === 'Service' && r.resource.metadata.name === 'a');
    assert.ok(svc, 'the Service is pushed');
    const meta = svc.resource.metadata as { managedFields?: unknown; annotations?: Record<string, string> };
    assert.equal(meta.managedFields, undefined);
    assert.deepEqual(meta.annotations, { keep: 'me' });
  });

  it('keeps of EndpointSlices and Services only what is read: no targetRef, nodeName, zone, other labels, selector or uid', () => {
    const resources = source.state().resources.map((r) => r.resource);
    const sl = resources.find((r) => r.kind === 'EndpointSlice');
    assert.deepEqual(JSON.parse(JSON.stringify(sl)), {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'a-x7k2p', namespace: 'app', labels: { 'kubernetes.io/service-name': 'a' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: true, serving: true, terminating: false } }],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    });
    const svc = resources.find((r): r is Service => r.kind === 'Service' && r.metadata.name === 'a')!;
    assert.deepEqual(Object.keys(svc.metadata).sort(), ['annotations', 'creationTimestamp', 'name', 'namespace']);
    assert.deepEqual(svc.spec, { type: 'ClusterIP', clusterIP: '10.96.0.1', ports: [{ name: 'http', port: 80, targetPort: 80 }] });
  });
});
