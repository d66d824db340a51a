// Leader election against the fake API server: one leader among candidates, handover on release,
// takeover within the lease duration when the leader dies without releasing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeApiServer } from '../support/fake-apiserver.ts';
import { KubeClient } from '../../src/k8s/client.ts';
import { LeaderElector } from '../../src/k8s/leader.ts';
import { waitFor } from './helpers.ts';

describe('LeaderElector', () => {
  let api: FakeApiServer;
  const electors: LeaderElector[] = [];
  const make = (identity: string): LeaderElector => {
    const e = new LeaderElector(KubeClient.load(api.kubeconfigPath), { namespace: 'sluice-system', identity, leaseDurationMs: 1000, retryPeriodMs: 150 });
    electors.push(e);
    return e;
  };
  const holder = (): unknown => (api.get('coordination.k8s.io/v1', 'Lease', 'sluice-system', 'sluice-leader')?.spec as { holderIdentity?: string } | undefined)?.holderIdentity;
  before(async () => {
    api = await FakeApiServer.start();
  });
  after(async () => {
    for (const e of electors) await e.stop();
    await api.close();
  });

  it('elects exactly one leader among three, and it holds the Lease', async () => {
    const [a, b, c] = [make('a'), make('b'), make('c')];
    for (const e of [a, b, c]) e.start();
    await waitFor(() => [a, b, c].some((e) => e.isLeader()), 5000, 'a leader');
    await new Promise((r) => setTimeout(r, 1500)); // several renewals and lease durations
    const leaders = [a, b, c].filter((e) => e.isLeader());
    assert.equal(leaders.length, 1);
    assert.equal(holder(), ['a', 'b', 'c'][[a, b, c].indexOf(leaders[0]!)]);
    for (const e of [a, b, c]) await e.stop();
  });

  it('a released Lease is taken over at once', async () => {
    const x = make('x');
    const y = make('y');
    x.start();
    await waitFor(() => x.isLeader(), 5000, 'x leads');
    y.start();
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(y.isLeader(), false);
    await x.stop();
    await waitFor(() => y.isLeader(), 3000, 'y takes over');
    assert.equal(holder(), 'y');
    await y.stop();
  });

  it('a dead leader (no release) is replaced within about one lease duration', async () => {
    const p = make('p');
    p.start();
    await waitFor(() => p.isLeader() && holder() === 'p', 5000, 'p leads');
    const q = make('q');
    q.start();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(q.isLeader(), false);
    const t0 = Date.now();
    await p.stop({ release: false }); // as if the pod died: no renewals, no release
    assert.equal(holder(), 'p');
    await waitFor(() => q.isLeader(), 5000, 'q takes over an expired Lease');
    const took = Date.now() - t0;
    assert.ok(took >= 900, `q must wait for the lease to expire (took ${took} ms)`);
    assert.equal(holder(), 'q');
    const spec = api.get('coordination.k8s.io/v1', 'Lease', 'sluice-system', 'sluice-leader')!.spec as { leaseTransitions: number };
    assert.ok(spec.leaseTransitions >= 1);
    await q.stop();
  });
});
