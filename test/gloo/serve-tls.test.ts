// Whole process: a VirtualService's sslConfig certificate is offered on --https by SNI (no Gloo
// Gateway: Gloo's default ssl gateway), verified by a client that trusts only that certificate,
// and the request reaches the VirtualService's upstream.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeCert, tlsSecret } from '../proxy/certs.ts';
import { ConfigDir, backend } from '../support/config.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';
import { vs } from './support.ts';

function httpsGet(addr: string, servername: string, ca: string, path: string): Promise<{ status: number; upstream: string }> {
  const i = addr.lastIndexOf(':');
  return new Promise((resolve, reject) => {
    const req = https.get({ host: addr.slice(0, i), port: Number(addr.slice(i + 1)), path, servername, ca, headers: { host: servername }, agent: false, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, upstream: String(res.headers['x-upstream']) }));
    });
    req.on('timeout', () => req.destroy(new Error('https request timed out')));
    req.on('error', reject);
  });
}

describe('sluice serve with a VirtualService sslConfig', () => {
  let certDir: string;
  let cfg: ConfigDir;
  let a: Upstream;
  let sluice: SluiceProcess;
  let cert: string;

  before(async () => {
    certDir = await mkdtemp(join(tmpdir(), 'sluice-gloo-tls-'));
    const pair = makeCert(certDir, 'secure', ['secure.example.com']);
    cert = pair.cert;
    a = await startUpstream('a');
    cfg = await ConfigDir.create();
    await cfg.write('all.yaml', [
      ...backend('a', [{ ip: '127.0.0.1', port: a.port }]),
      tlsSecret('secure-tls', pair, 'gloo-system'),
      vs('secure', {
        sslConfig: { secretRef: { name: 'secure-tls', namespace: 'gloo-system' }, sniDomains: ['secure.example.com'] },
        virtualHost: { domains: ['secure.example.com'], routes: [{ routeAction: { single: { upstream: { name: 'default-a-80' } } } }] },
      }),
    ]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--https', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0'], ['http', 'https', 'local', 'admin']);
  });
  after(async () => {
    await sluice?.stop();
    await a?.close();
    await cfg?.cleanup();
    await rm(certDir, { recursive: true, force: true });
  });

  it('serves the certificate by SNI and routes the request', async () => {
    const r = await httpsGet(sluice.addresses.https as string, 'secure.example.com', cert, '/x');
    assert.deepEqual(r, { status: 200, upstream: 'a' });
  });
});
