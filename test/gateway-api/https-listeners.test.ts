// Whole process: HTTPS Gateway listeners sharing one port. A request whose Host selects another
// listener than its SNI did gets 421 Misdirected Request (over HTTP/1.1 and HTTP/2); a Host of
// the SNI's own listener is served. When two Gateways' listeners claim one port and hostname, the
// Gateway created last serves the handshake.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import http2 from 'node:http2';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend } from '../support/config.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';
import { freePort } from '../proxy/gateway-ports-helpers.ts';
import { makeCert, tlsSecret } from '../proxy/certs.ts';

const V1 = 'gateway.networking.k8s.io/v1';
const gatewayClass = { apiVersion: V1, kind: 'GatewayClass', metadata: { name: 'sluice' }, spec: { controllerName: 'sluice.dev/gateway-controller' } };
const httpsListener = (name: string, hostname: string, secret: string) => ({ name, port: 443, protocol: 'HTTPS', hostname, tls: { certificateRefs: [{ name: secret }] } });
const gatewayOf = (name: string, created: string, listeners: object[]) => ({
  apiVersion: V1,
  kind: 'Gateway',
  metadata: { name, namespace: 'default', creationTimestamp: created },
  spec: { gatewayClassName: 'sluice', listeners },
});
const route = (name: string, gateway: string, section: string, service: string) => ({
  apiVersion: V1,
  kind: 'HTTPRoute',
  metadata: { name, namespace: 'default' },
  spec: { parentRefs: [{ name: gateway, sectionName: section }], rules: [{ backendRefs: [{ name: service, port: 80 }] }] },
});

function h1(port: number, servername: string, host: string): Promise<{ status: number; upstream: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port, servername, headers: { host }, rejectUnauthorized: false, agent: false, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, upstream: res.headers['x-upstream'] as string | undefined }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('request timed out')));
  });
}

async function h2(port: number, servername: string, authority: string): Promise<number> {
  const session = http2.connect(`https://127.0.0.1:${port}`, { servername, rejectUnauthorized: false });
  try {
    return await new Promise<number>((resolve, reject) => {
      session.once('error', reject);
      const stream = session.request({ ':authority': authority, ':path': '/' });
      stream.setTimeout(10_000, () => stream.destroy(new Error('h2 request timed out')));
      stream.once('response', (headers) => resolve(Number(headers[':status'])));
      stream.once('error', reject);
      stream.resume();
    });
  } finally {
    session.destroy();
  }
}

function peerCn(port: number, servername: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false, timeout: 10_000 }, () => {
      resolve(String(s.getPeerCertificate().subject?.CN));
      s.destroy();
    });
    s.once('error', reject);
    s.once('timeout', () => s.destroy(new Error('handshake timed out')));
  });
}

describe('HTTPS Gateway listeners on one port', () => {
  let certDir: string;
  let cfg: ConfigDir;
  let a: Upstream;
  let b: Upstream;
  let sluice: SluiceProcess;
  let bound: number;

  before(async () => {
    certDir = await mkdtemp(join(tmpdir(), 'sluice-gw-https-'));
    const wild = makeCert(certDir, 'wild', ['wild.example.com', '*.example.com']);
    const older = makeCert(certDir, 'older', ['older-shared.example.com', 'shared.example.com']);
    const newer = makeCert(certDir, 'newer', ['newer-shared.example.com', 'shared.example.com']);
    [a, b] = await Promise.all([startUpstream('a'), startUpstream('b')]);
    bound = await freePort();
    cfg = await ConfigDir.create();
    await cfg.write('backends.yaml', [...backend('a', [{ ip: '127.0.0.1', port: a.port }]), ...backend('b', [{ ip: '127.0.0.1', port: b.port }])]);
    await cfg.write('gateway.yaml', [
      gatewayClass,
      tlsSecret('wild', wild),
      tlsSecret('older', older),
      tlsSecret('newer', newer),
      gatewayOf('gw', '2024-01-01T00:00:00Z', [httpsListener('a', 'a.example.com', 'wild'), httpsListener('b', 'b.example.com', 'wild'), httpsListener('shared', 'shared.example.com', 'older')]),
      // Created later: its certificate serves shared.example.com's handshakes.
      gatewayOf('gw2', '2025-01-01T00:00:00Z', [httpsListener('shared', 'shared.example.com', 'newer')]),
      route('a', 'gw', 'a', 'a'),
      route('b', 'gw', 'b', 'b'),
    ]);
    sluice = await startSluice(
      ['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--gateway-address', '127.0.0.1', '--port-offset', String(bound - 443)],
      ['http', 'local', 'admin', `gateway/127.0.0.1:${bound}`],
    );
  });
  after(async () => {
    await sluice?.stop();
    await Promise.all([a?.close(), b?.close()]);
    await cfg?.cleanup();
    if (certDir) await rm(certDir, { recursive: true, force: true });
  });

  it('serves a Host of the listener its SNI selected', async () => {
    assert.deepEqual(await h1(bound, 'a.example.com', 'a.example.com'), { status: 200, upstream: 'a' });
    assert.deepEqual(await h1(bound, 'b.example.com', `b.example.com:${bound}`), { status: 200, upstream: 'b' });
  });

  it('answers 421 when the Host selects another listener than the SNI (HTTP/1.1 and HTTP/2)', async () => {
    assert.equal((await h1(bound, 'a.example.com', 'b.example.com')).status, 421);
    assert.equal(await h2(bound, 'a.example.com', 'b.example.com'), 421);
    assert.equal(await h2(bound, 'b.example.com', 'b.example.com'), 200);
  });

  it('hands the handshake of a shared hostname to the Gateway created last', async () => {
    assert.equal(await peerCn(bound, 'shared.example.com'), 'newer-shared.example.com');
  });
});
