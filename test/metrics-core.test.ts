// The hot path's metrics core (src/metrics/): series resolved once and kept, bounded by what the
// served snapshot names however many swaps of changing names go by.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Metrics } from '../src/metrics.ts';
import { CounterFamily } from '../src/metrics/counter.ts';
import { HistogramFamily } from '../src/metrics/histogram.ts';
import type { ServedNames } from '../src/metrics/served.ts';

const served = (i: number): ServedNames => ({ ingress: (n) => n === `default/app-${i}`, cluster: (n) => n === `default/svc-${i}:80` });

function traffic(m: Metrics, i: number): void {
  m.request('http', `default/app-${i}`, 200, 0.001, 'a'.repeat(32));
  m.request('http', '', 404, 0.001);
  m.upstreamRequest(`default/svc-${i}:80`, 200);
  m.upstreamResponded(`default/svc-${i}:80`, 0.001);
  m.retries.labels(`default/svc-${i}:80`, '503').inc();
  m.upstreamErrors.labels(`default/svc-${i}:80`, 'reset').inc();
  m.mirrors.labels(`default/svc-${i}:80`, 'sent').inc();
  m.policyRejections.labels(`default/app-${i}`, '429').inc();
}

describe('the metrics core', () => {
  it('holds the series of the served names only, after 1000 swaps of changing names', async () => {
    const m = new Metrics();
    for (let i = 0; i < 1000; i++) {
      m.retain(served(i));
      traffic(m, i);
    }
    const families = [m.requests, m.duration, m.upstreamRequests, m.upstreamHead, m.retries, m.upstreamErrors, m.mirrors, m.policyRejections];
    // requests: the served route's 200 and the unrouted 404; every other family: one series
    assert.deepEqual(families.map((f) => f.size), [2, 2, 1, 1, 1, 1, 1, 1]);
    const text = await m.registry.metrics();
    assert.ok(!text.includes('app-998'), 'a removed route is gone');
    assert.match(text, /sluice_requests_total\{listener="http",ingress="default\/app-999",code="200"\} 1/);
    assert.match(await m.openMetrics(), /ingress="default\/app-999",le="0\.001"\} 1 # \{trace_id="a{32}"\}/);
  });

  it('drops at the next swap the series a request on a removed route makes when it ends after the swap', async () => {
    const m = new Metrics();
    const none = { ingresses: new Set<string>(), clusters: new Set<string>() };
    m.retain(served(0), none);
    m.request('http', 'default/app-0', 200, 0.01);
    m.retain(served(1), { ingresses: new Set(['default/app-0']), clusters: new Set() });
    m.request('http', 'default/app-0', 200, 0.01);
    assert.match(await m.registry.metrics(), /ingress="default\/app-0",code="200"\} 1\n/);
    m.retain(served(1), none);
    assert.ok(!(await m.registry.metrics()).includes('app-0'));
  });

  it('looks up only the names a swap removed that have series', () => {
    const m = new Metrics();
    traffic(m, 0);
    traffic(m, 1);
    m.retain({ ingress: () => true, cluster: () => true }, { ingresses: new Set(), clusters: new Set() });
    const asked: string[] = [];
    const ask = (n: string): boolean => {
      asked.push(n);
      return false;
    };
    const none: ServedNames = { ingress: ask, cluster: ask };
    m.retain(none, { ingresses: new Set(['default/app-0', 'default/never-seen']), clusters: new Set(['default/svc-0:80']) });
    assert.deepEqual(asked, ['default/app-0', 'default/svc-0:80']);
    assert.equal(m.requests.size, 2, 'app-1 and the unrouted 404');
    assert.equal(m.upstreamRequests.size, 1);
  });

  it('keeps the unrouted requests\' series across swaps', async () => {
    const m = new Metrics();
    m.request('http', '', 404, 0.01);
    m.retain(served(1));
    m.request('http', '', 404, 0.01);
    assert.match(await m.registry.metrics(), /ingress="",code="404"\} 2\n/);
  });

  it('counts an observation on a bucket bound in that bucket, and one above the last in +Inf only', async () => {
    const h = new HistogramFamily('t_seconds', 'test', ['x'], [0.1, 1]);
    const s = h.child('a');
    for (const v of [0.1, 1, 1.5, Number.NaN]) s.observe(v);
    const values = (await h.get()).values.map((v) => [v.metricName, v.labels.le, v.value]);
    assert.deepEqual(values, [['t_seconds_bucket', 0.1, 1], ['t_seconds_bucket', 1, 2], ['t_seconds_bucket', '+Inf', 3], ['t_seconds_sum', undefined, 2.6], ['t_seconds_count', undefined, 3]]);
  });

  it('refuses to take a counter down', () => {
    const c = new CounterFamily('t_total', 'test', ['x']).child('a');
    assert.throws(() => c.inc(-1), RangeError);
    c.inc(2);
    c.inc();
    assert.equal(c.value, 3);
  });

  it('refuses label values that do not match the label names', () => {
    assert.throws(() => new CounterFamily('t_total', 'test', ['x', 'y']).child('a'), /1 label values for 2 labels/);
  });
});
