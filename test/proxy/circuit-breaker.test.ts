// Circuit breakers per cluster (BackendPolicy circuitBreakers): requests over maxRequests get 503
// with x-envoy-overloaded at once; over maxConnections they wait, up to maxPendingRequests, for a
// connection to come free. Counted in sluice_upstream_rejections_total. Clusters without limits
// have none. Served from hand-built snapshots on a Gateway API port, through each front end.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CircuitBreakers } from '../../src/snapshot/backend-policy.ts';
import type { Cluster } from '../../src/snapshot/types.ts';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { eventually, get } from '../support/http.ts';
import { connectH2, h2Request } from './h2-helpers.ts';
import { type HeldUpstream, startHeldUpstream } from './backend-helpers.ts';
import { cluster, freePort, port, portName, startPorts, type PortsUnderTest, vhost } from './gateway-ports-helpers.ts';

function limited(name: string, upstreamPort: number, circuitBreakers: CircuitBreakers): Cluster {
  return { ...cluster(name, upstreamPort), policy: { source: 'default/limits', circuitBreakers } };
}

async function rejections(t: PortsUnderTest, cluster: string, reason: string): Promise<number> {
  const m = t.metrics.registry.getSingleMetric('sluice_upstream_rejections_total');
  if (m === undefined) return 0;
  const values = (await m.get()).values;
  return values.filter((v) => v.labels.cluster === cluster && v.labels.reason === reason).reduce((a, v) => a + v.value, 0);
}

for (const fastPath of [true, false]) {
  describe(`circuit breakers (${fastPath ? 'fast path' : 'node:http'})`, () => {
    let up: HeldUpstream;
    let t: PortsUnderTest;
    let p: number;
    const addr = (): string => `127.0.0.1:${p}`;

    before(async () => {
      up = await startHeldUpstream();
      t = startPorts({ fastPath });
      p = await freePort();
      await t.publish({
        clusters: [
          limited('default/requests:80', up.port, { maxRequests: 2 }),
          limited('default/connections:80', up.port, { maxConnections: 1, maxPendingRequests: 1 }),
          cluster('default/open:80', up.port),
        ],
        ports: [
          port(p, 'HTTP', [
            vhost(portName(p), 'requests.example.com', 'default/requests:80'),
            vhost(portName(p), 'connections.example.com', 'default/connections:80'),
            vhost(portName(p), 'open.example.com', 'default/open:80'),
          ]),
        ],
      });
    });

    after(async () => {
      up.release();
      await t.stop();
      await up.close();
    });

    it('answers 503 with x-envoy-overloaded over maxRequests, and serves again once requests finish', async () => {
      const first = [get(addr(), 'requests.example.com', '/a'), get(addr(), 'requests.example.com', '/b')];
      await up.holding(2);
      const over = await get(addr(), 'requests.example.com', '/c');
      assert.equal(over.status, 503);
      assert.equal(over.headers['x-envoy-overloaded'], 'true');
      assert.match(over.body, /max_requests/);
      assert.equal(up.held.length, 2, 'the refused request never reached the upstream');
      assert.equal(await rejections(t, 'default/requests:80', 'max_requests'), 1);
      up.release();
      for (const r of await Promise.all(first)) assert.equal(r.status, 200);
      const again = get(addr(), 'requests.example.com', '/d');
      await up.holding(1);
      up.release();
      assert.equal((await again).status, 200);
    });

    it('queues requests over maxConnections up to maxPendingRequests, and refuses the rest', async () => {
      const first = get(addr(), 'connections.example.com', '/1');
      await up.holding(1);
      const second = get(addr(), 'connections.example.com', '/2');
      // The second waits in the queue (it has not reached the upstream); the third finds it full.
      const third = await get(addr(), 'connections.example.com', '/3');
      assert.equal(third.status, 503);
      assert.equal(third.headers['x-envoy-overloaded'], 'true');
      assert.equal(await rejections(t, 'default/connections:80', 'max_pending_requests'), 1);
      assert.equal(up.held.length, 1);
      up.release();
      assert.equal((await first).status, 200);
      // Its connection came free: the queued request goes on.
      await up.holding(1);
      up.release();
      assert.equal((await second).status, 200);
    });

    it('limits nothing on a cluster without circuit breakers', async () => {
      const many = Array.from({ length: 20 }, (_, i) => get(addr(), 'open.example.com', `/${i}`));
      await up.holding(20);
      up.release();
      for (const r of await Promise.all(many)) assert.equal(r.status, 200);
    });
  });
}

describe('circuit breakers (HTTP/2 clients, h2c upstreams)', () => {
  let up: HeldUpstream;
  let h2c: http2.Http2Server;
  /** h2c streams held, answered by releaseStreams */
  const streams: http2.ServerHttp2Stream[] = [];
  let t: PortsUnderTest;
  let p: number;
  const addr = (): string => `127.0.0.1:${p}`;
  const releaseStreams = (): void => {
    for (const s of streams.splice(0)) if (!s.destroyed) s.respond({ ':status': 200 }, { endStream: true });
  };

  before(async () => {
    up = await startHeldUpstream();
    h2c = http2.createServer();
    h2c.on('stream', (s) => streams.push(s));
    await new Promise<void>((r) => h2c.listen(0, '127.0.0.1', () => r()));
    t = startPorts({ fastPath: true });
    p = await freePort();
    await t.publish({
      clusters: [
        limited('default/requests:80', up.port, { maxRequests: 1 }),
        { ...cluster('default/grpc:80', (h2c.address() as AddressInfo).port, 'h2c'), policy: { source: 'default/limits', circuitBreakers: { maxConcurrentStreams: 1, maxPendingRequests: 1 } } },
      ],
      ports: [port(p, 'HTTP', [vhost(portName(p), 'requests.example.com', 'default/requests:80'), vhost(portName(p), 'grpc.example.com', 'default/grpc:80')])],
    });
  });

  after(async () => {
    up.release();
    releaseStreams();
    await t.stop();
    await up.close();
    await new Promise<void>((r) => h2c.close(() => r()));
  });

  it('answers an HTTP/2 client 503 with x-envoy-overloaded over maxRequests', async () => {
    const first = get(addr(), 'requests.example.com', '/a');
    await up.holding(1);
    const session = connectH2(addr());
    try {
      const r = await h2Request(session, { ':path': '/b', ':authority': 'requests.example.com' });
      assert.equal(r.status, 503);
      assert.equal(r.headers['x-envoy-overloaded'], 'true');
    } finally {
      session.close();
    }
    up.release();
    assert.equal((await first).status, 200);
  });

  it('queues requests to an h2c cluster over maxConcurrentStreams per endpoint', async () => {
    const first = get(addr(), 'grpc.example.com', '/1');
    assert.ok(await eventually(() => streams.length === 1));
    const second = get(addr(), 'grpc.example.com', '/2');
    const third = await get(addr(), 'grpc.example.com', '/3');
    assert.equal(third.status, 503);
    assert.equal(streams.length, 1, 'the second waits for the stream to end');
    releaseStreams();
    assert.equal((await first).status, 200);
    assert.ok(await eventually(() => streams.length === 1));
    releaseStreams();
    assert.equal((await second).status, 200);
  });
});


describe('circuit breaker answers in the access log', () => {
  it("carry Envoy's UO (upstream overflow) response flag", async () => {
    const { responseFlags } = await import('../../src/observe/access-log-entry.ts');
    type Entry = Parameters<typeof responseFlags>[0];
    assert.equal(responseFlags({ x: { decided: 'overloaded' }, status: 503, outcome: undefined } as unknown as Entry), 'UO');
  });
});
