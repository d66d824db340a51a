// WebSockets over HTTP/2 (RFC 8441 extended CONNECT) through the real `sluice serve` process: an
// HTTP/2 client (node:http2, on h2c and on h2 over TLS) opens a `:protocol websocket` stream, and a
// `ws` server upstream sees an ordinary HTTP/1.1 upgrade. Frames are written and read by hand
// (RFC 6455 5.2), so what the test checks is the bytes on the stream.
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import http2 from 'node:http2';
import { after, before, describe, it } from 'node:test';
import { WebSocketServer } from 'ws';
import { makeCert, tlsSecret } from '../proxy/certs.ts';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { eventually } from '../support/http.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';

interface Upstream {
  readonly server: WebSocketServer;
  readonly port: number;
  lastHeaders: IncomingHttpHeaders;
}

async function startUpstream(): Promise<Upstream> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: (protocols) => (protocols.has('chat') ? 'chat' : false) });
  await new Promise<void>((r) => server.once('listening', () => r()));
  const u: Upstream = { server, port: (server.address() as { port: number }).port, lastHeaders: {} };
  server.on('connection', (ws, req) => {
    u.lastHeaders = req.headers;
    ws.on('message', (data) => ws.send(`echo:${data.toString()}`));
  });
  return u;
}

/** A masked client text frame (RFC 6455 5.2; payloads under 126 bytes). */
function clientFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = Buffer.from([1, 2, 3, 4]);
  const out = Buffer.alloc(6 + payload.length);
  out[0] = 0x81;
  out[1] = 0x80 | payload.length;
  mask.copy(out, 2);
  for (let i = 0; i < payload.length; i++) out[6 + i] = payload[i]! ^ mask[i % 4]!;
  return out;
}

/** The payload of the first complete unmasked server text frame in `buf` (short frames). */
function serverText(buf: Buffer): string | undefined {
  if (buf.length < 2) return undefined;
  const len = buf[1]! & 0x7f;
  if (buf.length < 2 + len) return undefined;
  return buf.subarray(2, 2 + len).toString();
}

function connect(url: string, servername?: string): Promise<http2.ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url, { rejectUnauthorized: false, ...(servername ? { servername } : {}) });
    session.once('remoteSettings', (settings) => {
      if (settings.enableConnectProtocol) resolve(session);
      else reject(new Error('the server did not offer SETTINGS_ENABLE_CONNECT_PROTOCOL'));
    });
    session.once('error', reject);
  });
}

interface Opened {
  readonly status: number;
  readonly headers: http2.IncomingHttpHeaders;
  readonly stream: http2.ClientHttp2Stream;
}

function openWebSocket(session: http2.ClientHttp2Session, authority: string, path: string, extra: http2.OutgoingHttpHeaders = {}): Promise<Opened> {
  const stream = session.request({ ':method': 'CONNECT', ':protocol': 'websocket', ':scheme': 'https', ':path': path, ':authority': authority, 'sec-websocket-version': '13', ...extra });
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no response within 10 s')), 10_000);
    stream.once('response', (headers) => {
      clearTimeout(t);
      resolve({ status: Number(headers[':status']), headers, stream });
    });
    stream.once('error', (e) => {
      clearTimeout(t);
      reject(e);
    });
  });
}

function roundTrip(stream: http2.ClientHttp2Stream, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const t = setTimeout(() => reject(new Error('no echo within 10 s')), 10_000);
    const onData = (d: Buffer): void => {
      buf = Buffer.concat([buf, d]);
      const text = serverText(buf);
      if (text === undefined) return;
      clearTimeout(t);
      stream.off('data', onData);
      resolve(text);
    };
    stream.on('data', onData);
    stream.write(clientFrame(text));
  });
}

describe('WebSockets over HTTP/2 (RFC 8441)', () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let up: Upstream;
  const sessions: http2.ClientHttp2Session[] = [];

  before(async () => {
    up = await startUpstream();
    cfg = await ConfigDir.create();
    await cfg.write('backends.yaml', [
      ...backend('ws', [{ ip: '127.0.0.1', port: up.port }]),
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'empty', namespace: 'default' }, spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] } },
    ]);
    const cert = makeCert(cfg.dir, 'ws-cert', ['ws.example.com']);
    await cfg.write('ingress.yaml', [
      tlsSecret('ws-cert', cert),
      ingress('ws', [{ hosts: ['ws.example.com'], paths: [{ path: '/empty', splits: [{ service: 'empty' }] }, { appendHeaders: { 'X-Route': 'ws' }, splits: [{ service: 'ws' }] }] }], {
        tls: [{ hosts: ['ws.example.com'], secretName: 'ws-cert', secretNamespace: 'default' }],
      }),
    ]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--https', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
  });

  after(async () => {
    for (const s of sessions) s.destroy();
    await sluice?.stop();
    for (const c of up?.server.clients ?? []) c.terminate();
    await new Promise<void>((r) => (up ? up.server.close(() => r()) : r()));
    await cfg?.cleanup();
  });

  it('tunnels a WebSocket opened as an HTTP/2 stream on h2c to an HTTP/1.1 WebSocket upstream', async () => {
    const session = await connect(`http://${sluice.addresses.http}`);
    sessions.push(session);
    const { status, headers, stream } = await openWebSocket(session, 'ws.example.com', '/chat?room=1', { 'sec-websocket-protocol': 'chat' });
    assert.equal(status, 200);
    assert.equal(headers['sec-websocket-protocol'], 'chat');
    assert.equal(headers['sec-websocket-accept'], undefined);
    assert.equal(await roundTrip(stream, 'hello'), 'echo:hello');
    assert.equal(await roundTrip(stream, 'again'), 'echo:again');
    // The upstream saw an ordinary upgrade, routed and edited like any request.
    assert.equal(up.lastHeaders.upgrade, 'websocket');
    assert.equal(up.lastHeaders['x-route'], 'ws');
    assert.equal(up.lastHeaders.host, 'ws.example.com');
    stream.close();
  });

  it('tunnels one over h2 on the TLS listener as well', async () => {
    const session = await connect(`https://${sluice.addresses.https}`, 'ws.example.com');
    sessions.push(session);
    const { status, stream } = await openWebSocket(session, 'ws.example.com', '/');
    assert.equal(status, 200);
    assert.equal(await roundTrip(stream, 'tls'), 'echo:tls');
    stream.close();
  });

  it('ends the upstream connection when the client closes the stream, and the stream when the upstream closes', async () => {
    const session = await connect(`http://${sluice.addresses.http}`);
    sessions.push(session);
    // Tunnels of the tests before may still be closing upstream: count from none.
    assert.ok(await eventually(() => up.server.clients.size === 0), `${up.server.clients.size} upstream WebSockets still open`);
    const before = 0;
    const first = await openWebSocket(session, "ws.example.com", "/");
    assert.equal(await roundTrip(first.stream, 'x'), 'echo:x');
    assert.equal(up.server.clients.size, before + 1);
    const gone = new Promise<void>((r) => [...up.server.clients].at(-1)!.once('close', () => r()));
    first.stream.close(http2.constants.NGHTTP2_CANCEL);
    await gone;

    const second = await openWebSocket(session, 'ws.example.com', '/');
    assert.equal(await roundTrip(second.stream, 'y'), 'echo:y');
    const ended = new Promise<void>((r) => second.stream.once('close', () => r()));
    second.stream.resume();
    for (const c of up.server.clients) c.terminate();
    await ended;
  });

  it('answers 404 and 503 on the stream when there is no route or no endpoint', async () => {
    const session = await connect(`http://${sluice.addresses.http}`);
    sessions.push(session);
    assert.equal((await openWebSocket(session, 'nobody.example.com', '/')).status, 404);
    assert.equal((await openWebSocket(session, 'ws.example.com', '/empty')).status, 503);
    // The session still serves ordinary requests afterwards.
    const s = session.request({ ':path': '/', ':authority': 'nobody.example.com' });
    const st = await new Promise<number>((r) => s.once('response', (h) => r(Number(h[':status']))));
    s.close();
    assert.equal(st, 404);
  });
});
