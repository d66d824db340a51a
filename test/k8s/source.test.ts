// KubernetesSource against the fake API server: first push after a full read, only our class,
// only referenced backends, changes pushed, and recovery from API server restarts and 410 Gone.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeApiServer } from '../support/fake-apiserver.ts';
import { KubeClient } from '../../src/k8s/client.ts';
import { KubernetesSource } from '../../src/k8s/source.ts';
import type { SourceState } from '../../src/sources/types.ts';
import { DEFAULT_INGRESS_CLASS } from '../../src/api/types.ts';
import { ingress, service, slice, waitFor } from './helpers.ts';

const names = (s: SourceState | undefined): string[] =>
  (s?.resources ?? []).map((r) => `${r.resource.kind} ${r.resource.metadata.namespace}/${r.resource.metadata.name}`).sort();

describe('KubernetesSource', () => {
  let api: FakeApiServer;
  let source: KubernetesSource;
  let last: SourceState | undefined;
  let pushes = 0;
  before(async () => {
    api = await FakeApiServer.start();
    api.put(ingress('app', 'mine', DEFAULT_INGRESS_CLASS, 'mine.example', 'backend'));
    api.put(ingress('app', 'theirs', 'kourier.ingress.networking.knative.dev', 'theirs.example', 'other'));
    api.put(service('app', 'backend', 80));
    api.put(service('app', 'other', 80));
    api.put(service('app', 'unrelated', 80));
    api.put(slice('app', 'backend-1', 'backend', ['10.0.0.1'], 8080));
    api.put(slice('app', 'other-1', 'other', ['10.0.0.9'], 8080));
    source = new KubernetesSource(KubeClient.load(api.kubeconfigPath), { ingressClass: DEFAULT_INGRESS_CLASS, minBackoffMs: 50, maxBackoffMs: 300 });
    await source.start((s) => {
      last = s;
      pushes++;
    });
  });
  after(async () => {
    await source.stop();
    await api.close();
  });

  it('pushes the full state once before start resolves: our ingress and only what it references', () => {
    assert.ok(pushes >= 1);
    assert.deepEqual(names(last), ['EndpointSlice app/backend-1', 'Ingress app/mine', 'Service app/backend']);
    assert.deepEqual(last?.resources.find((r) => r.resource.kind === 'Ingress')?.origin, { cluster: true });
  });

  it('pushes endpoint changes', async () => {
    api.put(slice('app', 'backend-1', 'backend', ['10.0.0.2', '10.0.0.3'], 8080));
    await waitFor(() => {
      const s = last?.resources.find((r) => r.resource.kind === 'EndpointSlice');
      return s?.resource.kind === 'EndpointSlice' && s.resource.endpoints.length === 2;
    }, 5000, 'endpoint change pushed');
  });

  it('picks up an ingress whose class is changed to ours, and drops one that leaves', async () => {
    api.put(ingress('app', 'theirs', DEFAULT_INGRESS_CLASS, 'theirs.example', 'other'));
    await waitFor(() => names(last).includes('Ingress app/theirs') && names(last).includes('Service app/other'), 5000, 'class change');
    api.remove('networking.internal.knative.dev/v1alpha1', 'Ingress', 'app', 'theirs');
    await waitFor(() => !names(last).includes('Ingress app/theirs') && !names(last).includes('Service app/other'), 5000, 'ingress delete');
  });

  it('pushes only the TLS secrets an ingress names', async () => {
    const tls = (name: string, type: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'app' }, type, data: { 'tls.crt': 'Y2VydA==', 'tls.key': 'a2V5' } });
    api.put(tls('cert', 'kubernetes.io/tls'));
    api.put(tls('opaque', 'Opaque'));
    api.put(tls('unused', 'kubernetes.io/tls'));
    const ing = ingress('app', 'secure', DEFAULT_INGRESS_CLASS, 'secure.example', 'backend');
    api.put({ ...ing, spec: { ...(ing.spec as object), tls: [{ hosts: ['secure.example'], secretName: 'cert', secretNamespace: 'app' }, { hosts: ['secure.example'], secretName: 'opaque', secretNamespace: 'app' }] } });
    await waitFor(() => names(last).includes('Ingress app/secure'), 5000, 'secure ingress pushed');
    assert.deepEqual(names(last).filter((n) => n.startsWith('Secret')), ['Secret app/cert']);
    api.remove('networking.internal.knative.dev/v1alpha1', 'Ingress', 'app', 'secure');
    await waitFor(() => !names(last).includes('Secret app/cert'), 5000, 'secret dropped with its ingress');
  });

  it('validates like file mode: a bad ingress becomes a rejection naming the field, not a resource', async () => {
    const bad = ingress('app', 'bad', DEFAULT_INGRESS_CLASS, 'bad.example', 'backend');
    const spec = bad.spec as { rules: Array<{ http: { paths: Array<{ path?: string }> } }> };
    spec.rules[0]!.http.paths[0]!.path = 'no-leading-slash';
    api.put(bad);
    await waitFor(() => (last?.rejections.length ?? 0) > 0, 5000, 'rejection pushed');
    const r = last!.rejections[0]!;
    assert.deepEqual({ kind: r.kind, ns: r.namespace, name: r.name, origin: r.origin }, { kind: 'Ingress', ns: 'app', name: 'bad', origin: { cluster: true } });
    assert.match(r.errors.map((e) => e.path).join(), /spec\.rules\[0\]\.http\.paths\[0\]\.path/);
    assert.ok(!names(last).includes('Ingress app/bad'));
    api.remove('networking.internal.knative.dev/v1alpha1', 'Ingress', 'app', 'bad');
    await waitFor(() => last?.rejections.length === 0, 5000, 'rejection gone with the ingress');
  });

  it('survives an API server restart: changes made while it was down arrive after', async () => {
    await api.shutdown();
    api.put(slice('app', 'backend-1', 'backend', ['10.0.0.7'], 8080));
    await new Promise((r) => setTimeout(r, 300));
    await api.listen();
    await waitFor(() => {
      const s = last?.resources.find((r) => r.resource.kind === 'EndpointSlice');
      return s?.resource.kind === 'EndpointSlice' && s.resource.endpoints[0]?.addresses[0] === '10.0.0.7';
    }, 10000, 'change after restart');
  });

  it('relists after 410 Gone (compacted history) and sees deletes that happened meanwhile', async () => {
    const before = source.listCounts().services;
    await api.shutdown();
    api.remove('v1', 'Service', 'app', 'backend');
    api.compact();
    await api.listen();
    await waitFor(() => !names(last).includes('Service app/backend'), 10000, 'delete seen through relist');
    assert.ok(source.listCounts().services > before, 'services were listed again');
  });
});
