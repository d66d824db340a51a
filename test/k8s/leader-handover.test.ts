// With the default timings (a 15 s Lease), a follower takes over within about a second of a graceful
// release: it used to poll every leaseDuration/3 (5 s). And every request names Sluice: User-Agent on
// reads, watches and writes, fieldManager=sluice on Lease and status writes (managedFields said `unknown`).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeApiServer } from '../support/fake-apiserver.ts';
import { KubeClient } from '../../src/k8s/client.ts';
import { LeaderElector } from '../../src/k8s/leader.ts';
import { KubernetesSource } from '../../src/k8s/source.ts';
import { StatusWriter } from '../../src/k8s/status-writer.ts';
import { DEFAULT_INGRESS_CLASS } from '../../src/api/types.ts';
import type { IngressStatusReport } from '../../src/snapshot/types.ts';
import { ingress, waitFor } from './helpers.ts';

const LEASE_PATH = '/apis/coordination.k8s.io/v1/namespaces/sluice-system/leases/sluice-leader';

describe('leader handover and request identity', () => {
  let api: FakeApiServer;
  const electors: LeaderElector[] = [];
  const make = (identity: string): LeaderElector => {
    // Production timings: no leaseDurationMs or retryPeriodMs given.
    const e = new LeaderElector(KubeClient.load(api.kubeconfigPath), { namespace: 'sluice-system', identity });
    electors.push(e);
    return e;
  };
  before(async () => {
    api = await FakeApiServer.start();
  });
  after(async () => {
    for (const e of electors) await e.stop();
    await api.close();
  });

  it('a follower takes over within ~1 s of a graceful release (default 15 s Lease)', async () => {
    const a = make('a');
    a.start();
    await waitFor(() => a.isLeader(), 5000, 'a leads');
    const b = make('b');
    const leaseGets = (): number => api.requests.filter((r) => r.method === 'GET' && r.path === LEASE_PATH).length;
    const before = leaseGets();
    b.start();
    // Release right after b has looked and found a's Lease valid: b only notices on its next look.
    await waitFor(() => leaseGets() > before, 5000, 'b read the Lease');
    await new Promise((r) => setImmediate(r));
    assert.equal(b.isLeader(), false);
    const released = Date.now();
    await a.stop();
    await waitFor(() => b.isLeader(), 4000, 'b leads');
    const ms = Date.now() - released;
    assert.ok(ms < 1500, `b took over ${ms} ms after the release`);
  });

  it('Lease and status writes carry fieldManager=sluice, and every request a sluice User-Agent', async () => {
    api.put(ingress('app', 'web', DEFAULT_INGRESS_CLASS, 'web.example', 'web'));
    const client = KubeClient.load(api.kubeconfigPath);
    const source = new KubernetesSource(client, { ingressClass: DEFAULT_INGRESS_CLASS });
    await source.start(() => {});
    try {
      const report: IngressStatusReport = { namespace: 'app', name: 'web', hash: 'h', generation: 1, conditions: [{ type: 'NetworkConfigured', status: 'True' }, { type: 'LoadBalancerReady', status: 'True' }, { type: 'Ready', status: 'True' }], publicLoadBalancer: { ingress: [] }, privateLoadBalancer: { ingress: [] } };
      assert.equal(await new StatusWriter(client).write(report, true), 'written');
    } finally {
      await source.stop();
    }
    const writes = api.requests.filter((r) => r.method !== 'GET');
    assert.ok(writes.some((w) => w.path === LEASE_PATH && w.method === 'PUT'), 'Lease renewals and the release were recorded');
    assert.ok(writes.some((w) => w.path.endsWith('/ingresses/web/status')), 'the status write was recorded');
    for (const w of writes) assert.equal(w.query.fieldManager, 'sluice', `${w.method} ${w.path}`);
    const watches = api.requests.filter((r) => r.query.watch);
    assert.ok(watches.length > 0, 'the source watched');
    for (const r of api.requests) assert.match(r.userAgent ?? '', /^sluice\/\d+\.\d+\.\d+ \(/, `${r.method} ${r.path}${r.query.watch ? ' (watch)' : ''}`);
  });
});
