// Against a real kube-apiserver: 100 Knative Ingresses created at once (their Services and EndpointSlices
// first, as Knative's revisions make them) all become Ready in status, each with exactly one status
// write (no Unknown first, no rewrite when the watch brings the write back, no 409).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startRealApiServer, type RealApiServer } from '../support/real-apiserver.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';
import type { SluiceProcess } from '../support/sluice.ts';
import { bins, createNamespace, installKnative, leaseHolder, skip, startReplica, waitFor } from './cluster.ts';
import { createManyReady } from './create-many.ts';

const N = Number(process.env.SLUICE_REAL_K8S_CREATED ?? 100);

describe(`${N} ingresses created at once against a real API server`, { skip }, () => {
  let api: RealApiServer;
  let up: Upstream;
  let leader: SluiceProcess;

  before(async () => {
    api = await startRealApiServer(bins);
    await installKnative(api);
    await createNamespace(api, 'sluice-system');
    up = await startUpstream('web');
    leader = await startReplica(api, 'r1');
    await waitFor('r1 to hold the Lease', 20_000, async () => (await leaseHolder(api)) === 'r1');
  });
  after(async () => {
    await leader?.stop('SIGKILL');
    await up?.close();
    await api?.stop();
  });

  it('every one becomes Ready in status with one status write each', async () => {
    const r = await createManyReady(api, N, { namespace: 'burst', upstreamPort: up.port, leaderPid: leader.child.pid!, boundMs: 60_000 });
    console.log(`# ${N} created in ${Math.round(r.createdMs)} ms, all Ready ${Math.round(r.allReadyMs)} ms after the first create; ${r.statusWrites} status writes (${r.conflicts} refused with 409), at most ${r.busiestSecond} a second; leader RSS ${r.rssAtReadyMiB.toFixed(0)} MiB`);
    assert.equal(r.statusWrites, N, 'one status write per ingress');
    assert.equal(r.conflicts, 0, 'no write refused as a conflict');
  });
});
