// Gateway API ports follow the snapshot: each swap binds new ports, closes removed ones gracefully
// and keeps the rest; a port that cannot be bound is logged and retried, never fatal. Requests on a
// port are routed by that port's own host table.
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { planPorts, refusal } from '../../src/proxy/gateway-ports.ts';
import { eventually, get } from '../support/http.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';
import { h2Request } from './h2-helpers.ts';
import { cluster, freePort, port, portName, startPorts, vhost } from './gateway-ports-helpers.ts';

/** Whether something accepts TCP connections on 127.0.0.1:p. */
function accepts(p: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(p, '127.0.0.1');
    s.setTimeout(2000, () => s.destroy());
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.once('close', () => resolve(false));
  });
}

describe('Gateway API ports on a data plane', () => {
  let up: Upstream;
  let other: Upstream;
  before(async () => {
    up = await startUpstream('app');
    other = await startUpstream('other');
  });
  after(async () => {
    await up.close();
    await other.close();
  });

  it('serves HTTP/1.1 and h2c on a plain port, routed by that port\'s own host table', async () => {
    const t = startPorts();
    try {
      const [a, b] = [await freePort(), await freePort()];
      await t.publish({
        clusters: [cluster('default/app:80', up.port), cluster('default/other:80', other.port)],
        ports: [port(a, 'HTTP', [vhost(portName(a), 'app.example.com', 'default/app:80')]), port(b, 'HTTP', [vhost(portName(b), 'other.example.com', 'default/other:80')])],
      });
      const onA = await get(`127.0.0.1:${a}`, 'app.example.com', '/x');
      assert.equal(onA.status, 200, onA.body);
      assert.equal(onA.headers['x-upstream'], 'app');
      // other.example.com is port b's host, not port a's
      assert.equal((await get(`127.0.0.1:${a}`, 'other.example.com')).status, 404);
      assert.equal((await get(`127.0.0.1:${b}`, 'other.example.com')).headers['x-upstream'], 'other');

      const session = http2.connect(`http://127.0.0.1:${a}`);
      session.on('error', () => {});
      try {
        const r = await h2Request(session, { ':path': '/h2', ':authority': 'app.example.com' });
        assert.equal(r.status, 200, r.body);
        assert.equal(r.headers['x-upstream'], 'app');
      } finally {
        session.close();
      }
      // the metrics name the port as the listener
      const text = await t.metrics.registry.metrics();
      assert.match(text, new RegExp(`sluice_requests_total\\{listener="gateway/127\\.0\\.0\\.1:${a}",[^}]*code="200"`));
    } finally {
      await t.stop();
    }
  });

  it('binds a port added by a swap and closes it when a later swap removes it, letting a request in flight finish', async () => {
    // answers "a" at once, and "b" only when the test lets it
    const held: Array<() => void> = [];
    const slow = await startUpstream('slow', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('a');
      held.push(() => res.end('b'));
    });
    const t = startPorts();
    try {
      const p = await freePort();
      await t.publish({ clusters: [cluster('default/slow:80', slow.port)] });
      assert.equal(await accepts(p), false);
      const served = { clusters: [cluster('default/slow:80', slow.port)], ports: [port(p, 'HTTP', [vhost(portName(p), 'slow.example.com', 'default/slow:80')])] };
      await t.publish(served);
      assert.deepEqual(Object.keys(t.ports.addresses()), [portName(p)]);
      assert.equal(await accepts(p), true);
      // a swap that keeps the port (another cluster) keeps its socket
      await t.publish({ ...served, clusters: [...served.clusters, cluster('default/app:80', up.port)] });
      assert.equal(await accepts(p), true);

      const inFlight = get(`127.0.0.1:${p}`, 'slow.example.com', '/');
      const session = http2.connect(`http://127.0.0.1:${p}`);
      session.on('error', () => {});
      const inFlightH2 = h2Request(session, { ':path': '/h2', ':authority': 'slow.example.com' });
      assert.ok(await eventually(() => held.length === 2), 'both requests reached the upstream');
      await t.publish({ clusters: served.clusters });
      assert.deepEqual(t.ports.addresses(), {});
      assert.equal(await accepts(p), false, 'a removed port stops accepting at once');
      for (const end of held) end();
      const r = await inFlight;
      assert.equal(r.status, 200);
      assert.equal(r.body, 'ab');
      const r2 = await inFlightH2;
      assert.equal(r2.status, 200);
      assert.equal(r2.body, 'ab');
      session.close();
    } finally {
      await t.stop();
      await slow.close();
    }
  });

  it('closes a removed port\'s idle connections at once when no request is in flight', async () => {
    const t = startPorts({ drainTimeout: 10_000 });
    try {
      const p = await freePort();
      await t.publish({ ports: [port(p, 'HTTP')] });
      // a client that connected and sent nothing yet (its first-bytes deadline is 20 s away)
      const silent = net.connect(p, '127.0.0.1');
      silent.on('error', () => {});
      await new Promise((r) => silent.once('connect', r));
      await t.publish({ ports: [] });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the idle connection was kept open')), 3000);
        silent.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    } finally {
      await t.stop();
    }
  });

  it('logs a port it cannot bind, serves the others, and binds it on a later swap once free', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const busy = (blocker.address() as net.AddressInfo).port;
    const t = startPorts();
    try {
      const free = await freePort();
      const ports = [port(busy, 'HTTP', [vhost(portName(busy), 'app.example.com', 'default/app:80')]), port(free, 'HTTP', [vhost(portName(free), 'app.example.com', 'default/app:80')])];
      await t.publish({ clusters: [cluster('default/app:80', up.port)], ports });
      assert.deepEqual(Object.keys(t.ports.addresses()), [portName(free)]);
      assert.equal((await get(`127.0.0.1:${free}`, 'app.example.com')).status, 200);
      const failed = t.logs.find((l) => l.listener === portName(busy) && l.level === 50);
      assert.ok(failed, JSON.stringify(t.logs));
      assert.match(String(failed.err), /address already in use/);

      await new Promise<void>((r) => blocker.close(() => r()));
      await t.publish({ clusters: [cluster('default/app:80', up.port), cluster('default/x:80', 1)], ports });
      assert.deepEqual(Object.keys(t.ports.addresses()).sort(), [portName(busy), portName(free)].sort());
      assert.equal((await get(`127.0.0.1:${busy}`, 'app.example.com')).status, 200);
    } finally {
      if (blocker.listening) blocker.close();
      await t.stop();
    }
  });

  it('logs a port whose address this machine does not have, and serves the others', async () => {
    const t = startPorts();
    try {
      const p = await freePort();
      // 192.0.2.1 is TEST-NET-1: never an address of this machine
      await t.publish({ ports: [port(p, 'HTTP', [], [], '192.0.2.1'), port(p, 'HTTP')] });
      assert.deepEqual(Object.keys(t.ports.addresses()), [portName(p)]);
      const failed = t.logs.find((l) => l.listener === portName(p, '192.0.2.1'));
      assert.ok(failed, JSON.stringify(t.logs));
      assert.match(String(failed.err), /address not available/);
    } finally {
      await t.stop();
    }
  });

  it('refuses a port on a fixed listener\'s address with one clear log line', async () => {
    const p = await freePort();
    const t = startPorts({ reserved: [{ flag: '--http', address: { host: '0.0.0.0', port: p } }] });
    try {
      await t.publish({ ports: [port(p, 'HTTP')] });
      assert.deepEqual(t.ports.addresses(), {});
      const line = t.logs.find((l) => l.listener === portName(p));
      assert.ok(line, JSON.stringify(t.logs));
      assert.match(String(line.msg), /--http's address/);
    } finally {
      await t.stop();
    }
  });

  it('answers garbage with 400 (plain) or a closed connection (HTTPS) and keeps serving', async () => {
    const t = startPorts();
    try {
      const [plain, secure] = [await freePort(), await freePort()];
      await t.publish({ clusters: [cluster('default/app:80', up.port)], ports: [port(plain, 'HTTP', [vhost(portName(plain), 'app.example.com', 'default/app:80')]), port(secure, 'HTTPS')] });
      const reply = (p: number, bytes: string) =>
        new Promise<string>((resolve) => {
          const s = net.connect(p, '127.0.0.1', () => s.write(bytes));
          let got = '';
          s.setTimeout(5000, () => s.destroy());
          s.on('data', (d: Buffer) => (got += d.toString('latin1')));
          s.on('error', () => {});
          s.on('close', () => resolve(got));
        });
      assert.match(await reply(plain, 'GARBAGE \x00\x01 HTTP/9\r\n\r\n'), /^HTTP\/1\.1 400/);
      await reply(secure, 'GET / HTTP/1.1\r\nhost: x\r\n\r\n');
      assert.equal((await get(`127.0.0.1:${plain}`, 'app.example.com')).status, 200);
      assert.deepEqual(Object.keys(t.ports.addresses()).sort(), [portName(plain), portName(secure)].sort());
    } finally {
      await t.stop();
    }
  });

  it('stop() closes every port', async () => {
    const t = startPorts();
    const p = await freePort();
    await t.publish({ ports: [port(p, 'HTTP')] });
    assert.equal(await accepts(p), true);
    await t.stop();
    assert.equal(await accepts(p), false);
  });
});

describe('planPorts', () => {
  const reserved = [{ flag: '--admin', address: { host: '127.0.0.1', port: 9901 } }];

  it('refuses ports out of 1..65535 (a port plus --port-offset past 65535) and fixed listeners\' addresses', () => {
    assert.match(refusal(port(65536, 'HTTP'), reserved) ?? '', /not 1\.\.65535.*--port-offset/);
    assert.match(refusal(port(0, 'HTTP'), reserved) ?? '', /not 1\.\.65535/);
    assert.match(refusal(port(9901, 'HTTP', [], [], '0.0.0.0'), reserved) ?? '', /--admin/);
    assert.equal(refusal(port(9901, 'HTTP', [], [], '127.0.0.2'), reserved), undefined);
    assert.equal(refusal(port(8000, 'HTTP'), reserved), undefined);
  });

  it('closes ports removed or changed in protocol, keeps the rest, binds the new ones', () => {
    const [a, b, c] = [port(8001, 'HTTP'), port(8002, 'HTTP'), port(8003, 'HTTPS')];
    const bound = new Map([[a.name, a], [b.name, b]]);
    const plan = planPorts([{ ...a, virtualHosts: [] }, { ...b, protocol: 'HTTPS' }, c], bound, []);
    assert.deepEqual(plan.close, [b.name]);
    assert.deepEqual(plan.keep.map((p) => p.name), [a.name]);
    assert.deepEqual(plan.bind.map((p) => p.name), [b.name, c.name]);
    assert.deepEqual(planPorts([], bound, []).close, [a.name, b.name]);
  });
});
