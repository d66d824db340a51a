// Route timeouts (Gateway API timeouts.request / backendRequest) on every front end: an upstream
// that has not answered by the deadline gets the client a 504 (gRPC: DEADLINE_EXCEEDED); one that
// answered its head and then stalls gets the connection closed (HTTP/1.1) or the stream reset
// (HTTP/2). Routes without a timeout are never cut. Served from hand-built snapshots on a Gateway
// API port (gateway-ports-helpers.ts).
import assert from 'node:assert/strict';
import http from 'node:http';
import http2 from 'node:http2';
import net, { type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { Route, VirtualHost } from '../../src/snapshot/types.ts';
import { get } from '../support/http.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';
import { cluster, freePort, port, portName, startPorts, type PortsUnderTest, vhost } from './gateway-ports-helpers.ts';
import { connectH2, h2Request } from './h2-helpers.ts';
import { refusedPort } from '../support/refused-port.ts';

function timedHost(p: number, host: string, clusterName: string, timeout: Route['timeout']): VirtualHost {
  const base = vhost(portName(p), host, clusterName);
  return { ...base, routes: base.routes.map((r) => ({ ...r, timeout })) };
}

/** A GET by node:http: the status, whether the body came whole, and the body. */
function fetchWhole(p: number, host: string, path: string): Promise<{ status: number; complete: boolean; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: p, path, headers: { host }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (d: string) => (body += d));
      res.on('error', () => {});
      res.on('close', () => resolve({ status: res.statusCode ?? 0, complete: res.complete, body }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error('no answer in 10 s')));
    req.on('error', reject);
  });
}

/** Writes `raw` on `socket` and reads one response with a content-length body, or null when the socket closes first. */
function exchangeOn(socket: net.Socket, raw: string): Promise<{ head: string; body: string } | null> {
  return new Promise((resolve, reject) => {
    if (socket.closed || socket.destroyed) return resolve(null);
    let buf = '';
    const done = (v: { head: string; body: string } | null): void => {
      socket.off('data', onData);
      socket.off('close', onClose);
      clearTimeout(timer);
      resolve(v);
    };
    const onData = (d: Buffer): void => {
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.slice(0, end);
      const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      if (buf.length >= end + 4 + length) done({ head, body: buf.slice(end + 4, end + 4 + length) });
    };
    const onClose = (): void => done(null);
    const timer = setTimeout(() => reject(new Error(`no answer in 5 s; read ${JSON.stringify(buf)}`)), 5000);
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.write(raw);
  });
}

async function timeouts(t: PortsUnderTest): Promise<number> {
  const m = await t.metrics.upstreamErrors.get();
  return m.values.filter((v) => v.labels.reason === 'timeout').reduce((a, v) => a + v.value, 0);
}

for (const fastPath of [true, false]) {
  describe(`route timeouts (${fastPath ? 'fast path' : 'node:http'} and HTTP/2)`, () => {
    let silent: Upstream;
    let halfway: Upstream;
    let quick: Upstream;
    /** an h2c upstream that takes streams and never answers */
    let h2c: http2.Http2Server;
    const held: http.ServerResponse[] = [];
    let t: PortsUnderTest;
    let p: number;
    const addr = (): string => `127.0.0.1:${p}`;

    before(async () => {
      // Takes the request and never answers.
      silent = await startUpstream('silent', (req, res) => {
        req.resume();
        held.push(res);
      });
      // Sends its head and part of the body, then stalls.
      halfway = await startUpstream('halfway', (req, res) => {
        req.resume();
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('part');
        held.push(res);
      });
      quick = await startUpstream('quick');
      h2c = http2.createServer();
      h2c.on('stream', (stream) => stream.on('error', () => {}));
      await new Promise<void>((r) => h2c.listen(0, '127.0.0.1', () => r()));
      // A short head deadline makes the fast path's connection check run every 100 ms.
      t = startPorts({ fastPath, limits: { headersTimeout: 400 } });
      p = await freePort();
      const refused = refusedPort();
      await t.publish({
        clusters: [cluster('default/refused:80', refused), cluster('default/silent:80', silent.port), cluster('default/halfway:80', halfway.port), cluster('default/quick:80', quick.port), cluster('default/h2c:80', (h2c.address() as AddressInfo).port, 'h2c')],
        ports: [
          port(p, 'HTTP', [
            timedHost(p, 'request.example.com', 'default/silent:80', { request: 300 }),
            timedHost(p, 'backend.example.com', 'default/silent:80', { backendRequest: 300 }),
            timedHost(p, 'halfway.example.com', 'default/halfway:80', { request: 300 }),
            timedHost(p, 'quick.example.com', 'default/quick:80', { request: 5000 }),
            timedHost(p, 'off.example.com', 'default/silent:80', { request: 0 }),
            timedHost(p, 'h2c.example.com', 'default/h2c:80', { request: 300 }),
            timedHost(p, 'refused.example.com', 'default/refused:80', { request: 300 }),
          ]),
        ],
      });
    });

    after(async () => {
      for (const res of held) res.destroy();
      await t.stop();
      await Promise.all([silent.close(), halfway.close(), quick.close(), new Promise<void>((r) => h2c.close(() => r()))]);
    });

    it('answers 504 when the upstream has not answered by timeouts.request', async () => {
      const started = performance.now();
      const r = await get(addr(), 'request.example.com', '/slow', {}, { timeoutMs: 5000 });
      const took = performance.now() - started;
      assert.equal(r.status, 504, r.body);
      assert.match(r.body, /upstream request timeout/);
      assert.ok(took >= 290 && took < 2000, `answered after ${took} ms`);
      assert.ok((await timeouts(t)) >= 1);
    });

    it('answers 504 at timeouts.backendRequest, with a body still to come from the client', async () => {
      const r = await get(addr(), 'backend.example.com', '/slow', {}, { timeoutMs: 5000, method: 'POST', body: 'x'.repeat(1000) });
      assert.equal(r.status, 504, r.body);
    });

    it('keeps a connection its 504 (or 503) did not close for the next request', async () => {
      const asks = [
        'GET / HTTP/1.1\r\nhost: refused.example.com\r\n\r\n',
        'GET /slow HTTP/1.1\r\nhost: request.example.com\r\n\r\n',
        `POST /slow HTTP/1.1\r\nhost: backend.example.com\r\ncontent-length: 1000\r\n\r\n${'x'.repeat(1000)}`,
      ];
      for (const ask of asks) {
        const socket = net.connect(p, '127.0.0.1');
        socket.on('error', () => {});
        try {
          const first = await exchangeOn(socket, ask);
          assert.ok(first !== null, "the 504 came");
          assert.match(first.head, /^HTTP\/1\.1 50[34] /);
          if (/\r\nconnection: *close/i.test(first.head)) continue;
          // Several of the listener's connection checks pass before the next request.
          await sleep(350);
          const second = await exchangeOn(socket, 'GET / HTTP/1.1\r\nhost: quick.example.com\r\n\r\n');
          assert.ok(second !== null, `the connection closed after a 50x that kept it alive (${ask.split(' ')[0]})`);
          assert.match(second.head, /^HTTP\/1\.1 200 /);
        } finally {
          socket.destroy();
        }
      }
    });

    it('closes the connection when the deadline passes after the response head', async () => {
      const r = await fetchWhole(p, 'halfway.example.com', '/');
      assert.equal(r.status, 200);
      assert.equal(r.complete, false, 'the response must not look complete');
      assert.equal(r.body, 'part');
    });

    it('leaves an exchange that ends in time alone, and cuts nothing on a route whose timeout is 0', async () => {
      for (let i = 0; i < 3; i++) assert.equal((await get(addr(), 'quick.example.com', '/')).status, 200);
      // No timeout: the request is still waiting when the client gives up.
      await assert.rejects(get(addr(), 'off.example.com', '/', {}, { timeoutMs: 700 }));
    });

    it('answers 504 when an h2c upstream has not answered, to HTTP/1.1 and HTTP/2 clients', async () => {
      const r = await get(addr(), 'h2c.example.com', '/slow', {}, { timeoutMs: 5000 });
      assert.equal(r.status, 504, r.body);
      const session = connectH2(addr());
      try {
        const h = await h2Request(session, { ':path': '/h2', ':authority': 'h2c.example.com' }, undefined, 5000);
        assert.equal(h.status, 504);
      } finally {
        session.destroy();
      }
    });

    it('answers HTTP/2 with 504, gRPC with DEADLINE_EXCEEDED, and resets a stream after the head', async () => {
      const session = connectH2(addr());
      try {
        const plain = await h2Request(session, { ':path': '/h2', ':authority': 'request.example.com' }, undefined, 5000);
        assert.equal(plain.status, 504);
        const grpc = await h2Request(session, { ':path': '/svc/M', ':method': 'POST', ':authority': 'request.example.com', 'content-type': 'application/grpc', te: 'trailers' }, Buffer.alloc(5), 5000);
        assert.equal(grpc.status, 200);
        assert.equal(grpc.headers['grpc-status'], '4');
        const cut = await new Promise<{ code: number | undefined; body: string }>((resolve, reject) => {
          const req = session.request({ ':path': '/', ':authority': 'halfway.example.com' });
          const timer = setTimeout(() => reject(new Error('no reset in 5 s')), 5000);
          let body = '';
          req.on('data', (d: Buffer) => (body += d.toString()));
          req.on('error', () => {});
          req.on('close', () => {
            clearTimeout(timer);
            resolve({ code: req.rstCode, body });
          });
        });
        assert.equal(cut.code, http2.constants.NGHTTP2_CANCEL, 'the stream is reset');
        assert.ok(cut.body.startsWith('part'), cut.body);
      } finally {
        session.destroy();
      }
    });
  });
}
