// The status controller says when its probes and writes are done (onSettled): a new leader's thousands
// of them leave garbage in the old generation, which the gateway collects once they are over
// (src/cli/heap-release.ts), not while they still run.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeApiServer } from '../support/fake-apiserver.ts';
import { KubeClient } from '../../src/k8s/client.ts';
import { KubernetesSource } from '../../src/k8s/source.ts';
import { StatusController } from '../../src/k8s/status-controller.ts';
import { SettableFeed } from '../../src/snapshot/feed.ts';
import { DEFAULT_INGRESS_CLASS } from '../../src/api/types.ts';
import { ingress, waitFor } from './helpers.ts';
import { publishStatuses, putGatewayReplicas, readyReport, statusReady } from './status-helpers.ts';

const N = 40;
const name = (i: number): string => `s-${i}`;

describe('status controller settled', () => {
  let api: FakeApiServer;
  let source: KubernetesSource;
  let controller: StatusController;
  const feed = new SettableFeed();

  before(async () => {
    api = await FakeApiServer.start();
    for (let i = 0; i < N; i++) api.put(ingress('app', name(i), DEFAULT_INGRESS_CLASS, `${name(i)}.example`, name(i)));
    putGatewayReplicas(api);
    const client = KubeClient.load(api.kubeconfigPath, { qps: 5000, burst: 5000 });
    source = new KubernetesSource(client, { ingressClass: DEFAULT_INGRESS_CLASS });
    await source.start(() => {});
    controller = new StatusController({
      client,
      source,
      feed,
      identity: 'one',
      statusConcurrency: 2,
      gatewayService: { namespace: 'sluice-system', name: 'sluice' },
      localGatewayService: { namespace: 'sluice-system', name: 'sluice-internal' },
      probe: async () => true,
    });
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
