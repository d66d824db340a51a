// Shutdown with HTTP/2 clients connected, on both engines: on SIGTERM every HTTP/2 connection gets
// GOAWAY, a stream in flight (its upstream answering late) still gets its whole response, and the
// process exits 0 once it has.
import assert from 'node:assert/strict';
import http from 'node:http';
import type http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { connectH2, h2Request } from '../proxy/h2-helpers.ts';

const HOST = 'drain.example.com';
const LATE_MS = 1500;

describe('HTTP/2 graceful drain (sluice serve)', () => {
  let cfg: ConfigDir;
  let upstream: http.Server;
  let arrived: () => void = () => {};

  before(async () => {
    upstream = http.createServer((req, res) => {
      req.resume();
      arrived();
      setTimeout(() => res.end('late answer'), LATE_MS);
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
    cfg = await ConfigDir.create();
    await cfg.write('all.yaml', [
      ...backend('up', [{ ip: '127.0.0.1', port: (upstream.address() as AddressInfo).port }]),
      ingress('drain', [{ hosts: [HOST], paths: [{ splits: [{ service: 'up' }] }] }]),
    ]);
  });

  after(async () => {
    upstream?.closeAllConnections();
    await new Promise<void>((r) => upstream?.close(() => r()));
    await cfg?.cleanup();
  });

  for (const engine of ['own', 'node'] as const) {
    it(`sends GOAWAY and lets a stream in flight finish (--h2-engine ${engine})`, async () => {
      let sluice: SluiceProcess | undefined;
      let s: http2.ClientHttp2Session | undefined;
      try {
        sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--drain-delay', '0', '--drain-timeout', '10', '--h2-engine', engine]);
        s = connectH2(sluice.addresses.http!);
        const goaway = new Promise<void>((resolve) => s!.once('goaway', () => resolve()));
        const upstreamHasIt = new Promise<void>((resolve) => (arrived = resolve));
        const inFlight = h2Request(s, { ':path': '/slow', ':authority': HOST });
        await upstreamHasIt;
        const exited = sluice.stop('SIGTERM', 15_000);
        await goaway;
        const r = await inFlight;
        assert.equal(r.status, 200);
        assert.equal(r.body, 'late answer');
        assert.equal(await exited, 0);
      } finally {
        s?.destroy();
        await sluice?.stop();
      }
    });
  }
});
