// Per-route, per-split (cluster) and connection metrics on /metrics, from real requests through the
// real CLI: the fast path (HTTP/1.1) and HTTP/2 (curl, prior knowledge), a split, a rate limit.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { get } from '../support/http.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { type Upstream, startUpstream } from '../support/upstream.ts';

const run = promisify(execFile);

/** The value of the one sample `name{labels}` (labels as printed, in order), or undefined. */
function sample(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('/metrics per route, split and cluster', () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let v1: Upstream;
  let v2: Upstream;
  let h2c: http2.Http2Server;
  let metrics: string;

  before(async () => {
    v1 = await startUpstream('v1');
    v2 = await startUpstream('v2');
    h2c = http2.createServer((_req, res) => res.end('h2c'));
    await new Promise<void>((r) => h2c.listen(0, '127.0.0.1', r));
    cfg = await ConfigDir.create();
    await cfg.write('a.yaml', [
      ...backend('v1', [{ ip: '127.0.0.1', port: v1.port }]),
      ...backend('v2', [{ ip: '127.0.0.1', port: v2.port }]),
      ...backend('g', [{ ip: '127.0.0.1', port: (h2c.address() as AddressInfo).port }], { portName: 'h2c' }),
      ingress('grpc', [{ hosts: ['grpc.example.com'], paths: [{ splits: [{ service: 'g' }] }] }]),
      ingress('shop', [{ hosts: ['shop.example.com'], paths: [{ splits: [{ service: 'v1', percent: 50 }, { service: 'v2', percent: 50 }] }] }]),
      ingress('limited', [{ hosts: ['limited.example.com'], paths: [{ splits: [{ service: 'v1' }] }] }], { annotations: { 'sluice.dev/traffic-policy': 'one' } }),
      { apiVersion: 'sluice.dev/v1alpha1', kind: 'TrafficPolicy', metadata: { name: 'one', namespace: 'default' }, spec: { rateLimit: { requests: 1, unit: 'hour', key: 'route' } } },
    ]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
    for (let i = 0; i < 20; i++) assert.equal((await get(sluice.addresses.http!, 'shop.example.com')).status, 200);
    const h2 = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code} %{http_version}', '--http2-prior-knowledge', '-H', 'Host: shop.example.com', `http://${sluice.addresses.http}/`], { timeout: 15_000 });
    assert.equal(h2.stdout, '200 2');
    assert.equal((await get(sluice.addresses.http!, 'limited.example.com')).status, 200);
    assert.equal((await get(sluice.addresses.http!, 'limited.example.com')).status, 429);
    assert.equal((await get(sluice.addresses.http!, 'grpc.example.com')).body, 'h2c');
    metrics = (await get(sluice.addresses.admin!, 'admin', '/metrics')).body;
  });
  after(async () => {
    await sluice?.stop();
    await v1?.close();
    await v2?.close();
    await new Promise((r) => h2c?.close(r));
    await cfg?.cleanup();
  });

  it('counts requests by upstream cluster (each split) and status, over every front end', () => {
    const a = sample(metrics, 'sluice_upstream_requests_total', 'cluster="default/v1:80",code="200"') ?? 0;
    const b = sample(metrics, 'sluice_upstream_requests_total', 'cluster="default/v2:80",code="200"') ?? 0;
    // 21 to the shop (20 HTTP/1.1, 1 HTTP/2) and the limited route's one allowed request (v1)
    assert.equal(a + b, 22, metrics);
    assert.ok(a > 1 && b > 0, `both splits took traffic: ${a} ${b}`);
  });

  it('times the upstream response head per cluster', () => {
    const a = sample(metrics, 'sluice_upstream_response_head_seconds_count', 'cluster="default/v1:80"') ?? 0;
    const b = sample(metrics, 'sluice_upstream_response_head_seconds_count', 'cluster="default/v2:80"') ?? 0;
    assert.equal(a + b, 22, metrics);
    assert.match(metrics, /^# TYPE sluice_upstream_response_head_seconds histogram$/m);
  });

  it('keeps a downstream latency histogram per listener and ingress', () => {
    assert.equal(sample(metrics, 'sluice_request_duration_seconds_count', 'listener="http",ingress="default/shop"'), 21);
    assert.equal(sample(metrics, 'sluice_request_duration_seconds_count', 'listener="http",ingress="default/limited"'), 2);
  });

  it('counts requests a route policy answered instead of forwarding', () => {
    assert.equal(sample(metrics, 'sluice_policy_rejections_total', 'ingress="default/limited",code="429"'), 1, metrics);
  });

  it('shows open downstream connections per listener, requests in flight, and upstream pool connections per cluster', () => {
    // The test's keep-alive client still holds its connection to --http.
    assert.ok((sample(metrics, 'sluice_downstream_connections', 'listener="http"') ?? 0) >= 1, metrics);
    assert.equal(sample(metrics, 'sluice_downstream_connections', 'listener="local"'), 0);
    assert.equal(sample(metrics, 'sluice_downstream_requests_active', ''), undefined, 'no labels: printed bare');
    assert.match(metrics, /^sluice_downstream_requests_active 0$/m);
    // The fast path keeps its upstream sockets: idle now, open until the keep-alive ends.
    const open = sample(metrics, 'sluice_upstream_connections', 'cluster="default/v1:80",state="open"') ?? 0;
    const idle = sample(metrics, 'sluice_upstream_connections', 'cluster="default/v1:80",state="idle"') ?? 0;
    assert.ok(open >= 1 && idle >= 1 && idle <= open, `open ${open} idle ${idle}\n${metrics}`);
    // An h2c upstream: one session, idle once its stream is done.
    assert.equal(sample(metrics, 'sluice_upstream_connections', 'cluster="default/g:80",state="open"'), 1, metrics);
    assert.equal(sample(metrics, 'sluice_upstream_connections', 'cluster="default/g:80",state="idle"'), 1);
  });
});
