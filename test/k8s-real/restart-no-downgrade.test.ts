// Against a real kube-apiserver: N ingresses Ready under one gateway; the gateway is replaced by a new
// process (a rolling restart of a single replica). The new leader must write nothing that downgrades a
// Ready ingress: every ingress event seen by a watch from before the restart keeps Ready=True.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startRealApiServer, type RealApiServer } from '../support/real-apiserver.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';
import type { SluiceProcess } from '../support/sluice.ts';
import type { KIngress } from '../../src/api/types.ts';
import { bins, condition, createIngress, createNamespace, createService, dropReplicaSlices, INGRESSES, installKnative, kingress, leaseHolder, putSlice, readyNow, skip, startReplica, waitFor } from './cluster.ts';

const N = Number(process.env.SLUICE_REAL_K8S_INGRESSES ?? 100);

describe(`restart with ${N} Ready ingresses against a real API server`, { skip }, () => {
  let api: RealApiServer;
  let up: Upstream;
  const replicas: SluiceProcess[] = [];
  const list = async () => (await api.request<{ metadata: { resourceVersion: string }; items: KIngress[] }>('GET', `${INGRESSES}/namespaces/app/ingresses`)).body;

  before(async () => {
    api = await startRealApiServer(bins);
    await installKnative(api);
    await Promise.all(['app', 'sluice-system'].map((ns) => createNamespace(api, ns)));
    up = await startUpstream('web');
    await createService(api, 'app', 'web');
    await putSlice(api, 'app', 'web-1', 'web', up.port);
    replicas.push(await startReplica(api, 'r1'));
  });
  after(async () => {
    await Promise.all(replicas.map((r) => r.stop('SIGKILL')));
    await up?.close();
    await api?.stop();
  });

  it('the new leader writes no status that downgrades a Ready ingress', async () => {
    const t = Date.now();
    for (let i = 0; i < N; i++) await createIngress(api, kingress('app', `app-${i}`, `app-${i}.example`, [{ service: 'web', percent: 100 }]));
    const created = Date.now() - t;
    await waitFor(`all ${N} Ready`, 120_000, async () => (await list()).items.filter(readyNow).length === N);
    console.log(`# ${N} ingresses created in ${created} ms, all Ready ${Date.now() - t} ms after the first was created`);

    const before = await list();
    const events: Array<{ type: string; name: string; ready: string | undefined }> = [];
    const w = api.watch(`${INGRESSES}/namespaces/app/ingresses`, before.metadata.resourceVersion, (type, obj) => {
      events.push({ type, name: String((obj.metadata as { name?: string }).name), ready: condition(obj as unknown as KIngress, 'Ready') });
    });
    try {
      assert.equal(await replicas[0]!.stop('SIGTERM'), 0);
      await dropReplicaSlices(api, 'r1');
      const t2 = Date.now();
      const r2 = await startReplica(api, 'r2');
      replicas.push(r2);
      await waitFor('r2 to hold the Lease', 20_000, async () => (await leaseHolder(api)) === 'r2');
      // The leader's /status shows what it has probed: once every ingress is LoadBalancerReady there, it
      // has decided everything it would write.
      await waitFor(`r2 to have probed all ${N}`, 60_000, async () => {
        const st = (await (await fetch(`http://${r2.addresses.admin}/status`)).json()) as { ingresses: Array<{ conditions: Array<{ type: string; status: string }> }> };
        return st.ingresses.length === N && st.ingresses.every((i) => i.conditions.some((c) => c.type === 'LoadBalancerReady' && c.status === 'True'));
      });
      console.log(`# r2 leads and has probed all ${N} ${Date.now() - t2} ms after it was started`);
      // A write it was about to make would show as an event; a further change of ours, seen after it,
      // bounds the wait for stragglers without a sleep.
      await createIngress(api, kingress('app', 'marker', 'marker.example', [{ service: 'web', percent: 100 }]));
      await waitFor('the marker event', 10_000, () => events.some((e) => e.name === 'marker'));
    } finally {
      w.abort();
    }
    const downgrades = events.filter((e) => e.name !== 'marker' && e.ready !== 'True');
    assert.deepEqual(downgrades, [], 'no Ready ingress downgraded');
    const after = await list();
    const changed = after.items.filter((i) => i.metadata.name !== 'marker' && i.metadata.resourceVersion !== before.items.find((b) => b.metadata.name === i.metadata.name)?.metadata.resourceVersion);
    console.log(`# ${changed.length} of ${N} Ready ingresses rewritten by the new leader`);
    assert.equal(changed.length, 0, `rewritten: ${changed.map((i) => i.metadata.name).join(', ')}`);
  });
});
