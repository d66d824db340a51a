// The whole /metrics exposition of a known sequence of observations, byte for byte: the Prometheus
// text, the OpenMetrics text with exemplars, the registry's JSON (the status page's and the workers'
// wire format) and the primary's sum of two workers. The goldens in test/fixtures/metrics were
// written by prom-client's own counters and histograms, so the metrics core must render exactly as
// they did. `SLUICE_WRITE_GOLDEN=1` rewrites them (only ever on purpose).
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { aggregateMetrics } from '../src/admin/cluster-metrics.ts';
import { Metrics } from '../src/metrics.ts';

const DIR = new URL('./fixtures/metrics/', import.meta.url);
const NOW_MS = 1_765_000_000_123;

/** A sequence that reaches every family, bucket edges, +Inf, odd label values and several codes. */
function observe(m: Metrics): void {
  m.follow({ inflight: () => 3, upstreamConnections: () => [{ cluster: 'default/a:80', open: 2, idle: 1 }] });
  const values = [0, 0.0005, 0.0007, 0.001, 0.004, 0.01, 0.3, 1, 2.5, 7, 10, 11, 120];
  values.forEach((s, i) => m.request('http', 'default/a', i % 3 === 0 ? 503 : 200, s, i % 4 === 0 ? `trace${i}`.padEnd(32, '0') : undefined));
  m.request('https', 'default/b', 404, 0.02);
  m.request('http', '', 404, 0.0001);
  m.request('local', 'ns/"quoted"\\back\nline', 200, 0.05, 'f'.repeat(32));
  m.request('http', 'default/a', 200, 0.002);
  for (const s of [0.001, 0.002, 0.6, 3]) m.upstreamResponded('default/a:80', s, s > 1 ? 'e'.repeat(32) : undefined);
  m.upstreamResponded('default/b:http', 0.03);
  m.upstreamRequest('default/a:80', 200);
  m.upstreamRequest('default/a:80', 200);
  m.upstreamRequest('default/a:80', 503);
  m.upstreamRequest('default/b:http', 404);
  m.policyRejections.labels('default/a', '429').inc();
  m.upstreamErrors.labels('default/a:80', 'connect_failure').inc();
  m.upstreamErrors.labels('default/a:80', 'connect_failure').inc(2);
  m.mirrors.labels('default/m:80', 'sent').inc();
  m.retries.labels('default/a:80', '503').inc();
  m.downstreamConnections.labels('http').inc(0);
  m.downstreamConnections.labels('http').inc();
  m.reloads.inc();
  m.rejects.inc(2);
  m.snapshotVersion.set(7);
}

async function golden(name: string, actual: string): Promise<void> {
  const url = new URL(name, DIR);
  if (process.env.SLUICE_WRITE_GOLDEN === '1') await writeFile(url, actual);
  assert.equal(actual, await readFile(url, 'utf8'), name);
}

async function withClock<T>(f: () => Promise<T>): Promise<T> {
  const now = Date.now;
  Date.now = () => NOW_MS;
  try {
    return await f();
  } finally {
    Date.now = now;
  }
}

describe('the metrics exposition of a known sequence', () => {
  it('is the same Prometheus text, byte for byte', async () => {
    const m = new Metrics();
    observe(m);
    await golden('exposition.prom', await m.registry.metrics());
  });

  it('is the same OpenMetrics text with the same exemplars', async () => {
    const m = new Metrics();
    await withClock(async () => observe(m));
    await golden('exposition.openmetrics', await m.openMetrics());
  });

  it('is the same JSON, as the status page and the workers read it', async () => {
    const m = new Metrics();
    observe(m);
    await golden('exposition.json', `${JSON.stringify(await m.registry.getMetricsAsJSON(), null, 1)}\n`);
  });

  it('sums two workers into the same Prometheus text', async () => {
    const primary = new Metrics();
    primary.reloads.inc();
    const worker = (): Promise<unknown> => {
      const w = new Metrics();
      observe(w);
      // Through JSON, as structured clone carries it between processes.
      return w.registry.getMetricsAsJSON().then((j) => JSON.parse(JSON.stringify(j)));
    };
    const workers = [await worker(), await worker()] as Parameters<typeof aggregateMetrics>[1] extends Iterable<infer T> ? T[] : never;
    await golden('exposition-workers.prom', await aggregateMetrics(primary.registry, workers));
  });
});
