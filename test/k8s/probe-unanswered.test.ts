// A probe that gets no answer (connection reset, refused, timed out) learns nothing about a replica's
// hash: it must not downgrade an ingress already Ready for its generation (a restart over 600 Ready
// ingresses rewrote 1,086 statuses Ready -> Unknown -> Ready as probes to the warming-up process timed
// out). A replica that answers without the hash still does. Probes run a bounded number at a time.
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { after, describe, it } from 'node:test';
import { Prober, type Replica } from '../../src/k8s/prober.ts';
import { desiredStatus, sameStatus } from '../../src/k8s/status-writer.ts';
import type { IngressStatus } from '../../src/api/types.ts';
import type { IngressStatusReport } from '../../src/snapshot/types.ts';
import { waitFor } from './helpers.ts';

const report: IngressStatusReport = {
  namespace: 'app',
  name: 'web',
  hash: 'abc',
  generation: 3,
  conditions: ['NetworkConfigured', 'LoadBalancerReady', 'Ready'].map((type) => ({ type, status: 'True' as const })),
  publicLoadBalancer: { ingress: [{ domainInternal: 'sluice.sluice-system.svc.cluster.local' }] },
  privateLoadBalancer: { ingress: [{ domainInternal: 'sluice-internal.sluice-system.svc.cluster.local' }] },
};
const t = '2026-01-01T00:00:00Z';
const readyLive: IngressStatus = {
  observedGeneration: 3,
  conditions: ['LoadBalancerReady', 'NetworkConfigured', 'Ready'].map((type) => ({ type, status: 'True' as const, lastTransitionTime: t })),
  publicLoadBalancer: report.publicLoadBalancer,
  privateLoadBalancer: report.privateLoadBalancer,
};

describe('probes that get no answer', () => {
  const closers: Array<() => void> = [];
  const probers: Prober[] = [];
  after(() => {
    for (const p of probers) p.stop();
    for (const c of closers) c();
  });
  const listen = async <S extends Server | HttpServer>(s: S): Promise<Replica> => {
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    closers.push(() => s.close());
    return { address: '127.0.0.1', port: (s.address() as { port: number }).port };
  };

  it('say "unanswered", not false; a replica answering without the hash says false', async () => {
    const resetting = createServer((sock) => sock.destroy());
    const wrongHash = createHttpServer((_req, res) => res.writeHead(200, { 'k-network-hash': 'older' }).end());
    const [silent, stale] = [await listen(resetting), await listen(wrongHash)];
    let replicas: Replica[] = [silent];
    const prober = new Prober({ publicReplicas: () => replicas, localReplicas: () => [], onReady: () => {}, minBackoffMs: 20, maxBackoffMs: 50 });
    probers.push(prober);
    prober.setTargets([{ key: 'app/web', hash: 'abc', externalHost: 'web.example.com' }]);
    await waitFor(() => prober.check('app/web', 'abc') !== 'unchecked', 5000, 'the first probe');
    assert.equal(prober.check('app/web', 'abc'), 'unanswered');
    replicas = [silent, stale];
    prober.replicasChanged();
    await waitFor(() => prober.check('app/web', 'abc') === false, 5000, 'the stale replica answers');
  });

  it('keep a Ready status written for the generation; an answer without the hash downgrades it', () => {
    const now = new Date('2026-02-01T00:00:00Z');
    assert.ok(sameStatus(desiredStatus(report, 'unanswered', readyLive, now, 3), readyLive));
    const down = desiredStatus(report, false, readyLive, now, 3);
    assert.equal(down.conditions?.find((c) => c.type === 'Ready')?.status, 'Unknown');
    // a new ingress whose probes get no answer is written Unknown, not left without a status
    assert.equal(desiredStatus(report, 'unanswered', undefined, now, 3).conditions?.find((c) => c.type === 'Ready')?.status, 'Unknown');
  });

  it('run at most `concurrency` at a time over all ingresses', async () => {
    let inFlight = 0;
    let most = 0;
    const prober = new Prober({
      publicReplicas: () => [{ address: '127.0.0.1', port: 1 }],
      localReplicas: () => [],
      onReady: () => {},
      concurrency: 8,
      probe: async () => {
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setImmediate(r));
        inFlight--;
        return true;
      },
    });
    probers.push(prober);
    prober.setTargets(Array.from({ length: 200 }, (_, i) => ({ key: `app/w${i}`, hash: 'h', externalHost: `w${i}.example.com` })));
    await waitFor(() => Array.from({ length: 200 }, (_, i) => prober.isReady(`app/w${i}`, 'h')).every(Boolean), 5000, 'all 200 probed');
    assert.equal(most, 8);
  });
});
