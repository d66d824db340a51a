// Request mirrors (Gateway API RequestMirror) on every front end: the mirror cluster receives a
// copy of the request as sent upstream (rewritten target, edited headers, Host with `-shadow`, the
// body as it streams), its answer is discarded, and it never delays or fails the main exchange.
// Served from hand-built snapshots on a Gateway API port (gateway-ports-helpers.ts).
import assert from 'node:assert/strict';
import type http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { MIRROR_BODY_LIMIT, mirrored, shadowHost } from '../../src/proxy/mirror.ts';
import type { RouteFilter, VirtualHost } from '../../src/snapshot/types.ts';
import { eventually, get } from '../support/http.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';
import { cluster, freePort, port, portName, startPorts, type PortsUnderTest, vhost } from './gateway-ports-helpers.ts';
import { connectH2, h2Request } from './h2-helpers.ts';

describe('mirror helpers', () => {
  it('puts -shadow after the host name, before any port, as Envoy does', () => {
    assert.equal(shadowHost('app.example.com'), 'app.example.com-shadow');
    assert.equal(shadowHost('app.example.com:8080'), 'app.example.com-shadow:8080');
    assert.equal(shadowHost('[::1]:80'), '[::1]-shadow:80');
    assert.equal(shadowHost('::1'), '::1-shadow');
  });

  it('takes percent of requests', () => {
    assert.equal(mirrored(0, 0), false);
    assert.equal(mirrored(100, 0.999), true);
    assert.equal(mirrored(50, 0.49), true);
    assert.equal(mirrored(50, 0.5), false);
  });
});

/** A route on `host` to `app` rewriting the path and setting a header, with these mirrors. */
function mirroredHost(p: number, host: string, mirrors: RouteFilter[]): VirtualHost {
  const base = vhost(portName(p), host, 'default/app:80');
  const filters: RouteFilter[] = [
    { type: 'url-rewrite', path: { type: 'full', value: '/rewritten' } },
    { type: 'request-headers', edits: { set: [['x-edit', 'yes']], add: [], remove: [] } },
    ...mirrors,
  ];
  return { ...base, routes: base.routes.map((r) => ({ ...r, filters })) };
}

const mirrorTo = (c: string, percent = 100): RouteFilter => ({ type: 'mirror', cluster: c, percent });

async function metric(t: PortsUnderTest, cluster: string, outcome: string): Promise<number> {
  const m = await t.metrics.mirrors.get();
  return m.values.find((v) => v.labels.cluster === cluster && v.labels.outcome === outcome)?.value ?? 0;
}

/** A chunked POST on a raw socket (curl and undici send Content-Length for known bodies). */
function chunkedPost(p: number, host: string, parts: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(p, '127.0.0.1');
    const timer = setTimeout(() => s.destroy(new Error('no answer in 10 s')), 10_000);
    let got = '';
    s.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      if (/\r\n\r\n[\s\S]*\}$/.test(got)) {
        clearTimeout(timer);
        s.destroy();
        resolve(got);
      }
    });
    s.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    s.write(`POST /up HTTP/1.1\r\nHost: ${host}\r\nTransfer-Encoding: chunked\r\n\r\n`);
    for (const part of parts) s.write(`${Buffer.byteLength(part).toString(16)};ext=1\r\n${part}\r\n`);
    s.write('0\r\n\r\n');
  });
}

for (const fastPath of [true, false]) {
  describe(`mirrors (${fastPath ? 'fast path' : 'node:http'} and HTTP/2)`, () => {
    let app: Upstream;
    let shadow: Upstream;
    let hung: Upstream;
    let deaf: Upstream;
    const held: http.ServerResponse[] = [];
    let t: PortsUnderTest;
    let p: number;
    const addr = (): string => `127.0.0.1:${p}`;

    before(async () => {
      app = await startUpstream('app');
      shadow = await startUpstream('shadow');
      // Takes the request and never answers.
      hung = await startUpstream('hung', (_req, res) => held.push(res));
      // Never reads a request body.
      deaf = await startUpstream('deaf', (req, res) => {
        req.pause();
        held.push(res);
      });
      t = startPorts({ fastPath });
      p = await freePort();
      await t.publish({
        clusters: [
          cluster('default/app:80', app.port),
          cluster('default/shadow:80', shadow.port),
          cluster('default/hung:80', hung.port),
          cluster('default/deaf:80', deaf.port),
          { name: 'default/empty:80', protocol: 'http1', type: 'static', endpoints: [] },
        ],
        ports: [
          port(p, 'HTTP', [
            mirroredHost(p, 'copy.example.com', [mirrorTo('default/shadow:80')]),
            mirroredHost(p, 'never.example.com', [mirrorTo('default/shadow:80', 0)]),
            mirroredHost(p, 'hung.example.com', [mirrorTo('default/hung:80'), mirrorTo('default/empty:80')]),
            mirroredHost(p, 'deaf.example.com', [mirrorTo('default/deaf:80')]),
          ]),
        ],
      });
    });

    after(async () => {
      for (const res of held) res.destroy();
      await t.stop();
      await Promise.all([app.close(), shadow.close(), hung.close(), deaf.close()]);
    });

    const shadowSaw = async (n: number): Promise<void> => {
      assert.ok(await eventually(() => shadow.requests.length >= n), `the mirror got ${shadow.requests.length} of ${n} copies`);
    };

    it('copies a GET as sent upstream: rewritten path, edited headers, Host with -shadow', async () => {
      shadow.requests.length = 0;
      const r = await get(addr(), 'copy.example.com', '/orig', { 'x-client': 'c' });
      assert.equal(r.status, 200, r.body);
      assert.equal(r.headers['x-upstream'], 'app');
      await shadowSaw(1);
      const copy = shadow.requests[0]!;
      assert.equal(copy.method, 'GET');
      assert.equal(copy.url, '/rewritten');
      assert.equal(copy.headers.host, 'copy.example.com-shadow');
      assert.equal(copy.headers['x-edit'], 'yes');
      assert.equal(copy.headers['x-client'], 'c');
      assert.equal(await metric(t, 'default/shadow:80', 'sent'), 1);
    });

    it('copies a Content-Length body as it streams', async () => {
      shadow.requests.length = 0;
      const body = Buffer.alloc(200_000, 'x');
      const r = await get(addr(), 'copy.example.com', '/up', {}, { method: 'POST', body });
      assert.equal(r.status, 200, r.body);
      assert.equal((JSON.parse(r.body) as { bodyBytes: number }).bodyBytes, body.length);
      await shadowSaw(1);
      assert.equal(shadow.requests[0]!.method, 'POST');
      assert.equal(shadow.requests[0]!.bodyBytes, body.length);
    });

    it('copies a chunked body, re-framed', async () => {
      shadow.requests.length = 0;
      const answer = await chunkedPost(p, 'copy.example.com', ['hello ', 'mirror']);
      assert.match(answer, /^HTTP\/1\.1 200/);
      assert.match(answer, /"bodyBytes":12/);
      await shadowSaw(1);
      assert.equal(shadow.requests[0]!.bodyBytes, 12);
    });

    it('copies HTTP/2 requests, with and without a body', async () => {
      shadow.requests.length = 0;
      const session = connectH2(addr());
      try {
        const a = await h2Request(session, { ':path': '/h2', ':authority': 'copy.example.com' });
        assert.equal(a.status, 200, a.body);
        const b = await h2Request(session, { ':path': '/h2', ':method': 'POST', ':authority': 'copy.example.com' }, Buffer.alloc(5000, 'y'));
        assert.equal(b.status, 200, b.body);
      } finally {
        session.destroy();
      }
      await shadowSaw(2);
      const byMethod = new Map(shadow.requests.map((r) => [r.method, r]));
      assert.equal(byMethod.get('GET')?.url, '/rewritten');
      assert.equal(byMethod.get('POST')?.bodyBytes, 5000);
    });

    it('sends nothing at 0 percent', async () => {
      shadow.requests.length = 0;
      for (let i = 0; i < 5; i++) assert.equal((await get(addr(), 'never.example.com', '/')).status, 200);
      // The copy would have been sent before the main request's answer.
      assert.equal(shadow.requests.length, 0);
    });

    it('never delays the main exchange: a mirror that never answers, or has no endpoints', async () => {
      for (let i = 0; i < 3; i++) {
        const r = await get(addr(), 'hung.example.com', '/', {}, { timeoutMs: 3000 });
        assert.equal(r.status, 200, r.body);
      }
      assert.ok(await eventually(() => held.length >= 3), 'the hung mirror got its copies');
      assert.equal(await metric(t, 'default/empty:80', 'no_endpoints'), 3);
    });

    it('drops the copy when the client abandons its body, and keeps serving', async () => {
      const before = await metric(t, 'default/shadow:80', 'dropped');
      const s = net.connect(p, '127.0.0.1');
      s.on('error', () => {});
      await new Promise<void>((r) => s.once('connect', () => r()));
      s.write('POST /up HTTP/1.1\r\nHost: copy.example.com\r\nContent-Length: 100000\r\n\r\n');
      s.write('x'.repeat(1000));
      // The exchange (and so its copy) must be under way before the client leaves.
      assert.ok(await eventually(() => t.dp.inflight > 0), 'the request was forwarded');
      s.destroy();
      assert.ok(await eventually(async () => (await metric(t, 'default/shadow:80', 'dropped')) > before), 'the copy was dropped');
      assert.equal((await get(addr(), 'copy.example.com', '/after')).status, 200);
    });

    it(`drops the copy of a body the mirror does not take (over ${MIRROR_BODY_LIMIT} bytes held), and the main upload completes`, async () => {
      const body = Buffer.alloc(24 * MIRROR_BODY_LIMIT, 'z');
      const r = await get(addr(), 'deaf.example.com', '/up', {}, { method: 'POST', body, timeoutMs: 20_000 });
      assert.equal(r.status, 200, r.body);
      assert.equal((JSON.parse(r.body) as { bodyBytes: number }).bodyBytes, body.length);
      assert.ok(await eventually(async () => (await metric(t, 'default/deaf:80', 'dropped')) === 1), 'the copy was dropped');
    });
  });
}
