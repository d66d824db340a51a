// Against a real kube-apiserver: two gateway replicas, one leader. SIGTERM to the leader releases the
// Lease; the follower takes over within about two seconds and goes on writing status.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startRealApiServer, type RealApiServer } from '../support/real-apiserver.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';
import type { SluiceProcess } from '../support/sluice.ts';
import { bins, createIngress, createNamespace, createService, dropReplicaSlices, get, getIngress, installKnative, kingress, leaseHolder, putSlice, readyNow, skip, startReplica, waitFor } from './cluster.ts';

describe('leader handover against a real API server', { skip }, () => {
  let api: RealApiServer;
  let up: Upstream;
  const replicas: SluiceProcess[] = [];

  before(async () => {
    api = await startRealApiServer(bins);
    await installKnative(api);
    await Promise.all(['app', 'sluice-system'].map((ns) => createNamespace(api, ns)));
    up = await startUpstream('web');
    await createService(api, 'app', 'web');
    await putSlice(api, 'app', 'web-1', 'web', up.port);
    replicas.push(await startReplica(api, 'r1', { leaseSeconds: 15 }));
    await waitFor('r1 to hold the Lease', 20_000, async () => (await leaseHolder(api)) === 'r1');
    replicas.push(await startReplica(api, 'r2', { leaseSeconds: 15 }));
  });
  after(async () => {
    await Promise.all(replicas.map((r) => r.stop('SIGKILL')));
    await up?.close();
    await api?.stop();
  });

  it('the follower takes over within about two seconds of SIGTERM to the leader and writes status', async () => {
    await createIngress(api, kingress('app', 'one', 'one.example', [{ service: 'web', percent: 100 }]));
    await waitFor('one Ready', 30_000, async () => readyNow(await getIngress(api, 'app', 'one')));
    assert.equal(await leaseHolder(api), 'r1');
    assert.equal((await get(replicas[1]!.addresses.http!, 'one.example')).status, 200, 'the follower serves too');

    const t = Date.now();
    assert.equal(await replicas[0]!.stop('SIGTERM'), 0);
    await dropReplicaSlices(api, 'r1'); // what the EndpointSlice controller does when the pod goes
    // The lease lasts 15 s: only a release on SIGTERM lets r2 in this soon.
    await waitFor('r2 to hold the Lease', 5000, async () => (await leaseHolder(api)) === 'r2');
    const takeover = Date.now() - t;
    console.log(`# r2 took the Lease ${takeover} ms after SIGTERM to r1`);
    assert.ok(takeover < 2500, `takeover took ${takeover} ms`);

    await createIngress(api, kingress('app', 'two', 'two.example', [{ service: 'web', percent: 100 }]));
    const t2 = Date.now();
    await waitFor('two Ready, written by the new leader', 30_000, async () => readyNow(await getIngress(api, 'app', 'two')));
    console.log(`# new ingress Ready ${Date.now() - t2} ms after creation, under the new leader`);
    assert.ok(readyNow(await getIngress(api, 'app', 'one')), 'one still Ready');
  });
});
