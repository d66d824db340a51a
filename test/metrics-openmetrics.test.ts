// /metrics in the OpenMetrics format when the scraper asks for it (`Accept: application/openmetrics-text`,
// as Prometheus does): with tracing on, the latency histograms' buckets carry the trace id of a
// sampled request that fell in them as an exemplar; the admin endpoint and the health port both
// negotiate; the default Prometheus text has no exemplars and stays promtool-clean.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from './support/config.ts';
import { eventually, get } from './support/http.ts';
import { type SluiceProcess, startSluice } from './support/sluice.ts';
import { type Upstream, startUpstream } from './support/upstream.ts';
import { type OtlpReceiver, startHttpReceiver } from './observe/otlp-receiver.ts';
import { type Family, parseOpenMetrics } from './metrics-openmetrics-parser.ts';

const OPENMETRICS = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
const SAMPLED = '4bf92f3577b34da6a3ce929d0e0e4736';
const UNSAMPLED = '5bf92f3577b34da6a3ce929d0e0e4737';

function promtoolCheck(text: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
    child.stdin.end(text);
  });
}

function exemplarTraces(f: Family | undefined): string[] {
  return (f?.samples ?? []).flatMap((s) => (s.exemplar ? [s.exemplar.labels.trace_id!] : []));
}

describe('/metrics in OpenMetrics, with exemplars', () => {
  let upstream: Upstream;
  let receiver: OtlpReceiver;
  let config: ConfigDir;
  let sluice: SluiceProcess;

  before(async () => {
    upstream = await startUpstream('traced');
    receiver = await startHttpReceiver();
    config = await ConfigDir.create();
    await config.write('routes.yaml', [
      ingress('traced', [{ hosts: ['traced.example.com'], paths: [{ splits: [{ service: 'traced' }] }] }]),
      ...backend('traced', [{ ip: '127.0.0.1', port: upstream.port }]),
    ]);
    sluice = await startSluice(['serve', '--config', config.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--tracing-otlp-endpoint', receiver.url, '--tracing-flush-interval', '100'], ['http', 'local', 'admin', 'health']);
    assert.ok(await eventually(async () => (await get(sluice.addresses.http!, 'traced.example.com', '/ready')).status === 200, 10_000));
    assert.equal((await get(sluice.addresses.http!, 'traced.example.com', '/not-sampled', { traceparent: `00-${UNSAMPLED}-b7ad6b7169203331-00` })).status, 200);
    assert.equal((await get(sluice.addresses.http!, 'traced.example.com', '/sampled', { traceparent: `00-${SAMPLED}-b7ad6b7169203331-01` })).status, 200);
  });
  after(async () => {
    await sluice?.stop();
    await receiver?.close();
    await upstream?.close();
    await config?.cleanup();
  });

  for (const at of ['admin', 'health'] as const) {
    it(`the ${at} port answers OpenMetrics when asked, with trace exemplars on both latency histograms`, async () => {
      const r = await get(sluice.addresses[at]!, 'admin', '/metrics', { accept: OPENMETRICS });
      assert.equal(r.status, 200);
      assert.equal(r.headers['content-type'], 'application/openmetrics-text; version=1.0.0; charset=utf-8');
      const families = parseOpenMetrics(r.body);
      const downstream = families.get('sluice_request_duration_seconds');
      assert.equal(downstream?.type, 'histogram');
      assert.ok(exemplarTraces(downstream).includes(SAMPLED), `no exemplar with the sampled trace id:\n${r.body.split('\n').filter((l) => l.includes(' # ')).join('\n')}`);
      assert.ok(exemplarTraces(families.get('sluice_upstream_response_head_seconds')).includes(SAMPLED));
      const all = [...families.values()].flatMap(exemplarTraces);
      assert.equal(all.includes(UNSAMPLED), false, 'a trace the client did not sample is not an exemplar');
      const ex = downstream!.samples.find((s) => s.exemplar?.labels.trace_id === SAMPLED)!.exemplar!;
      assert.ok(ex.value >= 0 && ex.value < 10, `exemplar value ${ex.value} (seconds)`);
      assert.ok(ex.timestamp !== undefined && Math.abs(ex.timestamp - Date.now() / 1000) < 120, `exemplar timestamp ${ex.timestamp}`);
      const requests = families.get('sluice_requests');
      assert.equal(requests?.type, 'counter');
      assert.ok(requests.samples.some((s) => s.name === 'sluice_requests_total' && s.labels.ingress === 'default/traced' && s.value >= 3));
      assert.equal(families.get('process_cpu_seconds')?.type, 'counter', "prom-client's standard names, as OpenMetrics counters");
    });
  }

  it('answers the Prometheus text format by default: no exemplars, promtool clean', { skip: spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0 ? false : 'promtool not installed' }, async () => {
    const r = await get(sluice.addresses.admin!, 'admin', '/metrics');
    assert.match(String(r.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    assert.doesNotMatch(r.body, / # \{/);
    assert.match(r.body, /^sluice_requests_total\{/m, 'counters keep their _total after an OpenMetrics scrape');
    const { code, output } = await promtoolCheck(r.body);
    assert.equal(code, 0, output);
  });
});
