// Status writes go through one queue that never waits for a batch: a new ingress is probed while earlier
// writes are still in flight, and an edited ingress's write goes ahead of the writes waiting for others
// (at a start or a burst of creates, thousands wait their turn under the rate limit; an edit is what a
// user is waiting for). Writes are one at a time here, each answered after a delay, so the order shows.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FakeApiServer, RequestRecord } from '../support/fake-apiserver.ts';
import { startStatusApi, startStatusController } from '../support/status-rig.ts';
import type { KubernetesSource } from '../../src/k8s/source.ts';
import type { StatusController } from '../../src/k8s/status-controller.ts';
import { SettableFeed } from '../../src/snapshot/feed.ts';
import type { IngressStatusReport } from '../../src/snapshot/types.ts';
import { waitFor } from './helpers.ts';
import { publishStatuses, readyReport, statusReady } from './status-helpers.ts';

const N = 60;
const name = (i: number): string => `q-${i}`;
const isWrite = (r: RequestRecord): boolean => r.method === 'PUT' && r.path.endsWith('/status');

describe('status write queue', () => {
  let api: FakeApiServer;
  let source: KubernetesSource;
  let controller: StatusController;
  const feed = new SettableFeed();
  /** the controller's write count when each ingress was first probed */
  const probedAt = new Map<string, number>();
  let version = 1;
  let published: IngressStatusReport[] = [];
  const publish = (reports: IngressStatusReport[]): void => {
    published = reports;
    publishStatuses(feed, reports, ++version);
  };

  before(async () => {
    api = await startStatusApi(Array.from({ length: N + 2 }, (_, i) => name(i)));
    ({ source, controller } = await startStatusController(api, {
      feed,
      statusConcurrency: 1,
      probe: async (_replica, host) => {
        if (!probedAt.has(host)) probedAt.set(host, controller.writes);
        return true;
      },
    }));
    controller.start();
    // The first ingress is Ready before the others come.
    publish([readyReport(name(0), 'hash-0', 1)]);
    await waitFor(() => statusReady(api, name(0)), 10_000, 'the first ingress Ready');
    api.latencyMs = 10;
  });
  after(async () => {
    await controller.stop();
    await source.stop();
    await api.close();
  });

  it('probes a new ingress while the writes for earlier ones are still going', async () => {
    publish([...published, ...Array.from({ length: N }, (_, i) => readyReport(name(i + 1), `hash-${i + 1}`, 1))]);
    await waitFor(() => controller.writes >= 3, 10_000, 'the first writes of the burst answered');
    publish([...published, readyReport(name(N + 1), `hash-${N + 1}`, 1)]);
    await waitFor(() => probedAt.has(`${name(N + 1)}.example`), 10_000, 'the late ingress probed');
    const writes = probedAt.get(`${name(N + 1)}.example`)!;
    assert.ok(writes < N, `probed after ${writes} of the burst's ${N + 1} writes, not after all of them`);
  });

  it("writes an edited ingress's status ahead of the writes waiting for other ingresses", async () => {
    const first = api.requests.length;
    // The burst's writes are still waiting when the first ingress is edited.
    publish(published.map((r) => (r.name === name(0) ? readyReport(name(0), 'hash-0-edited', 2) : r)));
    await waitFor(() => (api.get('networking.internal.knative.dev/v1alpha1', 'Ingress', 'app', name(0))!.status as { observedGeneration?: number }).observedGeneration === 2, 20_000, 'the edit written');
    await waitFor(() => Array.from({ length: N + 1 }, (_, i) => i + 1).every((i) => statusReady(api, name(i))), 30_000, 'the burst written');
    const order = api.requests.slice(first).filter(isWrite).map((r) => r.path.split('/').at(-2)!);
    const at = order.indexOf(name(0));
    assert.ok(at >= 0 && at < order.length - 10, `the edit was write ${at + 1} of the ${order.length} after it, not behind the others waiting`);
  });
});
