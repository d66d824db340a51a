// Route retries of requests with bodies and of non-idempotent methods, and the retry budget:
// a body up to the policy's bodyLimit is held and resent whole; past it the request goes through
// once; a POST is resent only after a failure the upstream cannot have seen (a refused connect);
// and the budget caps how many requests retry at once. Served from hand-built snapshots on a
// Gateway API port (gateway-ports-helpers.ts), through the fast path's front end and node:http.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Cluster, Route, VirtualHost } from '../../src/snapshot/types.ts';
import { get } from '../support/http.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';
import { cluster, freePort, port, portName, startPorts, type PortsUnderTest, vhost } from './gateway-ports-helpers.ts';
import { connectH2, h2Request } from './h2-helpers.ts';
import { refusedPort } from '../support/refused-port.ts';

function retryHost(p: number, host: string, clusterName: string, retry: Route['retry']): VirtualHost {
  const base = vhost(portName(p), host, clusterName);
  return { ...base, routes: base.routes.map((r) => ({ ...r, retry })) };
}

async function retried(t: PortsUnderTest, reason: string): Promise<number> {
  const m = await t.metrics.retries.get();
  return m.values.filter((v) => v.labels.reason === reason).reduce((a, v) => a + v.value, 0);
}

for (const fastPath of [true, false]) {
  describe(`route retries of bodies and budgets (${fastPath ? 'fast path' : 'node:http'})`, () => {
    let flaky: Upstream;
    /** how many more requests to each URL get 503 */
    const failuresLeft = new Map<string, number>();
    /** the bodies each URL received */
    const bodies = new Map<string, string[]>();
    let t: PortsUnderTest;
    let p: number;
    const addr = (): string => `127.0.0.1:${p}`;

    before(async () => {
      flaky = await startUpstream('flaky', (req, res) => {
        const url = req.url ?? '';
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          bodies.set(url, [...(bodies.get(url) ?? []), Buffer.concat(chunks).toString()]);
          const n = failuresLeft.get(url) ?? 1;
          failuresLeft.set(url, n - 1);
          // Slow failures keep requests in flight together (the budget counts those).
          const delay = url.startsWith('/budget') ? 150 : 0;
          setTimeout(() => {
            res.writeHead(n > 0 ? 503 : 200, { 'content-type': 'text/plain' });
            res.end(n > 0 ? 'busy' : 'fine');
          }, delay);
        });
      });
      t = startPorts({ fastPath });
      p = await freePort();
      const refused = refusedPort();
      const halfRefused: Cluster = { name: 'default/half:80', protocol: 'http1', type: 'static', endpoints: [{ address: '127.0.0.1', port: refused }, { address: '127.0.0.1', port: flaky.port }] };
      await t.publish({
        clusters: [cluster('default/flaky:80', flaky.port), halfRefused],
        ports: [
          port(p, 'HTTP', [
            retryHost(p, 'put.example.com', 'default/flaky:80', { attempts: 2, codes: [503], backoffMs: 5, bodyLimit: 1024 }),
            retryHost(p, 'half.example.com', 'default/half:80', { attempts: 1, codes: [503], backoffMs: 5 }),
            retryHost(p, 'budget.example.com', 'default/flaky:80', { attempts: 3, codes: [503], backoffMs: 5, budget: { percent: 0, minConcurrency: 1 } }),
          ]),
        ],
      });
    });

    after(async () => {
      await t.stop();
      await flaky.close();
    });

    it('resends a PUT body under the limit, whole, on every attempt', async () => {
      const url = `/put-${fastPath}`;
      failuresLeft.set(url, 2);
      const body = 'x'.repeat(700);
      const r = await get(addr(), 'put.example.com', url, {}, { method: 'PUT', body });
      assert.equal(r.status, 200, r.body);
      assert.deepEqual(bodies.get(url), [body, body, body]);
    });

    it('sends a body past the limit once and does not retry it', async () => {
      const url = `/big-${fastPath}`;
      failuresLeft.set(url, 2);
      const body = 'y'.repeat(5000);
      const r = await get(addr(), 'put.example.com', url, {}, { method: 'PUT', body });
      assert.equal(r.status, 503);
      assert.deepEqual(bodies.get(url), [body]);
    });

    it('resends a POST after a refused connect, but not after a listed status', async () => {
      for (let i = 0; i < 4; i++) {
        const url = `/post-${fastPath}-${i}`;
        failuresLeft.set(url, 0);
        const r = await get(addr(), 'half.example.com', url, {}, { method: 'POST', body: `b${i}` });
        assert.equal(r.status, 200, r.body);
        assert.deepEqual(bodies.get(url), [`b${i}`]);
      }
      assert.ok((await retried(t, 'connection_refused')) >= 1);
      const url = `/post503-${fastPath}`;
      failuresLeft.set(url, 1);
      const r = await get(addr(), 'half.example.com', url, {}, { method: 'POST', body: 'once' });
      assert.equal(bodies.get(url)?.length, 1, 'a 503 to a POST is not retried');
      assert.equal(r.status, 503);
    });

    it('resends an HTTP/2 client\'s PUT body under the limit, and sends one over it once', async () => {
      const session = connectH2(addr());
      try {
        const url = `/h2put-${fastPath}`;
        failuresLeft.set(url, 2);
        const body = 'h'.repeat(800);
        const r = await h2Request(session, { ':method': 'PUT', ':path': url, ':authority': 'put.example.com' }, body, 5000);
        assert.equal(r.status, 200, r.body);
        assert.deepEqual(bodies.get(url), [body, body, body]);
        const big = `/h2big-${fastPath}`;
        failuresLeft.set(big, 2);
        const bigBody = 'H'.repeat(5000);
        const r2 = await h2Request(session, { ':method': 'PUT', ':path': big, ':authority': 'put.example.com' }, bigBody, 5000);
        assert.equal(r2.status, 503);
        assert.deepEqual(bodies.get(big), [bigBody]);
      } finally {
        session.destroy();
      }
    });

    it('lets no more requests retry at once than the budget allows', async () => {
      const before = await retried(t, 'budget_exhausted');
      const urls = Array.from({ length: 8 }, (_, i) => `/budget-${fastPath}-${i}`);
      for (const u of urls) failuresLeft.set(u, 10);
      const replies = await Promise.all(urls.map((u) => get(addr(), 'budget.example.com', u)));
      assert.ok(replies.every((r) => r.status === 503));
      const sent = urls.reduce((a, u) => a + (bodies.get(u)?.length ?? 0), 0);
      // Unbudgeted, 8 requests with 3 retries each would make 32 attempts.
      assert.ok(sent < 8 + 3 * 3, `${sent} attempts`);
      assert.ok((await retried(t, 'budget_exhausted')) - before >= 5);
    });
  });
}
