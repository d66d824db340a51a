// What the watch caches keep at scale: a status-only change (the leader's own writes, one per ingress)
// pushes nothing to the translator, and objects are kept without managedFields (and, for the kinds
// Sluice never writes, without kubectl's last-applied copy), which are often most of an object's size.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeApiServer } from '../support/fake-apiserver.ts';
import { KubeClient } from '../../src/k8s/client.ts';
import { KubernetesSource } from '../../src/k8s/source.ts';
import { DEFAULT_INGRESS_CLASS } from '../../src/api/types.ts';
import { ingress, service, waitFor } from './helpers.ts';

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
      api.put(svc);
    }
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

  it('cached objects keep no managedFields, and Services no last-applied configuration', () => {
    assert.equal((source.ingress('app', 'a')?.metadata as { managedFields?: unknown } | undefined)?.managedFields, undefined);
    const svc = source.state().resources.find((r) => r.resource.kind === 'Service' && r.resource.metadata.name === 'a');
    assert.ok(svc, 'the Service is pushed');
    const meta = svc.resource.metadata as { managedFields?: unknown; annotations?: Record<string, string> };
    assert.equal(meta.managedFields, undefined);
    assert.deepEqual(meta.annotations, { keep: 'me' });
  });
});
