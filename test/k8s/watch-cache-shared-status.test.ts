// What the ingress cache keeps of each ingress's status: the leader writes the same conditions and
// load balancer to most ingresses within the same seconds, and each write comes back by the watch as
// a new parse; equal statuses are kept as one object, from a list and from a watch event alike, and
// an ingress whose status differs keeps its own.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeApiServer, type KObject } from '../support/fake-apiserver.ts';
import { KubeClient } from '../../src/k8s/client.ts';
import { KubernetesSource } from '../../src/k8s/source.ts';
import { DEFAULT_INGRESS_CLASS } from '../../src/api/types.ts';
import { ingress, waitFor } from './helpers.ts';

const ready = (time: string) => ({
  observedGeneration: 1,
  conditions: ['LoadBalancerReady', 'NetworkConfigured', 'Ready'].map((type) => ({ type, status: 'True', lastTransitionTime: time })),
  publicLoadBalancer: { ingress: [{ domainInternal: 'sluice.sluice-system.svc.cluster.local' }] },
  privateLoadBalancer: { ingress: [{ domainInternal: 'sluice-internal.sluice-system.svc.cluster.local' }] },
});

const withStatus = (o: KObject, status: unknown): KObject => ({ ...o, status });

describe('the ingress cache keeps equal statuses once', () => {
  let api: FakeApiServer;
  let source: KubernetesSource;
  before(async () => {
    api = await FakeApiServer.start();
    for (const name of ['a', 'b']) api.put(withStatus(ingress('app', name, DEFAULT_INGRESS_CLASS, `${name}.example`, `${name}-svc`), ready('2026-01-01T00:00:00Z')));
    api.put(withStatus(ingress('app', 'c', DEFAULT_INGRESS_CLASS, 'c.example', 'c-svc'), ready('2026-01-01T00:00:09Z')));
    source = new KubernetesSource(KubeClient.load(api.kubeconfigPath), { ingressClass: DEFAULT_INGRESS_CLASS, coalesceMs: 0 });
    await source.start(() => {});
  });
  after(async () => {
    await source.stop();
    await api.close();
  });

  it('listed ingresses with equal statuses hold one status object; a different one its own', () => {
    const [a, b, c] = ['a', 'b', 'c'].map((n) => source.ingress('app', n)!);
    assert.equal(a!.status, b!.status);
    assert.notEqual(c!.status, a!.status);
    assert.deepEqual(c!.status, ready('2026-01-01T00:00:09Z'));
  });

  it('a status written later (a watch event) joins the equal one already held', async () => {
    const live = api.get('networking.internal.knative.dev/v1alpha1', 'Ingress', 'app', 'c')!;
    api.putStatus(withStatus(live, ready('2026-01-01T00:00:00Z')));
    await waitFor(() => source.ingress('app', 'c')?.status?.conditions?.[0]?.lastTransitionTime === '2026-01-01T00:00:00Z', 5000, 'the status change of c');
    assert.equal(source.ingress('app', 'c')!.status, source.ingress('app', 'a')!.status);
  });
});
