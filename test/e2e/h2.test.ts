// HTTP/2 through the real `sluice serve` process: h2c prior knowledge on --http and --local,
// h2c upstreams chosen by Service port name or appProtocol, and every client/upstream mix.
import assert from 'node:assert/strict';
import http from 'node:http';
import type http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { eventually, get } from '../support/http.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { connectH2, type H2Echo, type H2Upstream, h2Request, startH2Upstream } from '../proxy/h2-helpers.ts';

interface H1Echo { name: string; httpVersion: string; headers: http.IncomingHttpHeaders; bodyBytes: number; url: string }

async function startH1(name: string): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    let bytes = 0;
    req.on('data', (d: Buffer) => (bytes += d.length));
    req.on('end', () => {
      const body = JSON.stringify({ name, httpVersion: req.httpVersion, headers: req.headers, bodyBytes: bytes, url: req.url ?? "" } satisfies H1Echo);
      res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': name, connection: 'keep-alive' });
      res.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

describe('HTTP/2 (sluice serve)', () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let h1: Awaited<ReturnType<typeof startH1>>;
  const h2: Record<string, H2Upstream> = {};
  const sessions: http2.ClientHttp2Session[] = [];
  const session = (addr: string): http2.ClientHttp2Session => {
    const s = connectH2(addr);
    sessions.push(s);
    return s;
  };

  before(async () => {
    h1 = await startH1('h1');
    for (const n of ['named-h2c', 'named-grpc', 'named-http2', 'app-proto']) h2[n] = await startH2Upstream(n);
    cfg = await ConfigDir.create();
    await cfg.write('backends.yaml', [
      ...backend('h1', [{ ip: '127.0.0.1', port: h1.port }]),
      ...backend('named-h2c', [{ ip: '127.0.0.1', port: h2['named-h2c']!.port }], { portName: 'h2c' }),
      ...backend('named-grpc', [{ ip: '127.0.0.1', port: h2['named-grpc']!.port }], { portName: 'grpc' }),
      ...backend('named-http2', [{ ip: '127.0.0.1', port: h2['named-http2']!.port }], { portName: 'http2' }),
      ...backend('app-proto', [{ ip: '127.0.0.1', port: h2['app-proto']!.port }], { portName: 'web', appProtocol: 'kubernetes.io/h2c' }),
    ]);
    await cfg.write('ingress.yaml', [
      ingress('mix', [
        {
          hosts: ['mix.example.com'],
          paths: [
            { path: '/h1', splits: [{ service: 'h1' }] },
            { path: '/h2c', splits: [{ service: 'named-h2c', appendHeaders: { 'X-Split': 'h2c' } }] },
            { path: '/grpc', splits: [{ service: 'named-grpc' }] },
            { path: '/http2', splits: [{ service: 'named-http2' }] },
            { path: '/app', splits: [{ service: 'app-proto' }] },
          ],
        },
      ]),
      ingress('private', [{ hosts: ['private.default.svc.cluster.local'], visibility: 'ClusterLocal', paths: [{ splits: [{ service: 'named-h2c' }] }] }]),
    ]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--https', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
  });

  after(async () => {
    for (const s of sessions) s.destroy();
    await sluice?.stop();
    await h1?.close();
    await Promise.all(Object.values(h2).map((u) => u.close()));
    await cfg?.cleanup();
  });

  it('serves an HTTP/2 (prior knowledge) client from an HTTP/1.1 upstream', async () => {
    const s = session(sluice.addresses.http!);
    const r = await h2Request(s, { ':path': '/h1/x?q=1', ':authority': 'mix.example.com' });
    assert.equal(r.status, 200);
    const echo = JSON.parse(r.body) as H1Echo;
    assert.equal(echo.name, 'h1');
    assert.equal(echo.httpVersion, '1.1');
    assert.equal(echo.url, '/h1/x?q=1');
    assert.equal(echo.headers.host, 'mix.example.com');
    assert.equal(echo.headers['x-forwarded-proto'], 'http');
    assert.equal(echo.headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(r.headers['x-upstream'], 'h1');
    assert.equal(r.headers.connection, undefined);
  });

  it('reaches h2c upstreams by port name (h2c, grpc, http2) and appProtocol kubernetes.io/h2c', async () => {
    const s = session(sluice.addresses.http!);
    for (const [path, name] of [['/h2c', 'named-h2c'], ['/grpc', 'named-grpc'], ['/http2', 'named-http2'], ['/app', 'app-proto']] as const) {
      const r = await h2Request(s, { ':path': path, ':authority': 'mix.example.com', te: 'trailers' });
      assert.equal(r.status, 200, path);
      const echo = JSON.parse(r.body) as H2Echo;
      assert.equal(echo.name, name);
      assert.equal(echo.headers[':authority'], 'mix.example.com');
      assert.equal(echo.headers.te, 'trailers');
      assert.equal(r.trailers?.['x-trailer'], name, 'trailers pass through');
    }
    const split = JSON.parse((await h2Request(s, { ':path': '/h2c', ':authority': 'mix.example.com', 'x-split': 'forged' })).body) as H2Echo;
    assert.equal(split.headers['x-split'], 'h2c');
  });

  it('carries an HTTP/1.1 client to an h2c upstream, and request bodies both ways', async () => {
    const r = await get(sluice.addresses.http!, 'mix.example.com', '/h2c/up', {}, { method: 'POST', body: Buffer.alloc(300_000, 1) });
    assert.equal(r.status, 200);
    const echo = JSON.parse(r.body) as H2Echo;
    assert.equal(echo.name, 'named-h2c');
    assert.equal(echo.method, 'POST');
    assert.equal(echo.bodyBytes, 300_000);
    assert.equal(echo.headers[':authority'], 'mix.example.com');
    assert.equal(echo.headers['x-forwarded-for'], '127.0.0.1');
    // h2 client -> h1 upstream with a body
    const s = session(sluice.addresses.http!);
    const r2 = await h2Request(s, { ':path': '/h1', ':method': 'POST', ':authority': 'mix.example.com' }, Buffer.alloc(200_000, 2));
    assert.equal(r2.status, 200, JSON.stringify(r2));
    assert.equal((JSON.parse(r2.body) as H1Echo).bodyBytes, 200_000);
  });

  it('speaks h2c on --local (ClusterLocal hosts) and answers 404 over HTTP/2', async () => {
    const s = session(sluice.addresses.local!);
    const r = await h2Request(s, { ':path': '/', ':authority': 'private.default.svc' });
    assert.equal(r.status, 200);
    assert.equal((JSON.parse(r.body) as H2Echo).name, 'named-h2c');
    const ext = session(sluice.addresses.http!);
    assert.equal((await h2Request(ext, { ':path': '/', ':authority': 'private.default.svc' })).status, 404);
    assert.equal((await h2Request(ext, { ':path': '/nothing', ':authority': 'mix.example.com' })).status, 404);
  });

  it('multiplexes many requests on one upstream session and reconnects after GOAWAY', async () => {
    const up = h2['named-http2']!;
    const s = session(sluice.addresses.http!);
    const before = up.sessions;
    const rs = await Promise.all(Array.from({ length: 50 }, () => h2Request(s, { ':path': '/http2', ':authority': 'mix.example.com' })));
    assert.ok(rs.every((r) => r.status === 200));
    assert.ok(up.sessions - before <= 1, `upstream sessions opened: ${up.sessions - before}`);
    up.goawayAll();
    assert.ok(await eventually(async () => (await h2Request(s, { ':path': '/http2', ':authority': 'mix.example.com' })).status === 200, 5000));
    const r = await h2Request(s, { ':path': '/http2', ':authority': 'mix.example.com' });
    assert.equal(r.status, 200);
    assert.ok(up.sessions > before, 'a new upstream session after GOAWAY');
  });
});

describe('HTTP/2 limits (sluice serve)', () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let up: H2Upstream;

  before(async () => {
    up = await startH2Upstream('limits');
    cfg = await ConfigDir.create();
    await cfg.write('all.yaml', [...backend('up', [{ ip: '127.0.0.1', port: up.port }], { portName: 'h2c' }), ingress('limits', [{ hosts: ['limits.example.com'], paths: [{ splits: [{ service: 'up' }] }] }])]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--https', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--idle-timeout', '1', '--max-header-size', '8192']);
  });

  after(async () => {
    await sluice?.stop();
    await up?.close();
    await cfg?.cleanup();
  });

  it('refuses a header list over --max-header-size or the header count, without reaching the upstream', async () => {
    const s = connectH2(sluice.addresses.http!);
    try {
      const ok = await h2Request(s, { ':path': '/', ':authority': 'limits.example.com' });
      assert.equal(ok.status, 200);
      const sessionsBefore = up.sessions;
      // Refused either way: node:http2 resets the stream, the own core answers 431.
      const big = await h2Request(s, { ':path': '/big', ':authority': 'limits.example.com', 'x-big': 'x'.repeat(10_000) }).catch((err: Error) => err);
      if (big instanceof Error) assert.doesNotMatch(big.message, /timed out/);
      else assert.equal(big.status, 431);
      const many: http2.OutgoingHttpHeaders = { ':path': '/many', ':authority': 'limits.example.com' };
      for (let i = 0; i < 300; i++) many[`x-h${i}`] = 'v';
      const s2 = connectH2(sluice.addresses.http!);
      try {
        const r = await h2Request(s2, many).catch((err: Error) => err);
        assert.ok(r instanceof Error || r.status >= 400, `a 300-header request was answered ${r instanceof Error ? r.message : r.status}`);
      } finally {
        s2.destroy();
      }
      assert.equal(up.sessions, sessionsBefore);
    } finally {
      s.destroy();
    }
  });

  it('closes an idle HTTP/2 session after --idle-timeout', async () => {
    const s = connectH2(sluice.addresses.http!);
    try {
      assert.equal((await h2Request(s, { ':path': '/', ':authority': 'limits.example.com' })).status, 200);
      const started = Date.now();
      const closed = await new Promise<boolean>((resolve) => {
        const t = setTimeout(() => resolve(false), 10_000);
        const done = () => { clearTimeout(t); resolve(true); };
        s.once('goaway', done);
        s.once('close', done);
      });
      assert.ok(closed, 'the gateway closed the idle session');
      assert.ok(Date.now() - started >= 800, 'not before the idle timeout');
    } finally {
      s.destroy();
    }
  });
});
