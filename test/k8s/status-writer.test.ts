// Status writing against the fake API server: Knative's conditions, only-on-change writes,
// kept transition times, observedGeneration, and 409 Conflict retried on a fresh read.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeApiServer } from '../support/fake-apiserver.ts';
import { KubeClient } from '../../src/k8s/client.ts';
import { StatusWriter, desiredStatus } from '../../src/k8s/status-writer.ts';
import type { IngressStatusReport } from '../../src/snapshot/types.ts';
import type { IngressStatus, KIngress } from '../../src/api/types.ts';
import { DEFAULT_INGRESS_CLASS } from '../../src/api/types.ts';
import { ingress } from './helpers.ts';

const report = (over: Partial<IngressStatusReport> = {}): IngressStatusReport => ({
  namespace: 'app',
  name: 'web',
  hash: 'abc',
  generation: 1,
  conditions: [
    { type: 'NetworkConfigured', status: 'True' },
    { type: 'LoadBalancerReady', status: 'True' },
    { type: 'Ready', status: 'True' },
  ],
  publicLoadBalancer: { ingress: [{ domainInternal: 'sluice.sluice-system.svc.cluster.local' }] },
  privateLoadBalancer: { ingress: [{ domainInternal: 'sluice-internal.sluice-system.svc.cluster.local' }] },
  ...over,
});

describe('desiredStatus', () => {
  const t0 = new Date('2026-01-01T00:00:00Z');
  const t1 = new Date('2026-01-01T00:01:00Z');
  it('waits for the prober: LoadBalancerReady and Ready Unknown, no load balancer yet', () => {
    const s = desiredStatus(report(), false, undefined, t0, 1);
    assert.deepEqual(s.conditions?.map((c) => `${c.type}=${c.status}${c.reason ? ` ${c.reason}` : ''}`), ['LoadBalancerReady=Unknown Uninitialized', 'NetworkConfigured=True', 'Ready=Unknown Uninitialized']);
    assert.equal(s.publicLoadBalancer, undefined);
    assert.equal(s.observedGeneration, 1);
  });
  it('is Ready with load balancers once probed, keeping transition times of unchanged conditions', () => {
    const before = desiredStatus(report(), false, undefined, t0, 1);
    const s = desiredStatus(report(), true, before, t1, 1);
    const time = (st: IngressStatus, type: string) => st.conditions?.find((c) => c.type === type)?.lastTransitionTime;
    assert.equal(time(s, 'NetworkConfigured'), '2026-01-01T00:00:00Z');
    assert.equal(time(s, 'Ready'), '2026-01-01T00:01:00Z');
    assert.equal(s.conditions?.every((c) => c.status === 'True' && !c.reason), true);
    assert.deepEqual(s.publicLoadBalancer, report().publicLoadBalancer);
    assert.deepEqual(s.privateLoadBalancer, report().privateLoadBalancer);
  });
  it('a False NetworkConfigured makes Ready False with its reason', () => {
    const r = report({ conditions: [{ type: 'NetworkConfigured', status: 'False', reason: 'SecretMissing', message: 'secret app/tls not found' }] });
    const ready = desiredStatus(r, false, undefined, t0, 1).conditions?.find((c) => c.type === 'Ready');
    assert.deepEqual({ s: ready?.status, r: ready?.reason, m: ready?.message }, { s: 'False', r: 'SecretMissing', m: 'secret app/tls not found' });
  });
});

describe('StatusWriter', () => {
  let api: FakeApiServer;
  let client: KubeClient;
  before(async () => {
    api = await FakeApiServer.start();
    client = KubeClient.load(api.kubeconfigPath);
    api.put(ingress('app', 'web', DEFAULT_INGRESS_CLASS, 'web.example', 'web'));
  });
  after(async () => {
    await api.close();
  });
  const live = (): KIngress => api.get('networking.internal.knative.dev/v1alpha1', 'Ingress', 'app', 'web') as unknown as KIngress;
  const statusWrites = (): number => api.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/ingresses/web/status')).length;

  it('writes once, then not again while nothing changed', async () => {
    const w = new StatusWriter(client);
    assert.equal(await w.write(report(), false), 'written');
    assert.equal(await w.write(report(), false), 'unchanged');
    assert.equal(statusWrites(), 1);
    assert.equal(live().status?.conditions?.find((c) => c.type === 'Ready')?.status, 'Unknown');
    assert.equal(await w.write(report(), true), 'written');
    const st = live().status!;
    assert.equal(st.observedGeneration, 1);
    assert.equal(st.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
    assert.equal(st.publicLoadBalancer?.ingress[0]?.domainInternal, 'sluice.sluice-system.svc.cluster.local');
  });

  it('retries a 409 Conflict after reading the object again', async () => {
    const stale = live();
    api.put({ ...(live() as unknown as Record<string, unknown>), metadata: { ...live().metadata, labels: { touched: 'yes' } } }); // someone else writes
    const w = new StatusWriter(client, { lookup: () => stale });
    const conflictsBefore = statusWrites();
    assert.equal(await w.write(report({ publicLoadBalancer: { ingress: [{ domainInternal: 'other.example' }] } }), true), 'written');
    assert.equal(statusWrites() - conflictsBefore, 2, 'one 409, one success');
    assert.equal(live().status?.publicLoadBalancer?.ingress[0]?.domainInternal, 'other.example');
    assert.equal(live().metadata.labels?.touched, 'yes', 'the other writer\'s change survives');
  });

  it('observedGeneration is the generation served, or the live one when the latest spec was rejected', async () => {
    const cur = live();
    api.put({ ...(cur as unknown as Record<string, unknown>), spec: { ...cur.spec, httpOption: 'Redirected' } });
    assert.equal(live().metadata.generation, 2);
    const w = new StatusWriter(client);
    // Not translated yet: the status still describes generation 1, which Knative tells apart.
    await w.write(report({ generation: 1 }), true);
    assert.equal(live().status?.observedGeneration, 1);
    assert.equal(await w.write(report({ generation: 2 }), true), 'written');
    assert.equal(live().status?.observedGeneration, 2);
    const c3 = live();
    api.put({ ...(c3 as unknown as Record<string, unknown>), spec: { ...c3.spec, httpOption: 'Enabled' } });
    // Generation 3 rejected: generation 2 stays served, and the status says generation 3 is not configured.
    const rejected = report({ generation: 2, conditions: [{ type: 'NetworkConfigured', status: 'False', reason: 'InvalidSpec', message: 'bad' }] });
    assert.equal(await w.write(rejected, true), 'written');
    assert.equal(live().status?.observedGeneration, 3);
    assert.equal(live().status?.conditions?.find((c) => c.type === 'Ready')?.reason, 'InvalidSpec');
  });

  it('a write right after its own previous one, before the watch has caught up, costs no 409', async () => {
    api.put(ingress('app', 'lag', DEFAULT_INGRESS_CLASS, 'lag.example', 'web'));
    // The watch's copy lags behind the writer's own writes (the API server's event is still on its way).
    const cached = structuredClone(api.get('networking.internal.knative.dev/v1alpha1', 'Ingress', 'app', 'lag')) as unknown as KIngress;
    const w = new StatusWriter(client, { lookup: () => cached });
    const puts = (): number => api.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/ingresses/lag/status')).length;
    const lag = report({ name: 'lag' });
    assert.equal(await w.write(lag, false), 'written');
    assert.equal(await w.write(lag, false), 'unchanged');
    assert.equal(await w.write(lag, true), 'written');
    assert.equal(await w.write(report({ name: 'lag', publicLoadBalancer: { ingress: [{ domainInternal: 'other.example' }] } }), true), 'written');
    assert.equal(puts(), 3, 'three writes in a row, no conflict');
    // Once the watch has caught up (or someone else wrote), its copy is what counts again.
    Object.assign(cached, structuredClone(api.get('networking.internal.knative.dev/v1alpha1', 'Ingress', 'app', 'lag')));
    assert.equal(await w.write(lag, true), 'written', 'back to the first load balancer');
    assert.equal(puts(), 4, 'no conflict');
  });

  it('answers gone for a deleted ingress', async () => {
    const w = new StatusWriter(client);
    assert.equal(await w.write(report({ name: 'nope' }), true), 'gone');
  });
});
