// Against a real kube-apiserver: N ingresses Ready under one gateway; the gateway is replaced by a new
// process, first as a restart (the new pod leads before its endpoints are listed), then as a rolling
// update (the new pod is a follower when the leader stops). The new leader must write nothing: every
// ingress event seen by a watch from before the hand-over keeps Ready=True, and no resourceVersion moves.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startRealApiServer, type RealApiServer } from '../support/real-apiserver.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';
import type { SluiceProcess } from '../support/sluice.ts';
import type { KIngress } from '../../src/api/types.ts';
import { bins, condition, createIngress, createNamespace, createService, dropReplicaSlices, getIngress, INGRESSES, installKnative, kingress, leaseHolder, publishReplica, putSlice, readyNow, skip, startReplica, waitFor } from './cluster.ts';

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

  /**
   * Hands leadership from `from` to a new replica `to` (started after `from` stops, or before it for a
   * rolling update) and checks, with a watch from before, that no Ready ingress was written.
   */
  const handOver = async (from: string, to: string, rolling: boolean) => {
    const how = rolling ? 'rolling update' : 'restart';
    const old = replicas.find((r) => r.child.spawnargs.includes(from))!;
    const before = await list();
    const marker = `marker-${to}`;
    const early = `early-${to}`;
    const ours = (name: string) => name === marker || name === early;
    const events: Array<{ type: string; name: string; ready: string | undefined }> = [];
    const w = api.watch(`${INGRESSES}/namespaces/app/ingresses`, before.metadata.resourceVersion, (type, obj) => {
      events.push({ type, name: String((obj.metadata as { name?: string }).name), ready: condition(obj as unknown as KIngress, 'Ready') });
    });
    try {
      const t2 = Date.now();
      let next: SluiceProcess | undefined;
      if (rolling) replicas.push((next = await startReplica(api, to)));
      assert.equal(await old.stop('SIGTERM'), 0);
      await dropReplicaSlices(api, from);
      if (!rolling) replicas.push((next = await startReplica(api, to, { publish: false })));
      await waitFor(`${to} to hold the Lease`, 20_000, async () => (await leaseHolder(api)) === to);
      if (!rolling) {
        // As in a cluster, the new pod leads before its readiness probe passes and its EndpointSlices list
        // it: for a while there is no replica to probe. Once it has written the status of an ingress made
        // now, it has also decided about every older one; only then do its endpoints appear.
        await createIngress(api, kingress('app', early, `${early}.example`, [{ service: 'web', percent: 100 }]));
        await waitFor(`${to} to write ${early}'s status`, 10_000, async () => (await getIngress(api, 'app', early)).status?.conditions !== undefined);
        await publishReplica(api, to, next!);
      }
      // The leader's /status shows what it has probed: once every ingress is LoadBalancerReady there, it
      // has decided everything it would write.
      const n = (await list()).items.length;
      await waitFor(`${to} to have probed all ${n}`, 60_000, async () => {
        const st = (await (await fetch(`http://${next!.addresses.admin}/status`)).json()) as { ingresses: Array<{ conditions: Array<{ type: string; status: string }> }> };
        return st.ingresses.length === n && st.ingresses.every((i) => i.conditions.some((c) => c.type === 'LoadBalancerReady' && c.status === 'True'));
      });
      console.log(`# ${how}: ${to} leads and has probed all ${n} ${Date.now() - t2} ms after ${rolling ? 'it was started' : `${from} got SIGTERM`}`);
      // A write it was about to make would show as an event; a change of ours, seen after it, bounds the
      // wait for stragglers without a sleep.
      await createIngress(api, kingress('app', marker, `${marker}.example`, [{ service: 'web', percent: 100 }]));
      await waitFor('the marker event', 10_000, () => events.some((e) => e.name === marker));
    } finally {
      w.abort();
    }
    const downgrades = events.filter((e) => !ours(e.name) && e.ready !== 'True');
    assert.deepEqual(downgrades, [], 'no Ready ingress downgraded');
    const after = await list();
    const changed = after.items.filter((i) => !ours(i.metadata.name!) && i.metadata.resourceVersion !== before.items.find((b) => b.metadata.name === i.metadata.name)?.metadata.resourceVersion);
    console.log(`# ${how}: ${changed.length} of ${before.items.length} Ready ingresses rewritten by the new leader`);
    assert.equal(changed.length, 0, `rewritten: ${changed.map((i) => i.metadata.name).join(', ')}`);
    // The marker was made Ready by the new leader, as usual (and is Ready for the next hand-over).
    await waitFor(`${marker} Ready`, 30_000, async () => (await list()).items.filter(readyNow).length === after.items.length);
  };

  it('the new leader writes no status that downgrades a Ready ingress', async () => {
    const t = Date.now();
    for (let i = 0; i < N; i++) await createIngress(api, kingress('app', `app-${i}`, `app-${i}.example`, [{ service: 'web', percent: 100 }]));
    const created = Date.now() - t;
    await waitFor(`all ${N} Ready`, 120_000, async () => (await list()).items.filter(readyNow).length === N);
    console.log(`# ${N} ingresses created in ${created} ms, all Ready ${Date.now() - t} ms after the first was created`);

    await handOver('r1', 'r2', false);
  });

  it('the same holds in a rolling update: the new replica starts as a follower, then the leader stops', async () => {
    await handOver('r2', 'r3', true);
  });
});
