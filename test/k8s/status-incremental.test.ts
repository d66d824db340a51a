// The status controller's work grows with what changed, not with how many ingresses there are: a
// probe answer, or the watch bringing back one ingress's status write, looks at that ingress alone.
// (At 2,000 ingresses every probe answer and status event used to rescan all of them, allocating
// about 1.9 MB per ingress written: RSS after the first status writes doubled.)
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeApiServer } from '../support/fake-apiserver.ts';
import { KubeClient } from '../../src/k8s/client.ts';
import { KubernetesSource } from '../../src/k8s/source.ts';
import { StatusController } from '../../src/k8s/status-controller.ts';
import { SettableFeed } from '../../src/snapshot/feed.ts';
import type { IngressStatusReport } from '../../src/snapshot/types.ts';
import { DEFAULT_INGRESS_CLASS } from '../../src/api/types.ts';
import { ingress, waitFor } from './helpers.ts';
import { publishStatuses, putGatewayReplicas, readyReport, statusReady } from './status-helpers.ts';

const N = 1000;
const name = (i: number): string => `web-${i}`;

const publish = (feed: SettableFeed, statuses: IngressStatusReport[]): void => publishStatuses(feed, statuses);

const report = (i: number): IngressStatusReport => readyReport(name(i), `hash-${i}`, 1);

describe('status controller work', () => {
  let api: FakeApiServer;
  let source: KubernetesSource;
  let controller: StatusController | undefined;
  before(async () => {
    api = await FakeApiServer.start();
    for (let i = 0; i < N; i++) api.put(ingress('app', name(i), DEFAULT_INGRESS_CLASS, `${name(i)}.example`, name(i)));
    putGatewayReplicas(api);
  });
  after(async () => {
    await controller?.stop();
    await source?.stop();
    await api.close();
  });

  const ready = (i: number): boolean => statusReady(api, name(i));

  it('writing N new ingresses Ready looks each one up a few times, not once per probe answer or status event', async () => {
    const client = KubeClient.load(api.kubeconfigPath, { qps: 5000, burst: 5000 });
    source = new KubernetesSource(client, { ingressClass: DEFAULT_INGRESS_CLASS });
    await source.start(() => {});
    let lookups = 0;
    const lookup = source.ingress.bind(source);
    source.ingress = (ns, n) => {
      lookups++;
      return lookup(ns, n);
    };
    const feed = new SettableFeed();
    // Probes answer a few at a time, as a real replica's do.
    let answered = 0;
    controller = new StatusController({
      client,
      source,
      feed,
      identity: 'one',
      gatewayService: { namespace: 'sluice-system', name: 'sluice' },
      localGatewayService: { namespace: 'sluice-system', name: 'sluice-internal' },
      probe: async () => {
        await new Promise((r) => setTimeout(r, 2));
        answered++;
        return true;
      },
    });
    api.latencyMs = 2;
    controller.start();
    publish(feed, Array.from({ length: N }, (_, i) => report(i)));
    await waitFor(() => Array.from({ length: N }, (_, i) => i).every(ready), 60_000, `all ${N} ingresses Ready`);
    assert.ok(answered >= N, `every ingress probed (${answered})`);
    // The fake applies a write before its answer reaches the writer: let the counter catch up first.
    await waitFor(() => controller!.writes >= N, 5000, 'every write answered');
    assert.equal(controller.writes, N, 'one write per ingress');
    assert.ok(lookups <= 8 * N, `${lookups} lookups of live ingresses for ${N} ingresses (at most ${8 * N})`);
  });
});
