// What the Service and EndpointSlice caches keep of parts most objects hold equal: a revision's
// Services have the same ports, and its slices the same ports and endpoint conditions; each equal
// part is one object, from a list and from a watch event, and what is pushed reads as written.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeApiServer } from '../support/fake-apiserver.ts';
import { KubeClient } from '../../src/k8s/client.ts';
import { KubernetesSource } from '../../src/k8s/source.ts';
import { DEFAULT_INGRESS_CLASS, type Resource } from '../../src/api/types.ts';
import type { SourceState } from '../../src/sources/types.ts';
import { ingress, service, slice, waitFor } from './helpers.ts';

describe('Service and EndpointSlice caches keep equal ports and conditions once', () => {
  let api: FakeApiServer;
  let source: KubernetesSource;
  let state: SourceState | undefined;
  const pushed = (kind: string, name: string): Resource | undefined => state?.resources.find((r) => r.resource.kind === kind && r.resource.metadata.name === name)?.resource;
  before(async () => {
    api = await FakeApiServer.start();
    for (const name of ['a', 'b', 'c']) api.put(ingress('app', name, DEFAULT_INGRESS_CLASS, `${name}.example`, name));
    for (const name of ['a', 'b']) {
      api.put(service('app', name, 80));
      api.put(slice('app', `${name}-x`, name, [name === 'a' ? '10.0.0.1' : '10.0.0.2'], 8080));
    }
    source = new KubernetesSource(KubeClient.load(api.kubeconfigPath), { ingressClass: DEFAULT_INGRESS_CLASS, coalesceMs: 0 });
    await source.start((s) => (state = s));
  });
  after(async () => {
    await source.stop();
    await api.close();
  });

  it('listed: equal ports and conditions are one object; addresses stay each slice\'s own', () => {
    const [a, b] = [source.endpointSlicesOf('app', 'a')[0]!, source.endpointSlicesOf('app', 'b')[0]!];
    assert.equal(a.ports, b.ports);
    assert.equal(a.endpoints[0]!.conditions, b.endpoints[0]!.conditions);
    assert.deepEqual([a.endpoints[0]!.addresses, b.endpoints[0]!.addresses], [['10.0.0.1'], ['10.0.0.2']]);
    const [sa, sb] = [pushed('Service', 'a'), pushed('Service', 'b')] as Array<{ spec: { ports: unknown } }>;
    assert.equal(sa!.spec.ports, sb!.spec.ports);
  });

  it('watched: a new Service and slice share them too; a different port is its own', async () => {
    api.put(service('app', 'c', 80));
    api.put(slice('app', 'c-x', 'c', ['10.0.0.3'], 9090));
    await waitFor(() => pushed('EndpointSlice', 'c-x') !== undefined && pushed('Service', 'c') !== undefined, 5000, 'the watched Service and slice pushed');
    const [a, c] = [source.endpointSlicesOf('app', 'a')[0]!, source.endpointSlicesOf('app', 'c')[0]!];
    assert.equal(c.endpoints[0]!.conditions, a.endpoints[0]!.conditions);
    assert.notEqual(c.ports, a.ports);
    assert.deepEqual(c.ports, [{ name: 'http', port: 9090, protocol: 'TCP' }]);
    assert.equal((pushed('Service', 'c') as unknown as { spec: { ports: unknown } }).spec.ports, (pushed('Service', 'a') as unknown as { spec: { ports: unknown } }).spec.ports);
  });
});

describe('a pushed Service or EndpointSlice is the object the cache holds', () => {
  it('listed and watched alike: validation made no second copy', async () => {
    const api = await FakeApiServer.start();
    let state: SourceState | undefined;
    const source = new KubernetesSource(KubeClient.load(api.kubeconfigPath), { ingressClass: DEFAULT_INGRESS_CLASS, coalesceMs: 0 });
    try {
      api.put(ingress('app', 'a', DEFAULT_INGRESS_CLASS, 'a.example', 'a'));
      api.put(service('app', 'a', 80));
      api.put(slice('app', 'a-x', 'a', ['10.0.0.1'], 8080));
      await source.start((s) => (state = s));
      const pushed = (kind: string, name: string): Resource | undefined => state?.resources.find((r) => r.resource.kind === kind && r.resource.metadata.name === name)?.resource;
      assert.equal(pushed('Service', 'a'), source.cached('Service', 'app', 'a'));
      assert.equal(pushed('EndpointSlice', 'a-x'), source.cached('EndpointSlice', 'app', 'a-x'));
      api.put(slice('app', 'a-x', 'a', ['10.0.0.9'], 8080));
      await waitFor(() => (pushed('EndpointSlice', 'a-x') as unknown as { endpoints: Array<{ addresses: string[] }> } | undefined)?.endpoints[0]?.addresses[0] === '10.0.0.9', 5000, 'the slice change pushed');
      assert.equal(pushed('EndpointSlice', 'a-x'), source.cached('EndpointSlice', 'app', 'a-x'));
      assert.equal(pushed('Service', 'a')!.apiVersion, 'v1');
      assert.equal(pushed('EndpointSlice', 'a-x')!.kind, 'EndpointSlice');
    } finally {
      await source.stop();
      await api.close();
    }
  });
});
