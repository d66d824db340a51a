// Active HTTP health checks (BackendPolicy healthCheck): an endpoint failing unhealthyThreshold
// probes in a row stops receiving traffic, and comes back after healthyThreshold passes; checkers
// stop when their cluster leaves the snapshot; when every endpoint is unhealthy, traffic goes to all
// (panic). Served from hand-built snapshots on a Gateway API port.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { HealthCheck } from '../../src/snapshot/backend-policy.ts';
import type { Cluster } from '../../src/snapshot/types.ts';
import { eventually, get } from '../support/http.ts';
import { type FlakyUpstream, startFlakyUpstream } from './backend-helpers.ts';
import { freePort, port, portName, startPorts, type PortsUnderTest, vhost } from './gateway-ports-helpers.ts';

const check: HealthCheck = { path: '/healthz', intervalMs: 50, timeoutMs: 500, healthyThreshold: 2, unhealthyThreshold: 2, expectedStatuses: [[200, 299]] };

function checked(name: string, a: number, b: number): Cluster {
  return { name, protocol: 'http1', type: 'static', endpoints: [{ address: '127.0.0.1', port: a }, { address: '127.0.0.1', port: b }], policy: { source: 'default/hc', healthCheck: check } };
}

async function servedBy(addr: string, n: number): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) seen.add(String((await get(addr, 'hc.example.com', '/')).headers['x-upstream']));
  return seen;
}

describe('active health checks', () => {
  let a: FlakyUpstream;
  let b: FlakyUpstream;
  let t: PortsUnderTest;
  let p: number;
  const addr = (): string => `127.0.0.1:${p}`;
  const publish = (clusters: Cluster[]): Promise<void> => t.publish({ clusters, ports: [port(p, 'HTTP', [vhost(portName(p), 'hc.example.com', 'default/hc:80')])] });

  before(async () => {
    a = await startFlakyUpstream('a');
    b = await startFlakyUpstream('b');
    t = startPorts({ fastPath: true });
    p = await freePort();
    await publish([checked('default/hc:80', a.port, b.port)]);
  });

  after(async () => {
    await t.stop();
    await a.close();
    await b.close();
  });

  it('probes every endpoint of a checked cluster', async () => {
    assert.ok(await eventually(() => a.checks >= 2 && b.checks >= 2, 5000));
    assert.deepEqual([...(await servedBy(addr(), 4))].sort(), ['a', 'b']);
  });

  it('stops sending to an endpoint failing its health check, and sends again once it passes', async () => {
    b.health = 503;
    assert.ok(await eventually(() => !t.dp.backends.health.healthy('default/hc:80', `http://127.0.0.1:${b.port}`), 5000), 'b turned unhealthy');
    const hits = b.hits;
    assert.deepEqual([...(await servedBy(addr(), 6))], ['a']);
    assert.equal(b.hits, hits);
    const report = t.dp.backends.report(t.dp.router!.snapshot.clusters) as { cluster: string; health: { endpoint: string; healthy: boolean }[] }[];
    assert.deepEqual(report[0]?.health, [
      { endpoint: `http://127.0.0.1:${a.port}`, healthy: true },
      { endpoint: `http://127.0.0.1:${b.port}`, healthy: false },
    ]);
    b.health = 200;
    assert.ok(await eventually(async () => (await servedBy(addr(), 2)).has('b'), 5000), 'b is back');
  });

  it('sends to every endpoint when none is healthy (panic), rather than to none', async () => {
    a.health = b.health = 500;
    assert.ok(await eventually(() => !t.dp.backends.health.healthy('default/hc:80', `http://127.0.0.1:${a.port}`) && !t.dp.backends.health.healthy('default/hc:80', `http://127.0.0.1:${b.port}`), 5000));
    assert.deepEqual([...(await servedBy(addr(), 4))].sort(), ['a', 'b']);
    a.health = b.health = 200;
  });

  it('stops probing when the cluster leaves the snapshot', async () => {
    await publish([{ name: 'default/hc:80', protocol: 'http1', type: 'static', endpoints: [{ address: '127.0.0.1', port: a.port }] }]);
    assert.equal(t.dp.backends.health.size, 0);
    const checks = a.checks + b.checks;
    // A probe already sent may still land; none starts after.
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(a.checks + b.checks <= checks + 2);
  });
});

describe('active health checks of h2c clusters', () => {
  it('probe over HTTP/2 cleartext, as the cluster is spoken to', async () => {
    const { default: http2 } = await import('node:http2');
    let checks = 0;
    const server = http2.createServer((req, res) => {
      if (req.url === '/healthz') checks++;
      res.writeHead(200).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const { port: p } = server.address() as { port: number };
    const { HealthChecks } = await import('../../src/proxy/health-check.ts');
    const checker = new HealthChecks();
    try {
      checker.follow([{ name: 'default/grpc:80', protocol: 'h2c', type: 'static', endpoints: [{ address: '127.0.0.1', port: p }], policy: { source: 'default/hc', healthCheck: { ...check, unhealthyThreshold: 1 } } }]);
      assert.ok(await eventually(() => checks >= 3, 5000), 'the h2c server got its probes');
      assert.equal(checker.healthy('default/grpc:80', `http://127.0.0.1:${p}`), true);
    } finally {
      checker.stop();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
