// Route retries (Gateway API experimental retry): an idempotent bodiless request is resent on a
// listed status or a connect failure, up to `attempts` times, and the client sees only the last
// answer; bodies and non-idempotent methods are never resent. Served from hand-built snapshots on
// a Gateway API port (gateway-ports-helpers.ts).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { backoffMs } from '../../src/proxy/retry.ts';
import type { Cluster, Route, VirtualHost } from '../../src/snapshot/types.ts';
import { get } from '../support/http.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';
import { cluster, freePort, port, portName, startPorts, type PortsUnderTest, vhost } from './gateway-ports-helpers.ts';
import { connectH2, h2Request } from './h2-helpers.ts';
import { refusedPort } from '../support/refused-port.ts';

describe('retry backoff', () => {
  it('is exponential with full jitter from the base, capped at 10 times it, 25 ms by default', () => {
    const policy = { attempts: 5, codes: [503] };
    assert.equal(backoffMs(policy, 1, 0.999), 24);
    assert.equal(backoffMs(policy, 2, 0.5), 37);
    assert.equal(backoffMs({ ...policy, backoffMs: 100 }, 9, 0.5), 500);
    assert.equal(backoffMs(policy, 3, 0), 0);
  });
});

function retryHost(p: number, host: string, clusterName: string, retry: Route['retry']): VirtualHost {
  const base = vhost(portName(p), host, clusterName);
  return { ...base, routes: base.routes.map((r) => ({ ...r, retry })) };
}

async function retried(t: PortsUnderTest, reason: string): Promise<number> {
  const m = await t.metrics.retries.get();
  return m.values.filter((v) => v.labels.reason === reason).reduce((a, v) => a + v.value, 0);
}

/** The h2 front end is tested only for what it supports; `fastPath` picks the HTTP/1.1 front end. */
for (const fastPath of [true, false]) {
  describe(`route retries (${fastPath ? 'fast path' : 'node:http'} and HTTP/2)`, () => {
    let flaky: Upstream;
    /** how many more requests to each URL get 503 */
    const failuresLeft = new Map<string, number>();
    let t: PortsUnderTest;
    let p: number;
    let refused: number;
    const addr = (): string => `127.0.0.1:${p}`;

    before(async () => {
      flaky = await startUpstream('flaky', (req, res) => {
        req.resume();
        const url = req.url ?? '';
        const n = failuresLeft.get(url) ?? 2;
        failuresLeft.set(url, n - 1);
        flaky.requests.push({ name: 'flaky', method: req.method ?? '', url, headers: req.headers, rawHeaders: req.rawHeaders, bodyBytes: 0 });
        if (n > 0) {
          res.writeHead(503, { 'content-type': 'text/plain', 'x-attempt': String(3 - n) });
          res.end('busy');
          return;
        }
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('fine');
      });
      t = startPorts({ fastPath });
      p = await freePort();
      refused = refusedPort();
      const twoEndpoints: Cluster = { name: 'default/half:80', protocol: 'http1', type: 'static', endpoints: [{ address: '127.0.0.1', port: refused }, { address: '127.0.0.1', port: flaky.port }] };
      await t.publish({
        clusters: [cluster('default/flaky:80', flaky.port), twoEndpoints],
        ports: [
          port(p, 'HTTP', [
            retryHost(p, 'twice.example.com', 'default/flaky:80', { attempts: 2, codes: [503], backoffMs: 5 }),
            retryHost(p, 'once.example.com', 'default/flaky:80', { attempts: 1, codes: [503], backoffMs: 5 }),
            retryHost(p, 'other.example.com', 'default/flaky:80', { attempts: 2, codes: [500], backoffMs: 5 }),
            retryHost(p, 'none.example.com', 'default/flaky:80', undefined),
            retryHost(p, 'half.example.com', 'default/half:80', { attempts: 1, codes: [], backoffMs: 5 }),
          ]),
        ],
      });
    });

    after(async () => {
      await t.stop();
      await flaky.close();
    });

    const attempts = (url: string): number => flaky.requests.filter((r) => r.url === url).length;

    it('resends a GET on a listed status until it succeeds, within attempts', async () => {
      const url = `/twice-${fastPath}`;
      const r = await get(addr(), 'twice.example.com', url);
      assert.equal(r.status, 200, r.body);
      assert.equal(r.body, 'fine');
      assert.equal(attempts(url), 3);
      assert.ok((await retried(t, '503')) >= 2);
    });

    it('answers the last attempt\'s response, whole, when attempts run out', async () => {
      const url = `/once-${fastPath}`;
      const r = await get(addr(), 'once.example.com', url);
      assert.equal(r.status, 503);
      assert.equal(r.body, 'busy');
      assert.equal(r.headers['x-attempt'], '2');
      assert.equal(attempts(url), 2);
    });

    it('does not resend a status the route does not list, a route without retries, or a request with a body', async () => {
      for (const host of ['other.example.com', 'none.example.com']) {
        const url = `/${host}-${fastPath}`;
        assert.equal((await get(addr(), host, url)).status, 503);
        assert.equal(attempts(url), 1, host);
      }
      const url = `/post-${fastPath}`;
      assert.equal((await get(addr(), 'twice.example.com', url, {}, { method: 'POST', body: 'x' })).status, 503);
      assert.equal(attempts(url), 1);
    });

    it('resends after a connect failure to another endpoint', async () => {
      for (let i = 0; i < 4; i++) {
        const url = `/half-${fastPath}-${i}`;
        failuresLeft.set(url, 0);
        const r = await get(addr(), 'half.example.com', url);
        assert.equal(r.status, 200, r.body);
      }
      assert.ok((await retried(t, 'connection_refused')) >= 1);
    });

    it('retries HTTP/2 requests the same way', async () => {
      const session = connectH2(addr());
      try {
        const url = `/h2-${fastPath}`;
        const r = await h2Request(session, { ':path': url, ':authority': 'twice.example.com' }, undefined, 5000);
        assert.equal(r.status, 200, r.body);
        assert.equal(attempts(url), 3);
      } finally {
        session.destroy();
      }
    });
  });
}
