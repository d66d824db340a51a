// `serve --h2-engine own|node` picks the HTTP/2 implementation that serves clients (h2c and TLS):
// Sluice's own core or node:http2. They are told apart by their first SETTINGS: the own core
// offers a 256 KiB stream window, node:http2 keeps the protocol's 65,535.
import assert from 'node:assert/strict';
import http from 'node:http';
import type http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { runSluice, type SluiceProcess, startSluice } from '../support/sluice.ts';
import { connectH2, h2Request } from '../proxy/h2-helpers.ts';

const HOST = 'engine.example.com';

function remoteSettings(s: http2.ClientHttp2Session): Promise<http2.Settings> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no SETTINGS from the gateway')), 10_000);
    s.once('remoteSettings', (settings) => {
      clearTimeout(t);
      resolve(settings);
    });
  });
}

describe('serve --h2-engine', () => {
  let cfg: ConfigDir;
  let upstream: http.Server;

  before(async () => {
    upstream = http.createServer((_req, res) => res.end('from-upstream'));
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
    cfg = await ConfigDir.create();
    await cfg.write('all.yaml', [
      ...backend('up', [{ ip: '127.0.0.1', port: (upstream.address() as AddressInfo).port }]),
      ingress('engine', [{ hosts: [HOST], paths: [{ splits: [{ service: 'up' }] }] }]),
    ]);
  });

  after(async () => {
    upstream?.closeAllConnections();
    await new Promise<void>((r) => upstream?.close(() => r()));
    await cfg?.cleanup();
  });

  const cases = [
    ['the own engine', ['--h2-engine', 'own'], 256 * 1024],
    ['the node engine', ['--h2-engine', 'node'], 65_535],
    ['the own engine by default', [], 256 * 1024],
  ] as const;
  for (const [name, flags, window] of cases) {
    it(`serves h2c with ${name}`, async () => {
      let sluice: SluiceProcess | undefined;
      try {
        sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', ...flags], undefined, { env: { SLUICE_H2_ENGINE: '' } });
        const s = connectH2(sluice.addresses.http!);
        try {
          const settings = await remoteSettings(s);
          assert.equal(settings.initialWindowSize, window);
          const r = await h2Request(s, { ':path': '/', ':authority': HOST });
          assert.equal(r.status, 200);
          assert.equal(r.body, 'from-upstream');
        } finally {
          s.destroy();
        }
      } finally {
        await sluice?.stop();
      }
    });
  }

  it('refuses an unknown engine, naming the flag', async () => {
    const r = await runSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--h2-engine', 'nghttp3'], { boundMs: 30_000 });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /--h2-engine/);
  });
});
