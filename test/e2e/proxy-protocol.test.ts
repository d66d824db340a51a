// PROXY protocol v1 and v2 through the real `sluice serve`: the header's source becomes the client
// (X-Forwarded-For, the access log) on the fast path, node:http, h2c, TLS (h1 and h2) and
// WebSockets; a connection without a valid header is closed; v2 LOCAL is accepted; a partial header
// is cut at the header timeout; hostile headers never take the gateway down.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import http2 from 'node:http2';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { get } from '../support/http.ts';
import { v1Header, v2Header } from '../support/proxy-header.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { type EchoReply, type Upstream, startUpstream } from '../support/upstream.ts';
import { makeCert, type TestCert, tlsSecret } from '../proxy/certs.ts';
import { rawExchange, splitAddress } from './raw-client.ts';
import { mulberry32 } from '../support/prng.ts';

const HOST = 'pp.example.com';

/** A TCP connection that has already written `header`. */
function connectWith(addr: string, header: Buffer): net.Socket {
  const { host, port } = splitAddress(addr);
  const s = net.connect(port, host);
  s.write(header);
  return s;
}

function h2Get(session: http2.ClientHttp2Session, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = session.request({ ':path': path, ':authority': HOST });
    let status = 0;
    let body = '';
    req.setTimeout(10_000, () => req.close(http2.constants.NGHTTP2_CANCEL));
    req.on('response', (h) => (status = Number(h[':status'])));
    req.on('data', (d) => (body += d));
    req.on('end', () => resolve({ status, body }));
    req.on('error', reject);
  });
}

const xffOf = (body: string): string | undefined => (JSON.parse(body) as EchoReply).headers['x-forwarded-for'] as string | undefined;

describe('PROXY protocol (sluice serve --proxy-protocol http,https)', () => {
  let cfg: ConfigDir;
  let certDir: string;
  let cert: TestCert;
  let up: Upstream;
  let wss: WebSocketServer;
  let sluice: SluiceProcess;

  before(async () => {
    certDir = await mkdtemp(join(tmpdir(), 'sluice-pp-'));
    cert = makeCert(certDir, 'pp', [HOST]);
    up = await startUpstream('web');
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    wss.on('connection', (ws, req) => ws.send(String(req.headers['x-forwarded-for'])));
    cfg = await ConfigDir.create();
    await cfg.write('config.yaml', [
      ...backend('web', [{ ip: '127.0.0.1', port: up.port }]),
      ...backend('ws', [{ ip: '127.0.0.1', port: (wss.address() as net.AddressInfo).port }]),
      tlsSecret('pp-cert', cert),
      ingress('pp', [{ hosts: [HOST], paths: [{ path: '/ws', splits: [{ service: 'ws' }] }, { splits: [{ service: 'web' }] }] }], { tls: [{ hosts: [HOST], secretName: 'pp-cert' }] }),
    ]);
    sluice = await startSluice(
      ['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--https', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--proxy-protocol', 'http,https', '--header-timeout', '2', '--access-log', '-'],
      ['http', 'https', 'local', 'admin'],
    );
  });

  after(async () => {
    await sluice?.stop();
    await up?.close();
    if (wss) await new Promise<void>((r) => { for (const c of wss.clients) c.terminate(); wss.close(() => r()); });
    await cfg?.cleanup();
    if (certDir) await rm(certDir, { recursive: true, force: true });
  });

  it('takes the v1 source as the client on the fast path: X-Forwarded-For and the access log', async () => {
    const r = await rawExchange(sluice.addresses.http!, [v1Header('203.0.113.7', 51000), `GET /fast HTTP/1.1\r\nHost: ${HOST}\r\nConnection: close\r\n\r\n`]);
    assert.match(r.text, /^HTTP\/1\.1 200 /);
    assert.equal(xffOf(r.text.slice(r.text.indexOf('\r\n\r\n') + 4)), '203.0.113.7');
    const line = await sluice.waitForLog((e) => e.path === '/fast' || e.url === '/fast' || String(e.target ?? '') === '/fast', 5000);
    assert.equal(line.client, '203.0.113.7');
  });

  it('takes the v2 source on node:http (HTTP/1.0 is handed to it), and keeps what the client sent after the header', async () => {
    const r = await rawExchange(sluice.addresses.http!, [Buffer.concat([v2Header('198.51.100.9', 40000), Buffer.from(`GET /node HTTP/1.0\r\nHost: ${HOST}\r\nX-Forwarded-For: 10.1.1.1\r\n\r\n`)])]);
    assert.match(r.text, /^HTTP\/1\.[01] 200 /);
    assert.equal(xffOf(r.text.slice(r.text.indexOf('\r\n\r\n') + 4)), '10.1.1.1, 198.51.100.9');
  });

  it('takes the source on h2c by prior knowledge', async () => {
    const session = http2.connect(`http://${sluice.addresses.http}`, { createConnection: () => connectWith(sluice.addresses.http!, v2Header('2001:db8::7', 9000)) });
    try {
      const r = await h2Get(session, '/h2c');
      assert.equal(r.status, 200);
      assert.equal(xffOf(r.body), '2001:db8::7');
    } finally {
      session.destroy();
    }
  });

  it('reads the header before the TLS ClientHello: HTTPS over HTTP/1.1 and h2', async () => {
    const { port } = splitAddress(sluice.addresses.https!);
    const text = await new Promise<string>((resolve, reject) => {
      const s = tls.connect({ socket: connectWith(sluice.addresses.https!, v1Header('192.0.2.44', 1234)), servername: HOST, ca: cert.cert, ALPNProtocols: ['http/1.1'] }, () => {
        s.end(`GET /tls HTTP/1.1\r\nHost: ${HOST}\r\nConnection: close\r\n\r\n`);
      });
      let got = '';
      s.setTimeout(10_000, () => s.destroy(new Error('timed out')));
      s.on('data', (d) => (got += d));
      s.on('close', () => resolve(got));
      s.on('error', reject);
    });
    assert.match(text, /^HTTP\/1\.1 200 /);
    assert.equal(xffOf(text.slice(text.indexOf('\r\n\r\n') + 4)), '192.0.2.44');

    const session = http2.connect(`https://${HOST}:${port}`, {
      createConnection: () => tls.connect({ socket: connectWith(sluice.addresses.https!, v2Header('192.0.2.45', 1234)), servername: HOST, ca: cert.cert, ALPNProtocols: ['h2'] }),
    });
    try {
      const r = await h2Get(session, '/tls-h2');
      assert.equal(r.status, 200);
      assert.equal(xffOf(r.body), '192.0.2.45');
    } finally {
      session.destroy();
    }
  });

  it('takes the source for WebSocket upgrades', async () => {
    const ws = new WebSocket(`ws://${sluice.addresses.http}/ws`, { headers: { host: HOST }, createConnection: () => connectWith(sluice.addresses.http!, v1Header('203.0.113.99', 4321)) } as ConstructorParameters<typeof WebSocket>[2]);
    try {
      const msg = await new Promise<string>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('no WebSocket message')), 10_000);
        ws.once('message', (d) => { clearTimeout(t); resolve(d.toString()); });
        ws.once('error', reject);
      });
      assert.equal(msg, '203.0.113.99');
    } finally {
      ws.terminate();
    }
  });

  it('accepts v2 LOCAL (a balancer health check): the peer stands as the client', async () => {
    const r = await rawExchange(sluice.addresses.http!, [v2Header('10.9.9.9', 1, { local: true }), `GET /local HTTP/1.1\r\nHost: ${HOST}\r\nConnection: close\r\n\r\n`]);
    assert.match(r.text, /^HTTP\/1\.1 200 /);
    assert.equal(xffOf(r.text.slice(r.text.indexOf('\r\n\r\n') + 4)), '127.0.0.1');
  });

  it('works with curl --haproxy-protocol, and closes curl without it', async () => {
    const url = `http://${sluice.addresses.http}/curl`;
    const run = promisify(execFile);
    const ok = await run('curl', ['-sS', '--max-time', '10', '--haproxy-protocol', '-H', `Host: ${HOST}`, url]);
    assert.equal(xffOf(ok.stdout), '127.0.0.1');
    await assert.rejects(run('curl', ['-sS', '--max-time', '10', '-H', `Host: ${HOST}`, url]), /Empty reply|reset|Recv failure/);
  });

  it('closes connections without a valid header, plain and TLS, without answering', async () => {
    for (const bytes of [`GET / HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`, 'PROXY TCP4 1.2.3.4 5.6.7.8 99999 80\r\nGET / HTTP/1.1\r\n\r\n', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n']) {
      const r = await rawExchange(sluice.addresses.http!, [bytes], { boundMs: 5000 });
      assert.ok(r.closed, JSON.stringify(bytes));
      assert.equal(r.text, '');
    }
    await assert.rejects(
      new Promise((resolve, reject) => {
        const { host, port } = splitAddress(sluice.addresses.https!);
        const s = tls.connect({ host, port, servername: HOST, rejectUnauthorized: false, timeout: 10_000 }, () => resolve(s));
        s.once('error', reject);
        s.once('timeout', () => reject(new Error('timeout')));
      }),
    );
  });

  it('closes a connection whose header is still incomplete at the header timeout', async () => {
    const r = await rawExchange(sluice.addresses.http!, ['PROXY TCP4 1.2.3.4 '], { boundMs: 8000 });
    assert.ok(r.closed);
    assert.ok(r.ms >= 1000 && r.ms < 6000, `closed after ${r.ms} ms`);
  });

  it('leaves listeners not named alone: --local takes requests without a header', async () => {
    const r = await get(sluice.addresses.local!, HOST, '/plain');
    assert.equal(r.status, 200);
  });

  it('survives hostile headers (fuzzed) and serves on', async () => {
    const next = mulberry32(7);
    const seeds = [v1Header('203.0.113.7', 51000), v2Header('198.51.100.9', 40000, { tlvs: Buffer.alloc(20, 3) })];
    await Promise.all(Array.from({ length: 40 }, async (_, i) => {
      const seed = Buffer.from(seeds[i % 2]!);
      for (let k = 1 + Math.floor(next() * 3); k > 0; k--) seed[Math.floor(next() * seed.length)] = Math.floor(next() * 256);
      await rawExchange(sluice.addresses.http!, [seed, `GET / HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`], { boundMs: 3000, until: (t) => t.includes('\r\n\r\n') });
    }));
    const r = await rawExchange(sluice.addresses.http!, [v1Header('203.0.113.8', 1), `GET /after HTTP/1.1\r\nHost: ${HOST}\r\nConnection: close\r\n\r\n`]);
    assert.match(r.text, /^HTTP\/1\.1 200 /);
  });
});
