// KubernetesSource and the Gateway API: the version the server serves is the one watched (here the
// v1beta1 of an older release), objects are validated as in file mode, Namespaces are pushed for their
// labels, and only the Services and TLS Secrets that routes and Gateways name come along.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeApiServer } from '../support/fake-apiserver.ts';
import { KubeClient } from '../../src/k8s/client.ts';
import { KubernetesSource } from '../../src/k8s/source.ts';
import type { SourceState } from '../../src/sources/types.ts';
import { DEFAULT_INGRESS_CLASS } from '../../src/api/types.ts';
import { service, waitFor } from './helpers.ts';

const B1 = 'gateway.networking.k8s.io/v1beta1';
const names = (s: SourceState | undefined): string[] =>
  (s?.resources ?? []).map((r) => `${r.resource.kind} ${r.resource.metadata.namespace ?? ''}/${r.resource.metadata.name}`).sort();

describe('KubernetesSource with the Gateway API', () => {
  let api: FakeApiServer;
  let source: KubernetesSource;
  let last: SourceState | undefined;
  before(async () => {
    api = await FakeApiServer.start();
    api.installGatewayApi('v1beta1');
    api.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app', labels: { team: 'a' } } });
    api.put({ apiVersion: B1, kind: 'GatewayClass', metadata: { name: 'sluice' }, spec: { controllerName: 'sluice.dev/gateway-controller' } });
    api.put({
      apiVersion: B1,
      kind: 'Gateway',
      metadata: { name: 'gw', namespace: 'app' },
      spec: { gatewayClassName: 'sluice', listeners: [{ name: 'https', port: 443, protocol: 'HTTPS', tls: { certificateRefs: [{ name: 'cert' }] } }] },
    });
    api.put({
      apiVersion: B1,
      kind: 'HTTPRoute',
      metadata: { name: 'web', namespace: 'app' },
      spec: { parentRefs: [{ name: 'gw' }], rules: [{ backendRefs: [{ name: 'web', port: 80 }], filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'shadow', port: 80 } } }] }] },
    });
    for (const name of ['web', 'shadow', 'unrelated']) api.put(service('app', name, 80));
    for (const name of ['cert', 'other']) api.put({ apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name, namespace: 'app' }, data: { 'tls.crt': 'Y2VydA==', 'tls.key': 'a2V5' } });
    source = new KubernetesSource(KubeClient.load(api.kubeconfigPath), { ingressClass: DEFAULT_INGRESS_CLASS, minBackoffMs: 50, maxBackoffMs: 300 });
    await source.start((s) => (last = s));
  });
  after(async () => {
    await source.stop();
    await api.close();
  });

  it('watches the served v1beta1 kinds and pushes them with the Namespaces and only what they reference', () => {
    assert.deepEqual(names(last), ['Gateway app/gw', 'GatewayClass /sluice', 'HTTPRoute app/web', 'Namespace /app', 'Secret app/cert', 'Service app/shadow', 'Service app/web']);
    assert.equal(source.gatewayApiObject('Gateway', 'app', 'gw')?.path, '/apis/gateway.networking.k8s.io/v1beta1/namespaces/app/gateways/gw');
    assert.equal(source.gatewayApiObject('GatewayClass', '', 'sluice')?.path, '/apis/gateway.networking.k8s.io/v1beta1/gatewayclasses/sluice');
  });

  it('rejects an invalid route as file mode does, naming the field', async () => {
    api.put({ apiVersion: B1, kind: 'HTTPRoute', metadata: { name: 'bad', namespace: 'app' }, spec: { parentRefs: 'gw' } });
    await waitFor(() => (last?.rejections ?? []).some((r) => r.name === 'bad'), 5000, 'the bad route rejected');
    const r = last!.rejections.find((x) => x.name === 'bad')!;
    assert.match(JSON.stringify(r.errors), /parentRefs/);
  });
});

describe('KubernetesSource in a cluster without Knative Serving', () => {
  it('starts and pushes the Gateway API objects though the Knative Ingress CRD is missing', async () => {
    const api = await FakeApiServer.start();
    const source = new KubernetesSource(KubeClient.load(api.kubeconfigPath), { ingressClass: DEFAULT_INGRESS_CLASS, minBackoffMs: 50, maxBackoffMs: 300 });
    try {
      api.removeGroup('networking.internal.knative.dev');
      api.installGatewayApi();
      api.put({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'sluice' }, spec: { controllerName: 'sluice.dev/gateway-controller' } });
      let last: SourceState | undefined;
      const started = source.start((s) => (last = s));
      await Promise.race([started, new Promise((_, reject) => setTimeout(() => reject(new Error('start() still waiting after 5 s')), 5000).unref())]);
      assert.deepEqual(names(last), ['GatewayClass /sluice']);
    } finally {
      await source.stop();
      await api.close();
    }
  });
});
