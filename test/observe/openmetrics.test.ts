// The OpenMetrics rendering and its negotiation, on plain values: Prometheus's own Accept gets
// OpenMetrics, curl's and a text-first Accept get the Prometheus text; the rendering passes the
// strict reader (families, escaping, info, exemplars inside their buckets), and leaves prom-client's
// Prometheus text as it was.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { wantsOpenMetrics } from '../../src/admin/metrics-format.ts';
import { Metrics } from '../../src/metrics.ts';
import { parseOpenMetrics } from '../metrics-openmetrics-parser.ts';

describe('OpenMetrics negotiation', () => {
  it("prefers OpenMetrics when the scraper does (Prometheus's default Accept)", () => {
    assert.equal(wantsOpenMetrics('application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'), true);
    assert.equal(wantsOpenMetrics('application/openmetrics-text'), true);
  });
  it('keeps the Prometheus text for curl, text-first scrapers and refusals', () => {
    assert.equal(wantsOpenMetrics(undefined), false);
    assert.equal(wantsOpenMetrics('*/*'), false);
    assert.equal(wantsOpenMetrics('text/plain;version=0.0.4,application/openmetrics-text;q=0.5'), false);
    assert.equal(wantsOpenMetrics('application/openmetrics-text;q=0'), false);
  });
});

describe('OpenMetrics rendering', () => {
  it('renders every family strictly, with exemplars in the bucket of their value', async () => {
    const m = new Metrics({ processMetrics: true });
    m.request('http', 'default/odd "name"\\x', 200, 0.003, '4bf92f3577b34da6a3ce929d0e0e4736');
    m.request('http', 'default/odd "name"\\x', 503, 0.2);
    m.upstreamResponded('default/a:80', 20, 'aaf92f3577b34da6a3ce929d0e0e4736');
    const families = parseOpenMetrics(await m.openMetrics());
    const d = families.get('sluice_request_duration_seconds')!;
    const withExemplar = d.samples.filter((s) => s.exemplar !== undefined);
    assert.deepEqual(withExemplar.map((s) => [s.labels.le, s.labels.ingress, s.exemplar!.labels.trace_id]), [['0.005', 'default/odd "name"\\x', '4bf92f3577b34da6a3ce929d0e0e4736']]);
    const head = families.get('sluice_upstream_response_head_seconds')!;
    assert.equal(head.samples.find((s) => s.exemplar)?.labels.le, '+Inf', 'a value past the last bound: the +Inf bucket');
    assert.equal(families.get('nodejs_version')?.type, 'info');
    assert.equal(families.get('sluice_requests')?.samples.length, 2);
    const text = await m.registry.metrics();
    assert.match(text, /^# TYPE sluice_requests_total counter$/m, 'the Prometheus text is untouched');
    assert.doesNotMatch(text, / # \{/);
  });
});
