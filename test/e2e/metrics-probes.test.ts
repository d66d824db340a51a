// Knative readiness probes are the gateway's own traffic: the leader probes every ingress on every
// replica, on both listeners, and a series per (listener, ingress) for each was 20,000 latency
// histograms at 10,000 ingresses (about 25 MiB) that no client request made. Probes are counted
// without an ingress (ingress="", as requests that matched no route); a client's request still
// makes its ingress's series.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { get } from '../support/http.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { type Upstream, startUpstream } from '../support/upstream.ts';

function sample(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('/metrics: Knative probes make no per-ingress series', () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let up: Upstream;

  before(async () => {
    up = await startUpstream('v1');
    cfg = await ConfigDir.create();
    await cfg.write('a.yaml', [...backend('v1', [{ ip: '127.0.0.1', port: up.port }]), ingress('shop', [{ hosts: ['shop.example.com'], paths: [{ splits: [{ service: 'v1' }] }] }])]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
  });
  after(async () => {
    await sluice?.stop();
    await up?.close();
    await cfg?.cleanup();
  });

  it('probes are counted under ingress="", a client request under its ingress', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await get(sluice.addresses.http!, 'shop.example.com', '/healthz', { 'K-Network-Probe': 'probe', 'K-Network-Hash': 'override' });
      assert.equal(r.status, 200);
    }
    let metrics = (await get(sluice.addresses.admin!, 'admin', '/metrics')).body;
    assert.equal(sample(metrics, 'sluice_request_duration_seconds_count', 'listener="http",ingress="default/shop"'), undefined, 'no series of the ingress from probes');
    assert.equal(sample(metrics, 'sluice_request_duration_seconds_count', 'listener="http",ingress=""'), 3);
    assert.equal((await get(sluice.addresses.http!, 'shop.example.com')).status, 200);
    metrics = (await get(sluice.addresses.admin!, 'admin', '/metrics')).body;
    assert.equal(sample(metrics, 'sluice_request_duration_seconds_count', 'listener="http",ingress="default/shop"'), 1);
  });
});
