// /metrics passes Prometheus's own linter (`promtool check metrics`), and Node's process metrics keep
// prom-client's standard names (process_*, nodejs_*), unprefixed, so stock dashboards and alerts work.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { get } from '../support/http.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { type Upstream, startUpstream } from '../support/upstream.ts';

const promtool = spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0;
const skip = promtool ? false : 'promtool not installed (Debian package `prometheus`; .ci/run installs it)';

/** Feeds `text` to `promtool check metrics`: its exit code and what it printed. */
function checkMetrics(text: string): Promise<{ code: number | null; output: string }> {
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

describe('/metrics', { skip }, () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let up: Upstream;

  before(async () => {
    up = await startUpstream('up');
    cfg = await ConfigDir.create();
    await cfg.write('a.yaml', [...backend('up', [{ ip: '127.0.0.1', port: up.port }]), ingress('shop', [{ hosts: ['shop.example.com'], paths: [{ splits: [{ service: 'up' }] }] }])]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
  });
  after(async () => {
    await sluice?.stop();
    await up?.close();
    await cfg?.cleanup();
  });

  it('passes promtool check metrics, with samples in every counter, histogram and gauge (per route, cluster and listener too)', async () => {
    assert.equal((await get(sluice.addresses.http!, 'shop.example.com')).status, 200);
    assert.equal((await get(sluice.addresses.http!, 'nobody.example.com')).status, 404);
    const text = (await get(sluice.addresses.admin!, 'admin', '/metrics')).body;
    assert.match(text, /^sluice_upstream_response_head_seconds_count\{cluster="default\/up:80"\} 1$/m);
    assert.match(text, /^sluice_upstream_connections\{cluster="default\/up:80",state="open"\} 1$/m);
    const { code, output } = await checkMetrics(text);
    assert.equal(code, 0, `promtool check metrics:\n${output}`);
  });

  it("exports Node's process metrics under prom-client's standard names, counters as counters", async () => {
    const text = (await get(sluice.addresses.admin!, 'admin', '/metrics')).body;
    for (const [name, type] of [
      ['process_cpu_seconds_total', 'counter'],
      ['process_resident_memory_bytes', 'gauge'],
      ['process_start_time_seconds', 'gauge'],
      ['nodejs_heap_size_used_bytes', 'gauge'],
      ['nodejs_eventloop_lag_seconds', 'gauge'],
      ['nodejs_gc_duration_seconds', 'histogram'],
      ['sluice_requests_total', 'counter'],
      ['sluice_upstream_requests_total', 'counter'],
      ['sluice_upstream_response_head_seconds', 'histogram'],
      ['sluice_policy_rejections_total', 'counter'],
      ['sluice_downstream_connections', 'gauge'],
      ['sluice_downstream_requests_active', 'gauge'],
      ['sluice_upstream_connections', 'gauge'],
    ] as const) {
      assert.match(text, new RegExp(`^# TYPE ${name} ${type}$`, 'm'), `${name} as a ${type}`);
    }
    assert.doesNotMatch(text, /^sluice_(process|nodejs)_/m, 'standard metrics are not renamed');
    for (const m of text.matchAll(/^# TYPE (\S+_total) (\S+)$/gm)) assert.equal(m[2], 'counter', `${m[1]} ends in _total, so it must be a counter`);
  });
});
