// Against a real kube-apiserver: the API server restarts while etcd changes under it and its history is
// compacted. Sluice's watches reconnect, get `410 Gone` for the resourceVersions they held, relist, and
// serve what changed while the API server was away.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startRealApiServer, type RealApiServer } from '../support/real-apiserver.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';
import type { SluiceProcess } from '../support/sluice.ts';
import { bins, createIngress, createNamespace, createService, get, getIngress, installKnative, kingress, putSlice, readyNow, skip, startReplica, waitFor } from './cluster.ts';

describe('an API server restart with compacted history, against a real API server', { skip }, () => {
  let api: RealApiServer;
  let a: Upstream;
  let b: Upstream;
  let gw: SluiceProcess;

  before(async () => {
    api = await startRealApiServer(bins);
    await installKnative(api);
    await Promise.all(['app', 'sluice-system'].map((ns) => createNamespace(api, ns)));
    [a, b] = await Promise.all([startUpstream('a'), startUpstream('b')]);
    await createService(api, 'app', 'web');
    await putSlice(api, 'app', 'web-1', 'web', a.port);
    gw = await startReplica(api, 'r1');
  });
  after(async () => {
    await gw?.stop();
    await Promise.all([a?.close(), b?.close()]);
    await api?.stop();
  });

  it('relists after the restart and serves what changed meanwhile', async () => {
    await createIngress(api, kingress('app', 'web', 'web.example', [{ service: 'web', percent: 100 }]));
    await waitFor('web Ready', 30_000, async () => readyNow(await getIngress(api, 'app', 'web')));
    assert.equal((await get(gw.addresses.http!, 'web.example')).headers.get('x-upstream'), 'a');

    const lists = () => api.auditEvents().filter((e) => e.stage === 'ResponseComplete' && e.verb === 'list' && e.objectRef?.resource === 'endpointslices' && e.userAgent?.startsWith('sluice/')).length;
    const listsBefore = lists();
    const t = Date.now();
    await api.restartApiServer(async () => {
      // While the API server is down: the backend moves, and etcd forgets the history before now.
      await putSlice(api, 'app', 'web-1', 'web', b.port);
      await api.etcdCompact();
    });
    console.log(`# API server back ${Date.now() - t} ms after it was stopped`);
    const t2 = Date.now();
    await waitFor('traffic moved to b after the restart', 30_000, async () => (await get(gw.addresses.http!, 'web.example')).headers.get('x-upstream') === 'b');
    console.log(`# endpoint change made during the outage served ${Date.now() - t2} ms after the API server was ready`);
    // Resuming from the old resourceVersion got 410 Gone (compacted), so the change came from a relist.
    assert.ok(lists() > listsBefore, `EndpointSlices relisted (lists before ${listsBefore}, after ${lists()})`);
    await createIngress(api, kingress('app', 'late', 'late.example', [{ service: 'web', percent: 100 }]));
    await waitFor('late Ready', 30_000, async () => readyNow(await getIngress(api, 'app', 'late')));
    assert.equal((await get(gw.addresses.http!, 'late.example')).status, 200);
    assert.ok(gw.child.exitCode === null, 'the gateway kept running');
  });
});
