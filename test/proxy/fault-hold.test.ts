// A request held by a fault delay whose client goes away during the hold is finished as 499 when
// the hold ends, and never reaches the upstream: on node:http, HTTP/2, and WebSocket upgrades over
// HTTP/1.1 (the fast path finishes it as soon as the connection closes).
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Route, VirtualHost } from '../../src/snapshot/types.ts';
import { eventually } from '../support/http.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';
import { cluster, freePort, port, portName, type PortsUnderTest, startPorts } from './gateway-ports-helpers.ts';

const HOST = 'held.example.com';
const INGRESS = 'VirtualService gloo/held';

function heldHost(p: number): VirtualHost {
  const r: Route = { ingress: INGRESS, path: { type: 'prefix', value: '/' }, headers: [], query: [], filters: [{ type: 'fault', delay: { percent: 100, ms: 300 } }], splits: [{ cluster: 'up', weight: 1, filters: [] }] };
  return { name: `${portName(p)}/${HOST}`, domains: [HOST], ingress: INGRESS, httpOption: 'Enabled', routes: [r] };
}

describe('a client that leaves during a fault delay (node:http front ends)', () => {
  let t: PortsUnderTest;
  let up: Upstream;
  let upstreamConnections = 0;
  /** holds begun: the gateway has the request once its hold is armed on the sweep */
  let holds = 0;
  let p: number;

  before(async () => {
    up = await startUpstream('up');
    up.server.on('connection', () => upstreamConnections++);
    // An upgrade is held open by the upstream, as a WebSocket server would.
    up.server.on('upgrade', (_req, socket: net.Socket) => socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'));
    t = startPorts({ fastPath: false });
    const arm = t.dp.deadlines.arm.bind(t.dp.deadlines);
    t.dp.deadlines.arm = (x, at, ms) => {
      holds++;
      arm(x, at, ms);
    };
    p = await freePort();
    await t.publish({ ports: [{ ...port(p, 'HTTP'), virtualHosts: [heldHost(p)] }], clusters: [cluster('up', up.port)] });
  });
  after(async () => {
    await t.stop();
    up.server.closeAllConnections();
    await up.close();
  });

  const finished = async (code: string): Promise<number> => (await t.metrics.requests.get()).values.filter((v) => v.labels.ingress === INGRESS && v.labels.code === code).reduce((a, v) => a + v.value, 0);

  async function leaveDuringHold(request: string, before499: number): Promise<void> {
    const sock = net.connect(p, '127.0.0.1');
    sock.on('error', () => {});
    await new Promise<void>((r) => sock.once('connect', () => r()));
    const held = holds;
    sock.write(request);
    assert.ok(await eventually(() => holds > held, 2000), 'the request is held');
    // Gone at once (a reset), as a client whose process died; a FIN would be passed on by the tunnel.
    sock.resetAndDestroy();
    assert.ok(await eventually(async () => (await finished('499')) > before499, 5000), 'finished as 499 once the hold ends');
    assert.equal(upstreamConnections, 0, 'the upstream never saw the request');
  }

  it('a plain request is not forwarded', async () => {
    await leaveDuringHold(`GET / HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`, await finished('499'));
  });

  it('a WebSocket upgrade opens no tunnel', async () => {
    await leaveDuringHold(`GET / HTTP/1.1\r\nHost: ${HOST}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`, await finished('499'));
  });

  it('an HTTP/2 stream reset during the hold is not forwarded', async () => {
    const before499 = await finished('499');
    const session = http2.connect(`http://127.0.0.1:${p}`);
    session.on('error', () => {});
    try {
      const held = holds;
      const stream = session.request({ ':path': '/', ':authority': HOST });
      stream.on('error', () => {});
      assert.ok(await eventually(() => holds > held, 2000), 'the request is held');
      stream.close(http2.constants.NGHTTP2_CANCEL);
      assert.ok(await eventually(async () => (await finished('499')) > before499, 5000), 'finished as 499 once the hold ends');
      assert.equal(upstreamConnections, 0, 'the upstream never saw the request');
    } finally {
      session.destroy();
    }
  });

  it('an HTTP/2 WebSocket (extended CONNECT) reset during the hold opens no tunnel', async () => {
    const before499 = await finished('499');
    const session = http2.connect(`http://127.0.0.1:${p}`);
    session.on('error', () => {});
    try {
      await new Promise<void>((resolve, reject) => session.once('remoteSettings', (s) => (s.enableConnectProtocol ? resolve() : reject(new Error('no extended CONNECT')))));
      const held = holds;
      const stream = session.request({ ':method': 'CONNECT', ':protocol': 'websocket', ':scheme': 'http', ':path': '/', ':authority': HOST, 'sec-websocket-version': '13' });
      stream.on('error', () => {});
      assert.ok(await eventually(() => holds > held, 2000), 'the request is held');
      stream.close(http2.constants.NGHTTP2_CANCEL);
      assert.ok(await eventually(async () => (await finished('499')) > before499, 5000), 'finished as 499 once the hold ends');
      assert.equal(upstreamConnections, 0, 'the upstream never saw the request');
    } finally {
      session.destroy();
    }
  });
});
