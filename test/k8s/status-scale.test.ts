// Status writes at scale: many new ingresses become Ready in status quickly, with at most a bounded
// number of writes in flight, within the client-side rate limit, and with refused writes retried.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FakeApiServer, RequestRecord } from '../support/fake-apiserver.ts';
import { startStatusApi, startStatusController } from '../support/status-rig.ts';
import type { KubernetesSource } from '../../src/k8s/source.ts';
import type { StatusController } from '../../src/k8s/status-controller.ts';
import { SettableFeed } from '../../src/snapshot/feed.ts';
import type { IngressStatusReport } from '../../src/snapshot/types.ts';
import type { KIngress } from '../../src/api/types.ts';
import { waitFor } from './helpers.ts';
import { publishStatuses, readyReport, statusReady } from './status-helpers.ts';

const N = 400;
const CONCURRENCY = 8;
const QPS = 100;
const BURST = 50;
const name = (i: number): string => `web-${i}`;

const publish = (feed: SettableFeed, statuses: IngressStatusReport[]): void => publishStatuses(feed, statuses);

const report = (i: number, hash: string, generation: number): IngressStatusReport => readyReport(name(i), hash, generation);

const isStatusWrite = (r: RequestRecord): boolean => r.method === 'PUT' && r.path.endsWith('/status') && r.path.includes('/ingresses/');

describe('status writes at scale', () => {
  let api: FakeApiServer;
  let source: KubernetesSource;
  let controller: StatusController | undefined;
  before(async () => {
    api = await startStatusApi(Array.from({ length: N }, (_, i) => name(i)));
  });
  after(async () => {
    await controller?.stop();
    await source?.stop();
    await api.close();
  });

  const ready = (i: number): boolean => statusReady(api, name(i));

  it('writes every new ingress Ready with bounded concurrency, within the rate limit, retrying a 409 and a 500', async () => {
    const feed = new SettableFeed();
    ({ source, controller } = await startStatusController(api, { qps: QPS, burst: BURST, feed, statusConcurrency: CONCURRENCY, probe: async () => true }));
    // A loaded API server: each answer takes 5 ms, so writes overlap only if Sluice sends them together.
    api.latencyMs = 5;
    api.counted = isStatusWrite;
    api.maxInFlight = 0;
    const refused = new Map<string, number>([
      [`/apis/networking.internal.knative.dev/v1alpha1/namespaces/app/ingresses/${name(7)}/status`, 409],
      [`/apis/networking.internal.knative.dev/v1alpha1/namespaces/app/ingresses/${name(8)}/status`, 500],
    ]);
    api.fault = (r) => {
      if (r.method !== 'PUT') return undefined;
      const code = refused.get(r.path);
      refused.delete(r.path);
      return code;
    };
    const start = performance.now();
    controller.start();
    publish(feed, Array.from({ length: N }, (_, i) => report(i, `hash-${i}`, 1)));
    await waitFor(() => Array.from({ length: N }, (_, i) => i).every(ready), 60_000, `all ${N} ingresses Ready`);
    const elapsed = performance.now() - start;
    assert.equal(refused.size, 0, 'the 409 and the 500 were both answered');
    assert.ok(api.maxInFlight <= CONCURRENCY, `at most ${CONCURRENCY} writes at once (saw ${api.maxInFlight})`);
    assert.ok(api.maxInFlight >= CONCURRENCY / 2, `writes overlap (saw at most ${api.maxInFlight} at once)`);
    const writes = api.requests.filter(isStatusWrite).map((r) => r.at).sort((a, b) => a - b);
    assert.ok(writes.length >= N, `every ingress written (${writes.length} writes)`);
    // Any one-second window holds at most the burst plus a second's worth, give or take a tenth: the
    // times are the fake server's, and a loaded machine delivers paced requests in bunches.
    let busiest = 0;
    for (let i = 0, j = 0; i < writes.length; i++) {
      while (writes[j]! < writes[i]! - 1000) j++;
      busiest = Math.max(busiest, i - j + 1);
    }
    assert.ok(busiest <= Math.ceil((BURST + QPS) * 1.1), `at most ${BURST + QPS} writes in any second (saw ${busiest})`);
    // With the limit, 400 writes take at least (400 - burst) / qps seconds.
    assert.ok(elapsed >= ((N - BURST) / QPS) * 1000 * 0.9, `the rate limit held the writes back (${Math.round(elapsed)} ms)`);
  });

  it('reads the gateway replicas once per change of configuration, not once per probe', async () => {
    // Reuses the first test's cluster: N ingresses, all Ready; a new hash for each makes N probes.
    const feed = new SettableFeed();
    let probes = 0;
    const { source: own, controller: second } = await startStatusController(api, {
      qps: 1000,
      burst: 1000,
      feed,
      identity: 'two',
      probe: async () => {
        probes++;
        return true;
      },
    });
    // The controller reads the replicas through the source as it works, so counting starts here.
    let reads = 0;
    const endpointSlicesOf = own.endpointSlicesOf.bind(own);
    own.endpointSlicesOf = (ns, svc) => {
      reads++;
      return endpointSlicesOf(ns, svc);
    };
    try {
      api.latencyMs = 0;
      api.fault = undefined;
      await controller?.stop(); // the first test's leader lets go of the Lease
      second.start();
      publish(feed, Array.from({ length: N }, (_, i) => report(i, `hash-b-${i}`, 1)));
      await waitFor(() => probes >= N, 20_000, `all ${N} ingresses probed`);
      assert.ok(reads <= 8, `replicas read ${reads} times for ${probes} probes`);
    } finally {
      await second.stop();
      await own.stop();
    }
  });

  it('an edit of one ingress recomputes and writes the status of that ingress alone', async () => {
    // Reuses the cluster: N ingresses, all Ready for generation 1.
    const feed = new SettableFeed();
    let computed = 0;
    let probes = 0;
    const { source: own, controller: third } = await startStatusController(api, {
      qps: 1000,
      burst: 1000,
      feed,
      identity: 'three',
      now: () => {
        computed++;
        return new Date();
      },
      probe: async () => {
        probes++;
        return true;
      },
    });
    try {
      third.start();
      const reports = Array.from({ length: N }, (_, i) => report(i, `hash-c-${i}`, 1));
      publish(feed, reports);
      // Each status is computed when first seen (not probed yet) and, unless that write was still waiting, once more when its probe answers.
      await waitFor(() => probes >= N && computed >= N && third.pendingWrites === 0, 60_000, `all ${N} probed and their statuses computed`);
      const edited = 5;
      const live = api.get('networking.internal.knative.dev/v1alpha1', 'Ingress', 'app', name(edited))!;
      api.put({ ...live, spec: { ...(live.spec as Record<string, unknown>), httpOption: 'Redirected' } });
      const [before, from] = [computed, api.requests.length];
      const next = reports.slice();
      next[edited] = report(edited, 'hash-c-edited', 2);
      publish(feed, next);
      await waitFor(() => {
        const st = (api.get('networking.internal.knative.dev/v1alpha1', 'Ingress', 'app', name(edited)) as unknown as KIngress).status;
        return st?.observedGeneration === 2 && st.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
      }, 10_000, 'the edited ingress Ready for generation 2');
      const puts = api.requests.slice(from).filter(isStatusWrite);
      assert.ok(puts.length > 0 && puts.every((r) => r.path.endsWith(`/ingresses/${name(edited)}/status`)), `only the edited ingress's status written: ${puts.map((r) => r.path).join(', ')}`);
      assert.ok(computed - before <= 6, `${computed - before} statuses computed for one edit`);
    } finally {
      await third.stop();
      await own.stop();
    }
  });
});
