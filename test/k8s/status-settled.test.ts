// The status controller says when its probes and writes are done (onSettled): a new leader's thousands
// of them leave garbage in the old generation, which the gateway collects once they are over
// (src/cli/heap-release.ts), not while they still run.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FakeApiServer } from '../support/fake-apiserver.ts';
import { startStatusApi, startStatusController } from '../support/status-rig.ts';
import type { KubernetesSource } from '../../src/k8s/source.ts';
import type { StatusController } from '../../src/k8s/status-controller.ts';
import { SettableFeed } from '../../src/snapshot/feed.ts';
import { waitFor } from './helpers.ts';
import { publishStatuses, readyReport, statusReady } from './status-helpers.ts';

const N = 40;
const name = (i: number): string => `s-${i}`;

describe('status controller settled', () => {
  let api: FakeApiServer;
  let source: KubernetesSource;
  let controller: StatusController;
  const feed = new SettableFeed();

  before(async () => {
    api = await startStatusApi(Array.from({ length: N }, (_, i) => name(i)));
    ({ source, controller } = await startStatusController(api, { feed, statusConcurrency: 2, probe: async () => true }));
    api.latencyMs = 5;
  });
  after(async () => {
    await controller.stop();
    await source.stop();
    await api.close();
  });

  it('is called once every probe and status write is done, never while writes are pending', async () => {
    const pendingWhenCalled: number[] = [];
    controller.onSettled(() => pendingWhenCalled.push(controller.pendingWrites));
    controller.start();
    publishStatuses(feed, Array.from({ length: N }, (_, i) => readyReport(name(i), `hash-${i}`, 1)));
    await waitFor(() => Array.from({ length: N }, (_, i) => i).every((i) => statusReady(api, name(i))), 20_000, 'every ingress Ready');
    await waitFor(() => controller.pendingWrites === 0 && pendingWhenCalled.length > 0, 10_000, 'settled after the writes');
    assert.ok(controller.writes >= N, `${controller.writes} writes`);
    assert.deepEqual(
      pendingWhenCalled.filter((p) => p !== 0),
      [],
      'never called with writes pending',
    );
  });
});
