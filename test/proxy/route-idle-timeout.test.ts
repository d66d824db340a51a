// A route's idle timeout: no bytes either way for that long ends the exchange, 504 before the
// response head, the connection closed (HTTP/1.1) or the stream reset (HTTP/2) after it; a stream
// that keeps sending is never cut, however long it runs. Served from hand-built snapshots on a
// Gateway API port (gateway-ports-helpers.ts).
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { Route, VirtualHost } from '../../src/snapshot/types.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';
import { cluster, freePort, port, portName, startPorts, type PortsUnderTest, vhost } from './gateway-ports-helpers.ts';
import { connectH2, h2Request } from './h2-helpers.ts';

function timedHost(p: number, host: string, clusterName: string, timeout: Route['timeout']): VirtualHost {
  const base = vhost(portName(p), host, clusterName);
  return { ...base, routes: base.routes.map((r) => ({ ...r, timeout })) };
}

/** A GET by node:http: the status, whether the body came whole, the body, and how long it took. */
function fetchWhole(p: number, host: string, path: string): Promise<{ status: number; complete: boolean; body: string; ms: number }> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: p, path, headers: { host }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (d: string) => (body += d));
      res.on('error', () => {});
      res.on('close', () => resolve({ status: res.statusCode ?? 0, complete: res.complete, body, ms: Date.now() - start }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error('no answer in 10 s')));
    req.on('error', reject);
  });
}

for (const fastPath of [true, false]) {
  describe(`route idle timeout (${fastPath ? 'fast path' : 'node:http'} and HTTP/2)`, () => {
    let upstream: Upstream;
    const timers = new Set<NodeJS.Timeout>();
    let t: PortsUnderTest;
    let p: number;

    before(async () => {
      upstream = await startUpstream('paced', (req, res) => {
        req.resume();
        const url = req.url ?? '';
        const later = (ms: number, f: () => void): void => {
          const timer = setTimeout(() => {
            timers.delete(timer);
            if (!res.destroyed) f();
          }, ms);
          timers.add(timer);
        };
        if (url.startsWith('/silent')) return later(5000, () => res.end('late'));
        res.writeHead(200, { 'content-type': 'text/plain' });
        if (url.startsWith('/stall')) {
          res.write('part;');
          return later(5000, () => res.end('rest'));
        }
        // /drip: a chunk every 100 ms for 1.2 s, far longer than the idle timeout
        let n = 0;
        const drip = (): void => {
          res.write(`${n};`);
          if (++n === 12) res.end();
          else later(100, drip);
        };
        drip();
      });
      t = startPorts({ fastPath });
      p = await freePort();
      await t.publish({
        clusters: [cluster('default/paced:80', upstream.port)],
        ports: [port(p, 'HTTP', [timedHost(p, 'idle.example.com', 'default/paced:80', { idle: 400 })])],
      });
    });

    after(async () => {
      for (const timer of timers) clearTimeout(timer);
      await t.stop();
      await upstream.close();
    });

    it('answers 504 when the upstream sends nothing for the idle timeout before its head', async () => {
      const r = await fetchWhole(p, 'idle.example.com', `/silent-${fastPath}`);
      assert.equal(r.status, 504);
      assert.ok(r.ms < 3000, `${r.ms} ms`);
    });

    it('cuts a response that stalls after its head', async () => {
      const r = await fetchWhole(p, 'idle.example.com', `/stall-${fastPath}`);
      assert.equal(r.status, 200);
      assert.equal(r.complete, false);
      assert.equal(r.body, 'part;');
      assert.ok(r.ms < 3000, `${r.ms} ms`);
    });

    it('never cuts a response that keeps sending', async () => {
      const r = await fetchWhole(p, 'idle.example.com', `/drip-${fastPath}`);
      assert.equal(r.status, 200);
      assert.equal(r.complete, true);
      assert.equal(r.body, '0;1;2;3;4;5;6;7;8;9;10;11;');
    });

    it('answers an HTTP/2 client 504 the same way, and lets its drip through', async () => {
      const session = connectH2(`127.0.0.1:${p}`);
      try {
        const silent = await h2Request(session, { ':path': `/silent-h2-${fastPath}`, ':authority': 'idle.example.com' }, undefined, 5000);
        assert.equal(silent.status, 504);
        const drip = await h2Request(session, { ':path': `/drip-h2-${fastPath}`, ':authority': 'idle.example.com' }, undefined, 5000);
        assert.equal(drip.status, 200);
        assert.equal(drip.body, '0;1;2;3;4;5;6;7;8;9;10;11;');
      } finally {
        session.destroy();
      }
    });
  });
}
