// The fake API server, checked against @kubernetes/client-node itself (its typed APIs, its Watch and
// its generic KubernetesObjectApi with server-side apply), so the other k8s tests can trust it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CoordinationV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, KubernetesObjectApi, PatchStrategy, Watch } from '@kubernetes/client-node';
import { FakeApiServer } from '../support/fake-apiserver.ts';
import { kubeconfigText } from '../support/fake-apiserver-tls.ts';

const withTimeout = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), ms).unref())]);

describe('fake API server', () => {
  let api: FakeApiServer;
  let kc: KubeConfig;
  before(async () => {
    api = await FakeApiServer.start();
    kc = new KubeConfig();
    kc.loadFromFile(api.kubeconfigPath);
  });
  after(async () => {
    await api.close();
  });

  it('rejects requests without the token', async () => {
    const bad = new KubeConfig();
    bad.loadFromString(kubeconfigText(api.url, api.caCert, 'wrong-token'));
    await assert.rejects(bad.makeApiClient(CoreV1Api).listNamespace(), (err: { code?: number }) => err.code === 401);
  });

  it('creates, lists with resourceVersion and label selector, and reports 404/409', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'ns1' } } });
    const created = await core.createNamespacedService({ namespace: 'ns1', body: { metadata: { name: 'a', labels: { app: 'x' } }, spec: { ports: [{ port: 80 }] } } });
    assert.ok(created.metadata?.resourceVersion);
    assert.equal(created.metadata?.generation, 1);
    await core.createNamespacedService({ namespace: 'ns1', body: { metadata: { name: 'b', labels: { app: 'y' } }, spec: { ports: [{ port: 81 }] } } });
    const list = await core.listNamespacedService({ namespace: 'ns1', labelSelector: 'app=x' });
    assert.deepEqual(list.items.map((s) => s.metadata?.name), ['a']);
    assert.ok(Number(list.metadata?.resourceVersion) >= Number(created.metadata?.resourceVersion));
    await assert.rejects(core.readNamespacedService({ namespace: 'ns1', name: 'nope' }), (err: { code?: number }) => err.code === 404);
    await assert.rejects(core.createNamespacedService({ namespace: 'ns1', body: { metadata: { name: 'a' } } }), (err: { code?: number }) => err.code === 409);
  });

  it('filters by field selector, and list items carry no apiVersion/kind (as the real server)', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespacedSecret({ namespace: 'ns1', body: { metadata: { name: 'tls' }, type: 'kubernetes.io/tls', data: {} } });
    await core.createNamespacedSecret({ namespace: 'ns1', body: { metadata: { name: 'opaque' }, type: 'Opaque', data: {} } });
    const list = await core.listSecretForAllNamespaces({ fieldSelector: 'type=kubernetes.io/tls' });
    assert.deepEqual(list.items.map((s) => s.metadata?.name), ['tls']);
    assert.equal(list.items[0]?.kind, undefined);
  });

  it('replace with a stale resourceVersion gets 409; status subresource only changes status; spec change bumps generation', async () => {
    const custom = kc.makeApiClient(CustomObjectsApi);
    const base = { group: 'networking.internal.knative.dev', version: 'v1alpha1', namespace: 'ns1', plural: 'ingresses' };
    const ing = (await custom.createNamespacedCustomObject({ ...base, body: { apiVersion: 'networking.internal.knative.dev/v1alpha1', kind: 'Ingress', metadata: { name: 'i1' }, spec: { rules: [] } } })) as { metadata: { resourceVersion: string; generation: number } };
    const withStatus = (await custom.replaceNamespacedCustomObjectStatus({ ...base, name: 'i1', body: { ...ing, spec: { rules: [{ hosts: ['ignored'] }] }, status: { observedGeneration: 1 } } })) as { metadata: { resourceVersion: string; generation: number }; spec: unknown; status: unknown };
    assert.deepEqual(withStatus.spec, { rules: [] }, 'status write must not change spec');
    assert.deepEqual(withStatus.status, { observedGeneration: 1 });
    assert.equal(withStatus.metadata.generation, 1);
    await assert.rejects(
      custom.replaceNamespacedCustomObjectStatus({ ...base, name: 'i1', body: { ...ing, status: { observedGeneration: 2 } } }),
      (err: { code?: number }) => err.code === 409,
    );
    const specChanged = (await custom.replaceNamespacedCustomObject({ ...base, name: 'i1', body: { ...withStatus, spec: { rules: [{ hosts: ['a.example'] }] }, status: { bogus: true } } })) as { metadata: { generation: number }; status: unknown };
    assert.equal(specChanged.metadata.generation, 2);
    assert.deepEqual(specChanged.status, { observedGeneration: 1 }, 'main resource write must not change status');
  });

  it('merge patch and server-side apply through KubernetesObjectApi', async () => {
    const objects = KubernetesObjectApi.makeApiClient(kc);
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'config-network', namespace: 'ns1' }, data: { a: '1' } };
    await objects.patch(cm, undefined, undefined, 'sluice', true, PatchStrategy.ServerSideApply);
    await objects.patch({ ...cm, data: { b: '2' } }, undefined, undefined, undefined, undefined, PatchStrategy.MergePatch);
    assert.deepEqual(api.get('v1', 'ConfigMap', 'ns1', 'config-network')?.data, { a: '1', b: '2' });
    const lease = kc.makeApiClient(CoordinationV1Api);
    await lease.createNamespacedLease({ namespace: 'ns1', body: { metadata: { name: 'l' }, spec: { holderIdentity: 'me' } } });
    assert.equal((await lease.readNamespacedLease({ namespace: 'ns1', name: 'l' })).spec?.holderIdentity, 'me');
  });

  it('streams watch events from a resourceVersion, and sends 410 Gone after compaction', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const start = (await core.listNamespacedService({ namespace: 'ns1' })).metadata!.resourceVersion!;
    const events: string[] = [];
    const w = new Watch(kc);
    let closed!: (err: unknown) => void;
    const ended = new Promise<unknown>((r) => (closed = r));
    const gotTwo = new Promise<void>((resolve) => {
      void w.watch('/api/v1/namespaces/ns1/services', { resourceVersion: start }, (type, obj) => {
        events.push(`${type} ${obj.metadata.name}`);
        if (events.length === 2) resolve();
      }, (err) => closed(err));
    });
    await core.createNamespacedService({ namespace: 'ns1', body: { metadata: { name: 'c' } } });
    await core.deleteNamespacedService({ namespace: 'ns1', name: 'c' });
    await withTimeout(gotTwo, 5000, 'two watch events');
    assert.deepEqual(events, ['ADDED c', 'DELETED c']);
    api.compact();
    await withTimeout(ended, 5000, 'watch closed by compaction');
    const gone: Array<{ type: string; code?: number }> = [];
    const goneEnded = new Promise<void>((resolve) => {
      void w.watch('/api/v1/namespaces/ns1/services', { resourceVersion: start }, (type, obj) => gone.push({ type, code: obj.code }), () => resolve());
    });
    await withTimeout(goneEnded, 5000, '410 stream end');
    assert.deepEqual(gone, [{ type: 'ERROR', code: 410 }]);
  });

  it('restarts on the same port and drops open watches', async () => {
    const url = api.url;
    const w = new Watch(kc);
    const ended = new Promise<void>((resolve) => {
      void w.watch('/api/v1/services', { resourceVersion: String(api.resourceVersion) }, () => {}, () => resolve());
    });
    await new Promise((r) => setTimeout(r, 100));
    await api.restart(100);
    await withTimeout(ended, 5000, 'watch dropped by restart');
    assert.equal(api.url, url);
    const list = await kc.makeApiClient(CoreV1Api).listNamespacedService({ namespace: 'ns1' });
    assert.ok(list.items.length >= 2);
  });
});
