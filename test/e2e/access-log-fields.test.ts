// The access log's body, timing, split, gRPC and trace fields through the real `sluice serve`, on
// each front end: HTTP/1.1 (fast path, and node:http to an h2c upstream), HTTP/2 (with and without
// a body), gRPC (a forwarded call's status from its trailers), and a WebSocket tunnel, logged when
// it closes with the bytes that crossed it. Request policies' answers flagged UAEX and RL.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFile, rm } from 'node:fs/promises';
import type http from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket, { WebSocketServer } from 'ws';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { eventually, get } from '../support/http.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { type Upstream, startUpstream } from '../support/upstream.ts';
import { startHttpAuthz } from '../policies/authz-servers.ts';
import { trafficPolicy } from '../policies/helpers.ts';

type Line = Record<string, unknown>;

const TRACE = '0af7651916cd43dd8448eb211c80319c';

async function lineFor(file: string, path: string): Promise<Line> {
  let found: Line | undefined;
  await eventually(async () => {
    const text = await readFile(file, 'utf8').catch(() => '');
    found = text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Line).find((l) => l.path === path);
    return found !== undefined;
  }, 10_000);
  assert.ok(found, `no access log line for ${path}`);
  return found;
}

/** `/size/N?delay=MS[&chunked=1]`: N bytes of body, the head after MS ms; the request body is read whole first. */
const sized: http.RequestListener = (req, res) => {
  req.resume();
  req.on('end', () => {
    const u = new URL(req.url!, 'http://x');
    const n = Number(u.pathname.split('/')[2] ?? 0);
    const send = (): void => {
      const body = Buffer.alloc(n, 'x');
      if (u.searchParams.get('chunked') === '1') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write(body.subarray(0, n >> 1));
        res.end(body.subarray(n >> 1));
      } else res.writeHead(200, { 'content-type': 'text/plain', 'content-length': n }).end(body);
    };
    const delay = Number(u.searchParams.get('delay') ?? 0);
    if (delay > 0) setTimeout(send, delay);
    else send();
  });
};

/** An h2c upstream: gRPC calls get status 5 in trailers after a 7-byte message; others 300 bytes. */
function startH2c(): Promise<{ port: number; close(): Promise<void> }> {
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    stream.resume();
    stream.on('end', () => {
      if (String(headers['content-type']).startsWith('application/grpc')) {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '5', 'grpc-message': 'not found' }));
        stream.end(Buffer.from([0, 0, 0, 0, 2, 8, 1]));
      } else {
        stream.respond({ ':status': 200 });
        stream.end(Buffer.alloc(300, 'y'));
      }
    });
  });
  server.listen(0, '127.0.0.1');
  return once(server, 'listening').then(() => ({ port: (server.address() as AddressInfo).port, close: () => new Promise<void>((r) => server.close(() => r())) }));
}

function h2Request(addr: string, headers: Record<string, string>, body?: Buffer): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://${addr}`);
    session.on('error', reject);
    const req = session.request(headers, { endStream: body === undefined });
    req.setTimeout(10_000, () => req.close());
    let status = 0;
    let bytes = 0;
    req.on('response', (h) => (status = Number(h[':status'])));
    req.on('data', (d: Buffer) => (bytes += d.length));
    req.on('close', () => {
      session.close();
      resolve({ status, bytes });
    });
    req.on('error', reject);
    if (body !== undefined) req.end(body);
  });
}

describe('access log fields on every front end', () => {
  let upstream: Upstream;
  let h2c: { port: number; close(): Promise<void> };
  let wss: WebSocketServer;
  let config: ConfigDir;
  let sluice: SluiceProcess;
  let file: string;

  before(async () => {
    upstream = await startUpstream('sized', sized);
    h2c = await startH2c();
    wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(wss, 'listening');
    wss.on('connection', (ws) => ws.on('message', (m: Buffer) => ws.send(m)));
    config = await ConfigDir.create();
    await config.write('routes.yaml', [
      ingress('sized', [{ hosts: ['sized.example.com'], paths: [{ splits: [{ service: 'sized' }] }] }]),
      ingress('split', [{ hosts: ['split.example.com'], paths: [{ splits: [{ service: 'never', percent: 0 }, { service: 'sized', percent: 100 }] }] }]),
      ingress('h2c', [{ hosts: ['h2c.example.com'], paths: [{ splits: [{ service: 'h2c' }] }] }]),
      ingress('ws', [{ hosts: ['ws.example.com'], paths: [{ splits: [{ service: 'ws' }] }] }]),
      ...backend('sized', [{ ip: '127.0.0.1', port: upstream.port }]),
      ...backend('never', [{ ip: '127.0.0.1', port: upstream.port }]),
      ...backend('h2c', [{ ip: '127.0.0.1', port: h2c.port }], { portName: 'h2c' }),
      ...backend('ws', [{ ip: '127.0.0.1', port: (wss.address() as AddressInfo).port }]),
    ]);
    file = join(config.dir, '..', `sluice-access-fields-${process.pid}-${Date.now()}.log`);
    sluice = await startSluice(['serve', '--config', config.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--access-log', file, '--access-log-flush-interval', '50']);
    assert.ok(await eventually(async () => (await get(sluice.addresses.http!, 'sized.example.com', '/size/1')).status === 200, 10_000));
  });
  after(async () => {
    await sluice?.stop();
    await upstream?.close();
    await h2c?.close();
    await new Promise((r) => wss?.close(r));
    await config?.cleanup();
    await rm(file, { force: true });
  });

  it('HTTP/1.1 fast path: bytes each way, time to the first upstream byte, split and trace id', async () => {
    const r = await get(sluice.addresses.http!, 'split.example.com', '/size/500?delay=200', { traceparent: `00-${TRACE}-b7ad6b7169203331-01` }, { method: 'POST', body: Buffer.alloc(1000, 'a') });
    assert.equal(r.status, 200);
    const l = await lineFor(file, '/size/500?delay=200');
    assert.equal(l.bytes_received, 1000);
    assert.equal(l.bytes_sent, 500);
    assert.ok(Number(l.ttfb_ms) >= 190, `ttfb_ms ${l.ttfb_ms}`);
    assert.ok(Number(l.duration_ms) >= Number(l.ttfb_ms));
    assert.equal(l.split, 1);
    assert.equal(l.trace_id, TRACE, "with tracing off, the client's trace id");
  });

  it('HTTP/1.1 fast path: a chunked response counts its data, not its framing', async () => {
    await get(sluice.addresses.http!, 'sized.example.com', '/size/777?chunked=1');
    const l = await lineFor(file, '/size/777?chunked=1');
    assert.equal(l.bytes_sent, 777);
    assert.equal(l.bytes_received, 0);
    assert.equal('trace_id' in l, false);
  });

  it('HTTP/1.1 through node:http to an h2c upstream', async () => {
    const r = await get(sluice.addresses.http!, 'h2c.example.com', '/to-h2c', {}, { method: 'POST', body: Buffer.alloc(40, 'b') });
    assert.equal(r.status, 200);
    const l = await lineFor(file, '/to-h2c');
    assert.equal(l.bytes_received, 40);
    assert.equal(l.bytes_sent, 300);
    assert.equal(typeof l.ttfb_ms, 'number');
  });

  it('HTTP/2, with a body (undici) and without (raw HTTP/1.1 upstream)', async () => {
    const withBody = await h2Request(sluice.addresses.http!, { ':method': 'POST', ':path': '/size/250?h2', ':authority': 'sized.example.com' }, Buffer.alloc(64, 'c'));
    assert.equal(withBody.status, 200);
    const a = await lineFor(file, '/size/250?h2');
    assert.equal(a.bytes_received, 64);
    assert.equal(a.bytes_sent, 250);
    assert.equal(typeof a.ttfb_ms, 'number');
    await h2Request(sluice.addresses.http!, { ':method': 'GET', ':path': '/size/123?h2&chunked=1', ':authority': 'sized.example.com' });
    const b = await lineFor(file, '/size/123?h2&chunked=1');
    assert.equal(b.bytes_sent, 123);
    assert.equal(typeof b.ttfb_ms, 'number');
  });

  it("gRPC: a forwarded call's status from its trailers", async () => {
    const msg = Buffer.from([0, 0, 0, 0, 3, 10, 1, 65]);
    const r = await h2Request(sluice.addresses.http!, { ':method': 'POST', ':path': '/pkg.Svc/Get', ':authority': 'h2c.example.com', 'content-type': 'application/grpc', te: 'trailers' }, msg);
    assert.equal(r.status, 200);
    const l = await lineFor(file, '/pkg.Svc/Get');
    assert.equal(l.grpc_status, 5);
    assert.equal(l.bytes_received, 8);
    assert.equal(l.bytes_sent, 7);
  });

  it('WebSocket: one line when the tunnel closes, with the bytes that crossed it and its whole duration', async () => {
    const ws = new WebSocket(`ws://${sluice.addresses.http}/tunnel`, { headers: { host: 'ws.example.com' } });
    await once(ws, 'open');
    const echoed = once(ws, 'message');
    ws.send(Buffer.alloc(100, 'w'));
    await echoed;
    // No line while the tunnel is open: the first line is written at close.
    assert.equal((await readFile(file, 'utf8')).includes('"/tunnel"'), false);
    ws.close();
    await once(ws, 'close');
    const l = await lineFor(file, '/tunnel');
    assert.equal(l.status, 101);
    // A masked 100-byte frame is 106 bytes plus the close frame; the echo 102 plus its close frame.
    assert.ok(Number(l.bytes_received) >= 106, `bytes_received ${l.bytes_received}`);
    assert.ok(Number(l.bytes_sent) >= 102, `bytes_sent ${l.bytes_sent}`);
    assert.equal(l.route, 'default/ws');
  });

  it('WebSocket over HTTP/2 (extended CONNECT): one line when the stream closes', async () => {
    const session = http2.connect(`http://${sluice.addresses.http}`);
    try {
      const [settings] = (await once(session, 'remoteSettings')) as [http2.Settings];
      assert.equal(settings.enableConnectProtocol, true);
      const stream = session.request({ ':method': 'CONNECT', ':protocol': 'websocket', ':scheme': 'http', ':path': '/h2-tunnel', ':authority': 'ws.example.com', 'sec-websocket-version': '13' });
      const [headers] = (await once(stream, 'response')) as [http2.IncomingHttpHeaders];
      assert.equal(headers[':status'], 200);
      // A masked text frame "hello" (11 bytes); the echo comes back unmasked (7 bytes).
      const mask = [1, 2, 3, 4];
      const frame = Buffer.from([0x81, 0x85, ...mask, ...Buffer.from('hello').map((c, i) => c ^ mask[i % 4]!)]);
      const echoed = once(stream, 'data');
      stream.write(frame);
      await echoed;
      stream.close();
      await once(stream, 'close');
      const l = await lineFor(file, '/h2-tunnel');
      assert.equal(l.status, 200);
      assert.equal(l.protocol, 'HTTP/2');
      assert.ok(Number(l.bytes_received) >= 11, `bytes_received ${l.bytes_received}`);
      assert.ok(Number(l.bytes_sent) >= 7, `bytes_sent ${l.bytes_sent}`);
    } finally {
      session.close();
    }
  });
});

describe('access log flags of request policies', () => {
  it('flags a request ext_authz denied UAEX, and one a rate limit refused RL', async () => {
    const echo = await startUpstream('echo');
    const authz = await startHttpAuthz();
    const config = await ConfigDir.create();
    const file = join(config.dir, '..', `sluice-access-policies-${process.pid}-${Date.now()}.log`);
    const site = (name: string, policy: string) => ingress(name, [{ hosts: [`${name}.example.com`], paths: [{ splits: [{ service: 'echo' }] }] }], { annotations: { 'sluice.dev/traffic-policy': policy } });
    await config.write('config.yaml', [
      site('authz', 'http-authz'),
      site('limited', 'one-per-minute'),
      trafficPolicy('http-authz', { extAuthz: { http: { url: `http://${authz.address}/check` }, timeout: '2s' } }),
      trafficPolicy('one-per-minute', { rateLimit: { requests: 1, unit: 'minute' } }),
      ...backend('echo', [{ ip: '127.0.0.1', port: echo.port }]),
    ]);
    const sluice = await startSluice(['serve', '--config', config.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--access-log', file, '--access-log-flush-interval', '50']);
    try {
      const addr = sluice.addresses.http!;
      assert.ok(await eventually(async () => (await get(addr, 'authz.example.com', '/ready', { authorization: 'Bearer good' })).status === 200, 10_000));
      assert.equal((await get(addr, 'authz.example.com', '/denied')).status, 401);
      const denied = await lineFor(file, '/denied');
      assert.equal(denied.flags, 'UAEX');
      assert.equal(denied.route, 'default/authz');
      assert.equal((await get(addr, 'limited.example.com', '/first')).status, 200);
      assert.equal((await get(addr, 'limited.example.com', '/second')).status, 429);
      assert.equal((await lineFor(file, '/second')).flags, 'RL');
      assert.equal((await lineFor(file, '/first')).flags, '-');
    } finally {
      await sluice.stop();
      await echo.close();
      await authz.close();
      await config.cleanup();
      await rm(file, { force: true });
    }
  });
});
