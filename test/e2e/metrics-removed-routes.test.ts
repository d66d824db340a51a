// Series of routes and clusters that leave the configuration leave /metrics with them: six swaps,
// each replacing the one Ingress and its Service with newly named ones and sending it traffic,
// end with the series of the last one only (and of requests that matched no route).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { eventually, get } from '../support/http.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { type Upstream, startUpstream } from '../support/upstream.ts';

const SWAPS = 6;

/** The distinct values of `label` among the samples of `family` (its _bucket/_sum/_count included). */
function labelValues(text: string, family: string, label: string): string[] {
  const values = new Set<string>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${family}{`) && !line.startsWith(`${family}_`)) continue;
    const m = new RegExp(`[{,]${label}="([^"]*)"`).exec(line);
    if (m) values.add(m[1]!);
  }
  return [...values].sort();
}

describe('/metrics after routes are removed', () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let upstream: Upstream;
  let metrics: string;

  before(async () => {
    upstream = await startUpstream('app');
    cfg = await ConfigDir.create();
    const write = (i: number): Promise<void> =>
      cfg.write('app.yaml', [...backend(`svc-${i}`, [{ ip: '127.0.0.1', port: upstream.port }]), ingress(`app-${i}`, [{ hosts: [`app-${i}.example.com`], paths: [{ splits: [{ service: `svc-${i}` }] }] }])]);
    await write(0);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
    for (let i = 0; i < SWAPS; i++) {
      if (i > 0) await write(i);
      assert.ok(await eventually(async () => (await get(sluice.addresses.http!, `app-${i}.example.com`)).status === 200, 10_000), `app-${i} served`);
    }
    metrics = (await get(sluice.addresses.admin!, 'admin', '/metrics')).body;
  });
  after(async () => {
    await sluice?.stop();
    await upstream?.close();
    await cfg?.cleanup();
  });

  it('keeps only the served route\'s request and latency series', () => {
    for (const family of ['sluice_requests_total', 'sluice_request_duration_seconds']) {
      const left = labelValues(metrics, family, 'ingress').filter((v) => v !== '');
      assert.deepEqual(left, [`default/app-${SWAPS - 1}`], `${family}\n${metrics}`);
    }
  });

  it('keeps only the served cluster\'s upstream series', () => {
    for (const family of ['sluice_upstream_requests_total', 'sluice_upstream_response_head_seconds']) {
      assert.deepEqual(labelValues(metrics, family, 'cluster'), [`default/svc-${SWAPS - 1}:80`], `${family}\n${metrics}`);
    }
  });
});
