// The primary's view of its workers' metrics (`serve --workers N`): a worker too busy to answer in
// time counts with its last answer (summed counters never go down because of it), a worker that exits
// is not waited for, and the sum keeps the primary's config metrics rather than adding the workers'.
import assert from 'node:assert/strict';
import type { Worker } from 'node:cluster';
import { describe, it } from 'node:test';
import { aggregateMetrics, type MetricsJson, WorkerMetrics } from '../../src/admin/cluster-metrics.ts';
import { Metrics } from '../../src/metrics.ts';

/** A stand-in for a cluster worker whose answers the test hands to `wm` by hand (or not at all). */
function fakeWorker(onRequest: (id: number) => void): Worker {
  return { isConnected: () => true, send: (m: { id: number }) => onRequest(m.id) } as unknown as Worker;
}

async function json(requests: number, reloads: number): Promise<MetricsJson> {
  const m = new Metrics();
  for (let i = 0; i < requests; i++) m.request('http', 'default/w', 200, 0.001);
  m.reloads.inc(reloads);
  return m.registry.getMetricsAsJSON();
}

describe('WorkerMetrics', () => {
  it('uses a worker\'s last answer when it does not answer in time', async () => {
    const wm = new WorkerMetrics();
    const first = await json(3, 0);
    let answer = true;
    const w = fakeWorker((id) => {
      if (answer) queueMicrotask(() => wm.onMessage(0, { type: 'sluice:metrics-answer', id, metrics: first }));
    });
    const got1 = await wm.gather(new Map([[0, w]]), 1_000);
    assert.equal(got1.get(0), first);
    answer = false;
    const started = Date.now();
    const got2 = await wm.gather(new Map([[0, w]]), 50);
    assert.ok(Date.now() - started < 1_000);
    assert.equal(got2.get(0), first, 'the last answer stands in');
  });

  it('does not wait for a worker that exits', async () => {
    const wm = new WorkerMetrics();
    const w = fakeWorker(() => queueMicrotask(() => wm.onExit(0)));
    const got = await wm.gather(new Map([[0, w]]), 10_000);
    assert.equal(got.size, 0);
  });

  it('sums the workers\' request counts with the primary\'s metrics, and keeps the primary\'s config metrics', async () => {
    const primary = new Metrics();
    primary.reloads.inc(2);
    primary.snapshotVersion.set(7);
    const text = await aggregateMetrics(primary.registry, [await json(3, 5), await json(4, 5)]);
    assert.match(text, /^sluice_requests_total\{listener="http",ingress="default\/w",code="200"\} 7$/m);
    assert.match(text, /^sluice_config_reloads_total 2$/m);
    assert.match(text, /^sluice_snapshot_version 7$/m);
  });
});
