// Kubernetes mode reads `config-sluice` from the gateway's namespace, by name (no other ConfigMap
// reaches memory), validates it as file mode does, and pushes its changes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_INGRESS_CLASS } from '../../src/api/types.ts';
import { KubeClient } from '../../src/k8s/client.ts';
import { KubernetesSource } from '../../src/k8s/source.ts';
import type { SourceState } from '../../src/sources/types.ts';
import { FakeApiServer } from '../support/fake-apiserver.ts';
import { waitFor } from '../k8s/helpers.ts';

const configMap = (namespace: string, name: string, data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data });
const configMaps = (s: SourceState | undefined): string[] =>
  (s?.resources ?? []).filter((r) => r.resource.kind === 'ConfigMap').map((r) => `${r.resource.metadata.namespace}/${r.resource.metadata.name} ${JSON.stringify((r.resource as { data?: object }).data)}`);

describe('config-sluice in Kubernetes mode', () => {
  let api: FakeApiServer;
  let source: KubernetesSource;
  let last: SourceState | undefined;

  before(async () => {
    api = await FakeApiServer.start();
    api.put(configMap('sluice-system', 'config-sluice', { 'trusted-hops-count': '1' }));
    api.put(configMap('sluice-system', 'other', { 'trusted-hops-count': '9' }));
    api.put(configMap('default', 'config-sluice', { 'trusted-hops-count': '7' }));
    source = new KubernetesSource(KubeClient.load(api.kubeconfigPath), { ingressClass: DEFAULT_INGRESS_CLASS, minBackoffMs: 50, maxBackoffMs: 300, configNamespace: 'sluice-system' });
    await source.start((s) => (last = s));
  });

  after(async () => {
    await source.stop();
    await api.close();
  });

  it("pushes the gateway namespace's config-sluice with the first state, and no other ConfigMap", () => {
    assert.deepEqual(configMaps(last), ['sluice-system/config-sluice {"trusted-hops-count":"1"}']);
  });

  it('pushes an edit, and a bad value as a rejection naming the key', async () => {
    api.put(configMap('sluice-system', 'config-sluice', { 'trusted-hops-count': '2', 'enable-proxy-protocol': 'true' }));
    await waitFor(() => configMaps(last).some((c) => c.includes('"2"')), 5000, 'edit pushed');
    api.put(configMap('sluice-system', 'config-sluice', { 'trusted-hops-count': 'lots' }));
    await waitFor(() => (last?.rejections ?? []).some((r) => r.kind === 'ConfigMap' && r.errors.some((e) => e.path === 'data.trusted-hops-count')), 5000, 'rejection pushed');
  });

  it('pushes its removal', async () => {
    api.remove('v1', 'ConfigMap', 'sluice-system', 'config-sluice');
    await waitFor(() => configMaps(last).length === 0 && (last?.rejections ?? []).length === 0, 5000, 'removal pushed');
  });
});
