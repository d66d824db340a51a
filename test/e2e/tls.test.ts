// TLS on --https through the real `sluice serve` process: certificates by SNI from
// kubernetes.io/tls Secrets, ALPN h2 and http/1.1, wildcard names, hot rotation, bad Secrets in
// /status, TLS 1.2 minimum, --default-cert, and WebSockets and gRPC over TLS.
import * as grpc from '@grpc/grpc-js';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import https from 'node:https';
import http2 from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { eventually, get, getJson } from '../support/http.ts';
import { runSluice, type SluiceProcess, startSluice } from '../support/sluice.ts';
import { type EchoReply, type Upstream, startUpstream } from '../support/upstream.ts';
import { makeCert, type TestCert, tlsSecret } from '../proxy/certs.ts';
import { type EchoBackend, echoClient, startGrpcEcho, unary } from '../proxy/grpc-echo-service.ts';

interface Handshake { cn: string; fingerprint: string; alpn: string | false | null; protocol: string | null }

function handshake(addr: string, servername: string | undefined, opts: tls.ConnectionOptions = {}): Promise<Handshake> {
  const [host, port] = [addr.slice(0, addr.lastIndexOf(':')), Number(addr.slice(addr.lastIndexOf(':') + 1))];
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host, port, servername, rejectUnauthorized: false, ALPNProtocols: ['h2', 'http/1.1'], timeout: 10_000, ...opts }, () => {
      const peer = s.getPeerCertificate();
      resolve({ cn: String(peer.subject?.CN), fingerprint: peer.fingerprint256, alpn: s.alpnProtocol, protocol: s.getProtocol() });
      s.destroy();
    });
    s.once('error', reject);
    s.once('timeout', () => { s.destroy(); reject(new Error('handshake timed out')); });
  });
}

function httpsGet(addr: string, servername: string, ca: string, path = '/'): Promise<{ status: number; body: string }> {
  const [host, port] = [addr.slice(0, addr.lastIndexOf(':')), Number(addr.slice(addr.lastIndexOf(':') + 1))];
  return new Promise((resolve, reject) => {
    const req = https.get({ host, port, path, servername, ca, headers: { host: servername }, agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('https request timed out')));
  });
}

describe('TLS (sluice serve --https)', () => {
  let certDir: string;
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let up: Upstream;
  let grpcBe: EchoBackend;
  let wss: WebSocketServer;
  const certs: Record<string, TestCert> = {};

  before(async () => {
    certDir = await mkdtemp(join(tmpdir(), 'sluice-certs-'));
    certs.secure = makeCert(certDir, 'secure', ['secure.example.com']);
    certs.rotated = makeCert(certDir, 'rotated', ['secure.example.com']);
    certs.wild = makeCert(certDir, 'wild', ['*.wild.example.com']);
    certs.other = makeCert(certDir, 'other', ['other.example.com']);
    certs.fallback = makeCert(certDir, 'fallback', ['fallback.invalid']);
    up = await startUpstream('web');
    grpcBe = await startGrpcEcho('grpc');
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    wss.on('connection', (ws) => ws.on('message', (d) => ws.send(`wss:${d.toString()}`)));
    cfg = await ConfigDir.create();
    await cfg.write('backends.yaml', [
      ...backend('web', [{ ip: '127.0.0.1', port: up.port }]),
      ...backend('grpc', [{ ip: '127.0.0.1', port: grpcBe.port }], { portName: 'grpc' }),
      ...backend('ws', [{ ip: '127.0.0.1', port: (wss.address() as { port: number }).port }]),
    ]);
    await cfg.write('secrets.yaml', [
      tlsSecret('secure-cert', certs.secure),
      tlsSecret('wild-cert', certs.wild),
      // a certificate with another certificate's key
      tlsSecret('broken-cert', { cert: certs.other.cert, key: certs.secure.key }),
    ]);
    await cfg.write('ingress.yaml', [
      ingress('secure', [{ hosts: ['secure.example.com'], paths: [{ path: '/ws', splits: [{ service: 'ws' }] }, { path: '/sluice.test.Echo', splits: [{ service: 'grpc' }] }, { splits: [{ service: 'web' }] }] }], {
        tls: [{ hosts: ['secure.example.com'], secretName: 'secure-cert', secretNamespace: 'default' }],
      }),
      ingress('wild', [{ hosts: ['a.wild.example.com'], paths: [{ splits: [{ service: 'web' }] }] }], { tls: [{ hosts: ['*.wild.example.com'], secretName: 'wild-cert' }] }),
      ingress('broken', [{ hosts: ['broken.example.com'], paths: [{ splits: [{ service: 'web' }] }] }], { tls: [{ hosts: ['broken.example.com'], secretName: 'broken-cert' }] }),
      ingress('missing', [{ hosts: ['missing.example.com'], paths: [{ splits: [{ service: 'web' }] }] }], { tls: [{ hosts: ['missing.example.com'], secretName: 'nope' }] }),
    ]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--https', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0'], ['http', 'https', 'local', 'admin']);
  });

  after(async () => {
    await sluice?.stop();
    await up?.close();
    await grpcBe?.close();
    if (wss) await new Promise<void>((r) => { for (const c of wss.clients) c.terminate(); wss.close(() => r()); });
    await cfg?.cleanup();
    if (certDir) await rm(certDir, { recursive: true, force: true });
  });

  it('picks the certificate by SNI and offers h2 and http/1.1 by ALPN', async () => {
    const h = await handshake(sluice.addresses.https!, 'secure.example.com', { rejectUnauthorized: true, ca: certs.secure!.cert });
    assert.equal(h.cn, 'secure.example.com');
    assert.equal(h.alpn, 'h2');
    const h1only = await handshake(sluice.addresses.https!, 'secure.example.com', { ALPNProtocols: ['http/1.1'] });
    assert.equal(h1only.alpn, 'http/1.1');

    const r = await httpsGet(sluice.addresses.https!, 'secure.example.com', certs.secure!.cert, '/x');
    assert.equal(r.status, 200);
    const echo = JSON.parse(r.body) as EchoReply;
    assert.equal(echo.headers['x-forwarded-proto'], 'https');
    assert.equal(echo.url, '/x');

    const session = http2.connect(`https://${sluice.addresses.https}`, { ca: certs.secure!.cert, servername: 'secure.example.com' });
    try {
      const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = session.request({ ':path': '/h2', ':authority': 'secure.example.com' });
        let status = 0;
        let body = '';
        req.on('response', (hd) => (status = Number(hd[':status'])));
        req.on('data', (d) => (body += d));
        req.on('end', () => resolve({ status, body }));
        req.on('error', reject);
      });
      assert.equal(res.status, 200);
      assert.equal((JSON.parse(res.body) as EchoReply).headers['x-forwarded-proto'], 'https');
    } finally {
      session.destroy();
    }
  });

  it('serves a wildcard certificate for names under it', async () => {
    const h = await handshake(sluice.addresses.https!, 'a.wild.example.com', { rejectUnauthorized: true, ca: certs.wild!.cert });
    assert.equal(h.cn, '*.wild.example.com');
  });

  it('fails the handshake for an unknown name (no --default-cert) and below TLS 1.2', async () => {
    await assert.rejects(handshake(sluice.addresses.https!, 'unknown.example.com'));
    await assert.rejects(handshake(sluice.addresses.https!, undefined));
    // The client allows TLS 1.1 (and its old signatures); the server must refuse it.
    await assert.rejects(handshake(sluice.addresses.https!, 'secure.example.com', { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }), /version|protocol/i);
    const ok = await handshake(sluice.addresses.https!, 'secure.example.com', { maxVersion: 'TLSv1.2' });
    assert.equal(ok.protocol, 'TLSv1.2');
  });

  it('reports invalid and missing Secrets in /status without breaking other hosts', async () => {
    const status = await getJson<{ ingresses: Array<{ name: string; conditions: Array<{ type: string; status: string; reason?: string; message?: string }> }> }>(sluice.addresses.admin!, 'admin', '/status');
    const reasons = (name: string) => status.json.ingresses.find((i) => i.name === name)!.conditions.map((c) => `${c.type}=${c.status}:${c.reason ?? ''}`);
    assert.ok(reasons('broken').some((r) => r.includes('InvalidSecret')), reasons('broken').join(' '));
    assert.ok(reasons('missing').some((r) => r.includes('SecretNotFound')), reasons('missing').join(' '));
    assert.ok(reasons('secure').every((r) => r.includes('=True')), reasons('secure').join(' '));
    // No certificate for the broken host, but its plain-HTTP routes and every other host still work.
    await assert.rejects(handshake(sluice.addresses.https!, 'broken.example.com'));
    assert.equal((await get(sluice.addresses.http!, 'broken.example.com')).status, 200);
    assert.equal((await httpsGet(sluice.addresses.https!, 'secure.example.com', certs.secure!.cert)).status, 200);
  });

  it('carries WebSockets (wss) and gRPC over TLS', async () => {
    const ws = new WebSocket(`wss://${sluice.addresses.https}/ws`, { headers: { host: 'secure.example.com' }, servername: 'secure.example.com', ca: certs.secure!.cert, handshakeTimeout: 10_000 } as WebSocket.ClientOptions);
    try {
      await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
      const reply = await new Promise<string>((resolve) => { ws.once('message', (d) => resolve(d.toString())); ws.send('hi'); });
      assert.equal(reply, 'wss:hi');
    } finally {
      ws.terminate();
    }
    const client = echoClient(sluice.addresses.https!, 'secure.example.com', grpc.credentials.createSsl(Buffer.from(certs.secure!.cert)), { 'grpc.ssl_target_name_override': 'secure.example.com' });
    try {
      const r = await unary(client, { text: 'over tls' });
      assert.equal(r.reply.backend, 'grpc');
      assert.equal(r.reply.text, 'over tls');
    } finally {
      client.close();
    }
  });

  it('serves a rotated certificate on new connections without a restart', async () => {
    const before = await handshake(sluice.addresses.https!, 'secure.example.com');
    const session = http2.connect(`https://${sluice.addresses.https}`, { ca: certs.secure!.cert, servername: 'secure.example.com' });
    session.on('error', () => {});
    try {
      await new Promise((resolve, reject) => { session.once('connect', resolve); session.once('error', reject); });
      await cfg.write('secrets.yaml', [tlsSecret('secure-cert', certs.rotated!), tlsSecret('wild-cert', certs.wild!), tlsSecret('broken-cert', { cert: certs.other!.cert, key: certs.secure!.key })]);
      let after = before;
      assert.ok(await eventually(async () => (after = await handshake(sluice.addresses.https!, 'secure.example.com')).fingerprint !== before.fingerprint, 10_000), 'new certificate served');
      const check = await handshake(sluice.addresses.https!, 'secure.example.com', { rejectUnauthorized: true, ca: certs.rotated!.cert });
      assert.equal(check.fingerprint, after.fingerprint);
      // The connection made before the rotation keeps working.
      const status = await new Promise<number>((resolve, reject) => {
        const req = session.request({ ':path': '/', ':authority': 'secure.example.com' });
        let s = 0;
        req.on('response', (h) => (s = Number(h[':status'])));
        req.on('end', () => resolve(s));
        req.on('error', reject);
        req.resume();
      });
      assert.equal(status, 200);
    } finally {
      session.destroy();
    }
  });

  it('--default-cert serves unknown names (files or a Secret-style directory) and rejects unusable files', async () => {
    const gw = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--https', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--default-cert', `${certs.fallback!.certFile},${certs.fallback!.keyFile}`], ['https']);
    try {
      assert.equal((await handshake(gw.addresses.https!, 'unknown.example.com')).cn, 'fallback.invalid');
      assert.equal((await handshake(gw.addresses.https!, undefined)).cn, 'fallback.invalid');
      assert.ok(await eventually(async () => (await handshake(gw.addresses.https!, 'a.wild.example.com')).cn === '*.wild.example.com'));
    } finally {
      await gw.stop();
    }
    // The directory form: tls.crt and tls.key, as a mounted kubernetes.io/tls Secret.
    const dir = join(certDir, 'mounted');
    await mkdir(dir);
    await copyFile(certs.fallback!.certFile, join(dir, 'tls.crt'));
    await copyFile(certs.fallback!.keyFile, join(dir, 'tls.key'));
    const gw2 = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--https', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--default-cert', dir], ['https']);
    try {
      assert.equal((await handshake(gw2.addresses.https!, 'unknown.example.com')).cn, 'fallback.invalid');
    } finally {
      await gw2.stop();
    }
    const bad = await runSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--https', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--default-cert', `${certs.other!.certFile},${certs.secure!.keyFile}`]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^sluice: --default-cert: .*not a usable certificate and key/);
    assert.doesNotMatch(bad.stderr, /\n\s+at /, 'no stack trace');
  });
});
