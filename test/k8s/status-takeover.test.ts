// A new leader that finds ingresses already Ready for their current generation does not write them
// Unknown before it has probed them (that flapped 84-146 of 1,000 ingresses Ready -> Unknown -> True
// after each restart): zero status writes while nothing changed; it still writes a real change (a new
// generation) and a real downgrade it has checked (a replica serving another hash).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { FakeApiServer, type KObject } from '../support/fake-apiserver.ts';
import { KubeClient } from '../../src/k8s/client.ts';
import { KubernetesSource } from '../../src/k8s/source.ts';
import { StatusController } from '../../src/k8s/status-controller.ts';
import { SettableFeed } from '../../src/snapshot/feed.ts';
import type { IngressStatusReport } from '../../src/snapshot/types.ts';
import { DEFAULT_INGRESS_CLASS, type KIngress } from '../../src/api/types.ts';
import { ingress, slice, waitFor } from './helpers.ts';
import { publishStatuses } from './status-helpers.ts';

const INGRESS = 'networking.internal.knative.dev/v1alpha1';
const COUNT = 30;
const names = Array.from({ length: COUNT }, (_, i) => `web-${String(i).padStart(2, '0')}`);
const LB = { ingress: [{ domainInternal: 'sluice.sluice-system.svc.cluster.local' }] };
const LOCAL_LB = { ingress: [{ domainInternal: 'sluice-internal.sluice-system.svc.cluster.local' }] };

const trueConditions = ['NetworkConfigured', 'LoadBalancerReady', 'Ready'].map((type) => ({ type, status: 'True' as const }));

/** What the translator reports for an ingress served at `generation` with `hash`. */
const report = (name: string, hash: string, generation: number): IngressStatusReport => ({
  namespace: 'app',
  name,
  hash,
  generation,
  conditions: trueConditions,
  publicLoadBalancer: LB,
  privateLoadBalancer: LOCAL_LB,
});

/** An ingress as the previous leader left it: Ready for generation 1. */
function readyIngress(name: string): KObject {
  const stamp = '2026-01-01T00:00:00Z';
  return {
    ...ingress('app', name, DEFAULT_INGRESS_CLASS, `${name}.example`, 'web'),
    status: { observedGeneration: 1, conditions: trueConditions.map((c) => ({ ...c, lastTransitionTime: stamp })), publicLoadBalancer: LB, privateLoadBalancer: LOCAL_LB },
  };
}

const publish = (feed: SettableFeed, version: number, statuses: IngressStatusReport[]): void => publishStatuses(feed, statuses, version);

describe('a new leader and ingresses that are already Ready', () => {
  let api: FakeApiServer;
  let replica: Server;
  /** host -> the hash the replica serves for it */
  const served = new Map<string, string>();
  let controller: StatusController | undefined;
  let source: KubernetesSource | undefined;

  before(async () => {
    api = await FakeApiServer.start();
    // A replica slow to answer probes, as one is under 1,000 ingresses: the leader's first pass over
    // the statuses comes long before its probes finish.
    replica = createServer((req, res) => {
      setTimeout(() => res.writeHead(200, { 'k-network-hash': served.get(String(req.headers.host)) ?? 'none' }).end(), 400);
    });
    await new Promise<void>((r) => replica.listen(0, '127.0.0.1', () => r()));
    for (const n of names) {
      api.put(readyIngress(n));
      served.set(`${n}.example`, `hash-${n}`);
    }
    // One replica lost web-29's configuration while leaders changed: a real downgrade, once probed.
    served.set('web-29.example', 'some-other-hash');
    api.put(slice('sluice-system', 'sluice-abc', 'sluice', ['127.0.0.1'], (replica.address() as { port: number }).port));
  });
  after(async () => {
    await controller?.stop();
    await source?.stop();
    replica.close();
    await api.close();
  });

  const live = (name: string): KIngress => api.get(INGRESS, 'Ingress', 'app', name) as unknown as KIngress;
  const cond = (name: string, type: string): string | undefined => live(name).status?.conditions?.find((c) => c.type === type)?.status;
  const statusWrites = (): string[] => api.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/status')).map((r) => r.path.split('/').at(-2)!);

  it('writes only what probing found changed; then writes real changes', async () => {
    const client = KubeClient.load(api.kubeconfigPath);
    source = new KubernetesSource(client, { ingressClass: DEFAULT_INGRESS_CLASS });
    await source.start(() => {});
    const feed = new SettableFeed();
    publish(feed, 1, names.map((n) => report(n, `hash-${n}`, 1)));
    controller = new StatusController({ client, source, feed, identity: 'new-leader', gatewayService: { namespace: 'sluice-system', name: 'sluice' }, localGatewayService: { namespace: 'sluice-system', name: 'sluice-internal' }, leaseDurationMs: 3000, retryPeriodMs: 200 });
    controller.start();
    await waitFor(() => controller!.leader.isLeader(), 5000, 'leads');
    const lbReady = (s: IngressStatusReport): string | undefined => s.conditions.find((c) => c.type === 'LoadBalancerReady')?.status;
    const probed = (): boolean => controller!.statuses().every((s) => (s.name === 'web-29') !== (lbReady(s) === 'True'));
    await waitFor(probed, 10_000, 'every ingress probed');
    await waitFor(() => cond('web-29', 'LoadBalancerReady') === 'Unknown', 5000, 'web-29 written not ready');
    // Let any write the last probe triggered land before counting.
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(statusWrites(), ['web-29'], 'only the ingress a probe found not ready was written, once');
    for (const n of names.filter((x) => x !== 'web-29')) assert.equal(cond(n, 'Ready'), 'True', n);

    // A real change still gets written: web-00 gets a new generation (and hash) the replica serves.
    const cur = live('web-00');
    api.put({ ...(cur as unknown as KObject), spec: { ...cur.spec, httpOption: 'Redirected' } });
    served.set('web-00.example', 'hash-web-00-v2');
    // And a real downgrade once checked: the replica now serves another hash for web-01's new generation.
    const cur1 = live('web-01');
    api.put({ ...(cur1 as unknown as KObject), spec: { ...cur1.spec, httpOption: 'Redirected' } });
    await waitFor(() => source!.ingress('app', 'web-01')?.metadata.generation === 2 && source!.ingress('app', 'web-00')?.metadata.generation === 2, 5000, 'the source saw generation 2');
    publish(feed, 2, names.map((n) => (n === 'web-00' ? report(n, 'hash-web-00-v2', 2) : n === 'web-01' ? report(n, 'hash-web-01-v2', 2) : report(n, `hash-${n}`, 1))));
    await waitFor(() => live('web-00').status?.observedGeneration === 2 && cond('web-00', 'Ready') === 'True', 10_000, 'web-00 generation 2 Ready');
    await waitFor(() => live('web-01').status?.observedGeneration === 2 && cond('web-01', 'LoadBalancerReady') === 'Unknown', 10_000, 'web-01 generation 2 not ready');
    assert.deepEqual([...new Set(statusWrites())].sort(), ['web-00', 'web-01', 'web-29'], 'only the changed ingresses were written');
  });
});
