// The leader-only status controller, in process: fake API server, the real KubernetesSource, a feed set by
// hand, and an HTTP server standing in for a gateway replica behind the gateway Service's EndpointSlice.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { FakeApiServer } from '../support/fake-apiserver.ts';
import { KubeClient } from '../../src/k8s/client.ts';
import { KubernetesSource } from '../../src/k8s/source.ts';
import { StatusController } from '../../src/k8s/status-controller.ts';
import { SettableFeed } from '../../src/snapshot/feed.ts';
import type { IngressStatusReport } from '../../src/snapshot/types.ts';
import { DEFAULT_INGRESS_CLASS, type KIngress } from '../../src/api/types.ts';
import { ingress, slice, waitFor } from './helpers.ts';
import { publishStatuses, readyReport } from './status-helpers.ts';

const publish = (feed: SettableFeed, version: number, statuses: IngressStatusReport[]): void => publishStatuses(feed, statuses, version);

const report = (hash: string, generation: number): IngressStatusReport => readyReport('web', hash, generation);

describe('StatusController', () => {
  let api: FakeApiServer;
  let replica: Server;
  let served = 'none';
  const controllers: StatusController[] = [];
  const sources: KubernetesSource[] = [];
  before(async () => {
    api = await FakeApiServer.start();
    replica = createServer((req, res) => {
      res.writeHead(req.headers['k-network-probe'] === 'probe' && req.headers.host === 'web.example' ? 200 : 404, { 'k-network-hash': served }).end();
    });
    await new Promise<void>((r) => replica.listen(0, '127.0.0.1', () => r()));
    api.put(ingress('app', 'web', DEFAULT_INGRESS_CLASS, 'web.example', 'web'));
    api.put(slice('sluice-system', 'sluice-abc', 'sluice', ['127.0.0.1'], (replica.address() as { port: number }).port));
  });
  after(async () => {
    for (const c of controllers) await c.stop();
    for (const s of sources) await s.stop();
    replica.close();
    await api.close();
  });

  const live = (): KIngress => api.get('networking.internal.knative.dev/v1alpha1', 'Ingress', 'app', 'web') as unknown as KIngress;
  const cond = (type: string): string | undefined => live().status?.conditions?.find((c) => c.type === type)?.status;

  it('the leader marks the ingress Ready only after the replica serves its hash, and only the leader writes', async () => {
    const feeds: SettableFeed[] = [];
    for (const id of ['one', 'two']) {
      const client = KubeClient.load(api.kubeconfigPath);
      const source = new KubernetesSource(client, { ingressClass: DEFAULT_INGRESS_CLASS });
      sources.push(source);
      await source.start(() => {});
      const feed = new SettableFeed();
      feeds.push(feed);
      const c = new StatusController({ client, source, feed, identity: id, gatewayService: { namespace: 'sluice-system', name: 'sluice' }, localGatewayService: { namespace: 'sluice-system', name: 'sluice-internal' }, leaseDurationMs: 1000, retryPeriodMs: 100 });
      controllers.push(c);
      c.start();
    }
    for (const f of feeds) publish(f, 1, [report('hash-1', 1)]);
    await waitFor(() => cond('Ready') === 'Unknown', 5000, 'status written as not ready yet');
    assert.equal(cond('LoadBalancerReady'), 'Unknown');
    assert.equal(live().status?.observedGeneration, 1);
    served = 'hash-1';
    await waitFor(() => cond('Ready') === 'True', 5000, 'Ready after the probe succeeds');
    assert.equal(live().status?.publicLoadBalancer?.ingress[0]?.domainInternal, 'sluice.sluice-system.svc.cluster.local');
    const leaders = controllers.filter((c) => c.leader.isLeader());
    assert.equal(leaders.length, 1);
    assert.equal(controllers.find((c) => !c.leader.isLeader())!.writes, 0, 'the follower never writes');
    // The fake applies a write before its answer reaches the writer: let the counters settle first.
    await new Promise((r) => setTimeout(r, 300));
    const writes = leaders[0]!.writes;
    for (const f of feeds) publish(f, 2, [report('hash-1', 1)]);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(leaders[0]!.writes, writes, 'an unchanged status is not written again');
    // A status-only change (an invalid edit: the last good version stays served, no new snapshot).
    const invalid: IngressStatusReport = { ...report('hash-1', 1), conditions: [{ type: 'NetworkConfigured', status: 'False', reason: 'InvalidSpec', message: 'spec.rules[0].http.paths[0].path: must start with /' }] };
    for (const f of feeds) f.publishStatuses([invalid]);
    await waitFor(() => cond('Ready') === 'False', 5000, 'Ready=False written without a new snapshot');
    assert.equal(live().status?.conditions?.find((c) => c.type === 'Ready')?.reason, 'InvalidSpec');
  });
});
