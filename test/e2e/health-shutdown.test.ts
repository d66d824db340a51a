// The kubelet's health port (--health) and Kubernetes-friendly shutdown (--drain-delay): on SIGTERM the
// gateway fails readiness at once but keeps serving, old and new connections alike, while endpoints are
// removed elsewhere; only after the delay does it stop accepting, drain and exit 0.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { type Upstream, startUpstream } from '../support/upstream.ts';

interface Answer {
  status: number;
  body: string;
  reused: boolean;
}

/** GET on `addr` with its own connection unless a keep-alive agent is given; status 0 when unreachable. */
function fetchOnce(addr: string, path: string, host: string, agent: http.Agent | false = false): Promise<Answer> {
  const i = addr.lastIndexOf(':');
  return new Promise((resolve) => {
    const req = http.request({ host: addr.slice(0, i), port: Number(addr.slice(i + 1)), path, headers: { host }, agent, timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, reused: req.reusedSocket }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: 0, body: e.message, reused: false }));
    req.end();
  });
}

describe('health port and drain delay', () => {
  let cfg: ConfigDir;
  let up: Upstream;
  const procs: SluiceProcess[] = [];
  const serve = async (extra: string[]): Promise<SluiceProcess> => {
    const p = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--health', '127.0.0.1:0', ...extra], ['http', 'local', 'admin', 'health']);
    procs.push(p);
    return p;
  };

  before(async () => {
    up = await startUpstream('up');
    cfg = await ConfigDir.create();
    await cfg.write('a.yaml', [...backend('up', [{ ip: '127.0.0.1', port: up.port }]), ingress('shop', [{ hosts: ['shop.example.com'], paths: [{ splits: [{ service: 'up' }] }] }])]);
  });
  after(async () => {
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    await up?.close();
    await cfg?.cleanup();
  });

  it('--health answers /ready, /live and /metrics (for Prometheus on the pod address), nothing else of the admin endpoint', async () => {
    const p = await serve([]);
    const health = p.addresses.health!;
    assert.equal((await fetchOnce(health, '/ready', 'x')).status, 200);
    assert.equal((await fetchOnce(health, '/live', 'x')).status, 200);
    const metrics = await fetchOnce(health, '/metrics', 'x');
    assert.equal(metrics.status, 200);
    assert.match(metrics.body, /^# TYPE sluice_requests_total counter/m);
    for (const path of ['/status', '/config', '/']) assert.equal((await fetchOnce(health, path, 'x')).status, 404, path);
    assert.equal((await fetchOnce(p.addresses.admin!, '/config', 'x')).status, 200, 'the admin endpoint still has /config');
  });

  it('on SIGTERM /ready fails at once while requests and new connections are served for --drain-delay, then it drains and exits 0', async () => {
    const delayMs = 3000;
    const p = await serve(['--drain-delay', String(delayMs / 1000)]);
    const [httpAddr, health, admin] = [p.addresses.http!, p.addresses.health!, p.addresses.admin!];
    const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      assert.equal((await fetchOnce(httpAddr, '/', 'shop.example.com', keepAlive)).status, 200);
      const exited = once(p.child, 'exit') as Promise<[number | null]>;
      const t0 = Date.now();
      p.child.kill('SIGTERM');
      let ready = 200;
      while (ready !== 503 && Date.now() - t0 < 1000) ready = (await fetchOnce(health, '/ready', 'x')).status;
      assert.equal(ready, 503, 'health /ready fails within a second of SIGTERM');
      assert.equal((await fetchOnce(admin, '/ready', 'x')).status, 503, 'admin /ready fails too');
      assert.equal((await fetchOnce(health, '/live', 'x')).status, 200, 'still alive');
      const fresh = await fetchOnce(httpAddr, '/', 'shop.example.com');
      assert.equal(fresh.status, 200, `a new connection is served during the delay: ${fresh.body}`);
      const reused = await fetchOnce(httpAddr, '/', 'shop.example.com', keepAlive);
      assert.equal(reused.status, 200, 'a kept-alive connection is served during the delay');
      assert.ok(reused.reused, 'on the connection opened before SIGTERM');
      assert.ok(Date.now() - t0 < delayMs, 'all of that happened within the delay');
      assert.equal(p.child.exitCode, null, 'still running during the delay');
      const [code] = await exited;
      assert.equal(code, 0);
      assert.ok(Date.now() - t0 >= delayMs - 100, `exited after the delay (${Date.now() - t0} ms)`);
    } finally {
      keepAlive.destroy();
    }
  });
});
