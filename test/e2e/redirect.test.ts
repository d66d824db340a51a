// httpOption through the real `sluice serve` process: `Redirected` sends plain-HTTP requests for
// the ingress's external hosts a 301 to https (the Host as sent, less `:80`, as Envoy's
// https_redirect makes it); `Enabled` serves both.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { get } from '../support/http.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { type Upstream, startUpstream } from '../support/upstream.ts';
import { makeCert, type TestCert, tlsSecret } from '../proxy/certs.ts';
import { connectH2, h2Request } from '../proxy/h2-helpers.ts';

describe('httpOption Redirected / Enabled (sluice serve)', () => {
  let certDir: string;
  let cert: TestCert;
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let up: Upstream;
  let httpsPort: number;

  before(async () => {
    certDir = await mkdtemp(join(tmpdir(), 'sluice-certs-'));
    cert = makeCert(certDir, 'redir', ['redir.example.com', 'both.example.com']);
    up = await startUpstream('web');
    cfg = await ConfigDir.create();
    await cfg.write('all.yaml', [
      ...backend('web', [{ ip: '127.0.0.1', port: up.port }]),
      tlsSecret('redir-cert', cert),
      ingress('redir', [
        { hosts: ['redir.example.com'], paths: [{ splits: [{ service: 'web' }] }] },
        { hosts: ['redir.default.svc.cluster.local'], visibility: 'ClusterLocal', paths: [{ splits: [{ service: 'web' }] }] },
      ], { httpOption: 'Redirected', tls: [{ hosts: ['redir.example.com'], secretName: 'redir-cert' }] }),
      ingress('both', [{ hosts: ['both.example.com'], paths: [{ splits: [{ service: 'web' }] }] }], { httpOption: 'Enabled', tls: [{ hosts: ['both.example.com'], secretName: 'redir-cert' }] }),
    ]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--https', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0'], ['http', 'https', 'local', 'admin']);
    httpsPort = Number(sluice.addresses.https!.split(':').pop());
  });

  after(async () => {
    await sluice?.stop();
    await up?.close();
    await cfg?.cleanup();
    if (certDir) await rm(certDir, { recursive: true, force: true });
  });

  const httpsStatus = (host: string, path: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = https.get({ host: '127.0.0.1', port: httpsPort, path, servername: host, ca: cert.cert, headers: { host }, agent: false, timeout: 10_000 }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      });
      req.on('error', reject);
    });

  it('answers plain HTTP/1.1 with 301 to the same URL on https, keeping the Host as sent but :80', async () => {
    const r = await get(sluice.addresses.http!, 'redir.example.com:8080', '/a/b?x=1&y=2');
    assert.equal(r.status, 301);
    assert.equal(r.headers.location, 'https://redir.example.com:8080/a/b?x=1&y=2');
    assert.equal((await get(sluice.addresses.http!, 'redir.example.com:80', '/a')).headers.location, 'https://redir.example.com/a');
    assert.equal(up.requests.length, 0, 'nothing reached the upstream');
  });

  it('redirects h2c requests too, but not ClusterLocal rules or Knative probes', async () => {
    const s = connectH2(sluice.addresses.http!);
    try {
      const r = await h2Request(s, { ':path': '/h2?q', ':authority': 'redir.example.com' });
      assert.equal(r.status, 301);
      assert.equal(r.headers.location, 'https://redir.example.com/h2?q');
    } finally {
      s.destroy();
    }
    assert.equal((await get(sluice.addresses.local!, 'redir.default.svc', '/')).status, 200);
    const probe = await get(sluice.addresses.http!, 'redir.example.com', '/', { 'K-Network-Probe': 'probe', 'K-Network-Hash': 'abc' });
    assert.equal(probe.status, 200);
    assert.equal(probe.headers['k-network-hash'], 'abc');
  });

  it('serves the redirected host on https, and Enabled hosts on both', async () => {
    assert.equal(await httpsStatus('redir.example.com', '/a'), 200);
    assert.equal(await httpsStatus('both.example.com', '/b'), 200);
    assert.equal((await get(sluice.addresses.http!, 'both.example.com', '/b')).status, 200);
  });
});
