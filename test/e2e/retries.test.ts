// Route retries and timeouts end to end: `sluice serve` with Knative Ingresses naming TrafficPolicies
// (the sluice.dev/traffic-policy annotation) in front of a backend that fails on demand (its first N
// requests to a path get 503 or a reset connection). Over HTTP/1.1 (fast path and node:http) and
// HTTP/2 clients: retries succeed, the budget caps them, a PUT body replays under the limit and not
// over it, a POST replays after a refused connect, and the idle timeout answers 504.
import assert from 'node:assert/strict';
import type http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { connectH2, h2Request } from '../proxy/h2-helpers.ts';
import { backend, ConfigDir, ingress } from '../support/config.ts';
import { get } from '../support/http.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';
import { refusedPort } from '../support/refused-port.ts';

function policy(name: string, spec: Record<string, unknown>): object {
  return { apiVersion: 'sluice.dev/v1alpha1', kind: 'TrafficPolicy', metadata: { name, namespace: 'default' }, spec };
}

/** One Ingress for `host` to `service`, naming the TrafficPolicy `policyName`. */
function routed(host: string, service: string, policyName: string): object {
  return ingress(host.split('.')[0]!, [{ hosts: [host], paths: [{ splits: [{ service }] }] }], { annotations: { 'sluice.dev/traffic-policy': policyName } });
}

async function metric(sluice: SluiceProcess, reason: string): Promise<number> {
  const text = await (await fetch(`http://${sluice.addresses.admin}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith('sluice_retries_total{') && line.includes(`reason="${reason}"`)) sum += Number(line.split(' ').pop());
  return sum;
}

for (const fastPath of [true, false]) {
  describe(`route retries and timeouts through sluice serve (${fastPath ? 'fast path' : 'node:http'})`, () => {
    let cfg: ConfigDir;
    let sluice: SluiceProcess;
    let flaky: Upstream;
    /** requests (with their bodies) each path received */
    const seen = new Map<string, string[]>();
    const held = new Set<http.ServerResponse>();

    before(async () => {
      // /<mode>/<failures>/...: the first <failures> requests to the path get `mode` (503, reset), the rest 200.
      flaky = await startUpstream('flaky', (req, res) => {
        const url = req.url ?? '';
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const list = [...(seen.get(url) ?? []), Buffer.concat(chunks).toString()];
          seen.set(url, list);
          const [, mode, n] = url.split('/');
          if (mode === 'silent') return void held.add(res);
          const failing = list.length <= Number(n);
          // Slow failures keep requests in flight together, as the budget counts them.
          const wait = mode === 'slow503' ? 150 : 0;
          setTimeout(() => {
            if (failing && mode === 'reset') return res.socket?.destroy();
            res.writeHead(failing ? 503 : 200, { 'content-type': 'text/plain' });
            res.end(failing ? 'busy' : `ok ${list.at(-1)!.length}`);
          }, wait);
        });
      });
      const refused = refusedPort();
      cfg = await ConfigDir.create();
      await cfg.write('c.yaml', [
        ...backend('flaky', [{ ip: '127.0.0.1', port: flaky.port }]),
        ...backend('half', [{ ip: '127.0.0.1', port: refused }, { ip: '127.0.0.1', port: flaky.port }]),
        policy('retry', { retry: { attempts: 2, codes: [503], backoff: { base: '5ms', max: '20ms' }, bodyLimit: 1024 } }),
        policy('budget', { retry: { attempts: 3, codes: [503], backoff: { base: '5ms' }, budget: { percent: 0, minConcurrency: 1 } } }),
        policy('connect', { retry: { attempts: 1, retryOn: ['connect-failure'], backoff: { base: '5ms' }, bodyLimit: 1024 } }),
        policy('idle', { timeouts: { idle: '300ms' } }),
        routed('retry.example.com', 'flaky', 'retry'),
        routed('budget.example.com', 'flaky', 'budget'),
        routed('half.example.com', 'half', 'connect'),
        routed('idle.example.com', 'flaky', 'idle'),
        routed('plain.example.com', 'flaky', 'none'),
      ]);
      const args = ['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0'];
      sluice = await startSluice(fastPath ? args : [...args, '--no-fast-path']);
    });

    after(async () => {
      for (const res of held) res.destroy();
      await sluice?.stop();
      await flaky?.close();
      await cfg?.cleanup();
    });

    const addr = (): string => sluice.addresses.http!;
    const tag = fastPath ? 'fast' : 'node';

    it('retries a GET after 503s and after a reset connection until it succeeds', async () => {
      for (const mode of ['503', 'reset']) {
        const url = `/${mode}/2/${tag}`;
        const r = await get(addr(), 'retry.example.com', url);
        assert.equal(r.status, 200, `${mode}: ${r.body}`);
        assert.equal(seen.get(url)?.length, 3, mode);
      }
    });

    it('does not retry a route whose Ingress names no policy (Knative\'s default)', async () => {
      const url = `/503/1/plain-${tag}`;
      assert.equal((await get(addr(), 'plain.example.com', url)).status, 503);
      assert.equal(seen.get(url)?.length, 1);
    });

    it('retries an HTTP/2 client\'s GET the same way', async () => {
      const session = connectH2(addr());
      try {
        const url = `/503/2/h2-${tag}`;
        const r = await h2Request(session, { ':path': url, ':authority': 'retry.example.com' }, undefined, 5000);
        assert.equal(r.status, 200, r.body);
        assert.equal(seen.get(url)?.length, 3);
      } finally {
        session.destroy();
      }
    });

    it('replays a PUT body under the limit, and sends one over it once', async () => {
      const small = `/503/2/put-small-${tag}`;
      const body = 'p'.repeat(900);
      const r = await get(addr(), 'retry.example.com', small, {}, { method: 'PUT', body });
      assert.equal(r.status, 200, r.body);
      assert.deepEqual(seen.get(small), [body, body, body]);
      const big = `/503/2/put-big-${tag}`;
      const bigBody = 'q'.repeat(3000);
      assert.equal((await get(addr(), 'retry.example.com', big, {}, { method: 'PUT', body: bigBody })).status, 503);
      assert.deepEqual(seen.get(big), [bigBody]);
    });

    it('replays an HTTP/2 client\'s PUT body under the limit, and a POST body after a refused connect', async () => {
      const session = connectH2(addr());
      try {
        const url = `/503/2/h2put-${tag}`;
        const body = 'z'.repeat(900);
        const r = await h2Request(session, { ':method': 'PUT', ':path': url, ':authority': 'retry.example.com' }, body, 5000);
        assert.equal(r.status, 200, r.body);
        assert.deepEqual(seen.get(url), [body, body, body]);
        for (let i = 0; i < 4; i++) {
          const post = `/503/0/h2post-${tag}-${i}`;
          const p = await h2Request(session, { ':method': 'POST', ':path': post, ':authority': 'half.example.com' }, `h2 body ${i}`, 5000);
          assert.equal(p.status, 200, p.body);
          assert.deepEqual(seen.get(post), [`h2 body ${i}`]);
        }
      } finally {
        session.destroy();
      }
    });

    it('replays a POST body after a refused connect, and never after a 503', async () => {
      for (let i = 0; i < 4; i++) {
        const url = `/503/0/post-${tag}-${i}`;
        const r = await get(addr(), 'half.example.com', url, {}, { method: 'POST', body: `body ${i}` });
        assert.equal(r.status, 200, r.body);
        assert.deepEqual(seen.get(url), [`body ${i}`]);
      }
      assert.ok((await metric(sluice, 'connection_refused')) >= 1);
      const url = `/503/1/post503-${tag}`;
      assert.equal((await get(addr(), 'retry.example.com', url, {}, { method: 'POST', body: 'once' })).status, 503);
      assert.deepEqual(seen.get(url), ['once']);
    });

    it('caps retries of a failing backend by the budget', async () => {
      const before = await metric(sluice, 'budget_exhausted');
      const urls = Array.from({ length: 8 }, (_, i) => `/slow503/99/budget-${tag}-${i}`);
      const replies = await Promise.all(urls.map((u) => get(addr(), 'budget.example.com', u)));
      assert.ok(replies.every((r) => r.status === 503));
      const attempts = urls.reduce((a, u) => a + (seen.get(u)?.length ?? 0), 0);
      // Without the budget: 8 requests * 4 attempts.
      assert.ok(attempts <= 8 + 3, `${attempts} attempts`);
      assert.ok((await metric(sluice, 'budget_exhausted')) - before >= 5);
    });

    it('answers 504 when the backend stays silent past the idle timeout, over HTTP/1.1 and HTTP/2', async () => {
      const started = Date.now();
      const r = await get(addr(), 'idle.example.com', `/silent/0/${tag}`);
      assert.equal(r.status, 504);
      assert.ok(Date.now() - started < 3000);
      const session = connectH2(addr());
      try {
        const h2 = await h2Request(session, { ':path': `/silent/0/h2-${tag}`, ':authority': 'idle.example.com' }, undefined, 5000);
        assert.equal(h2.status, 504);
      } finally {
        session.destroy();
      }
    });
  });
}
