// Readiness probes reuse connections to a replica: at 10,000 ingresses a new TCP connection per probe
// (connect, accept, close on both sides) was a visible share of the leader's CPU.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { Prober } from '../../src/k8s/prober.ts';
import { waitFor } from './helpers.ts';

const N = 300;

describe('readiness probes', () => {
  let server: Server | undefined;
  let prober: Prober | undefined;
  after(async () => {
    prober?.stop();
    server?.closeAllConnections();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  });

  it(`probe ${N} ingresses over at most as many connections as run at once`, async () => {
    let connections = 0;
    server = createServer((req, res) => {
      const hash = /^h-(\d+)\.example$/.exec(req.headers.host ?? '')?.[1];
      res.writeHead(hash && req.headers['k-network-probe'] === 'probe' ? 200 : 404, { 'k-network-hash': `hash-${hash}` }).end();
    });
    server.on('connection', () => connections++);
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    const replica = { address: '127.0.0.1', port: (server.address() as { port: number }).port };
    const ready = new Set<string>();
    const concurrency = 16;
    prober = new Prober({ publicReplicas: () => [replica], localReplicas: () => [], onReady: (key) => ready.add(key), concurrency });
    prober.setTargets(Array.from({ length: N }, (_, i) => ({ key: `app/h-${i}`, hash: `hash-${i}`, externalHost: `h-${i}.example` })));
    await waitFor(() => ready.size === N, 30_000, `all ${N} probed ready`);
    assert.ok(connections <= concurrency, `${connections} connections for ${N} probes`);
  });
});
