// A route's response header edits (decision.response) reach the client on every front end: the
// HTTP/1.1 fast path, node:http, HTTP/2 (raw HTTP/1.1 upstream, undici, h2c upstream), and the
// answers to WebSocket handshakes over HTTP/1.1 and HTTP/2. Two in-process gateways (with and
// without the fast path) serve real upstreams; the edits are put on their routes by hand
// (test/support/route-edits.ts), since no config file can write them yet.
import assert from 'node:assert/strict';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocketServer } from 'ws';
import { Gateway } from '../../src/gateway.ts';
import { silentLogger } from '../../src/log.ts';
import type { HeaderEdits } from '../../src/snapshot/types.ts';
import { FileSource } from '../../src/sources/file.ts';
import { defaultTranslateOptions } from '../../src/translate/options.ts';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { get } from '../support/http.ts';
import { editResponses } from '../support/route-edits.ts';

const EDITS: HeaderEdits = { set: [['x-set', 'route']], add: [['x-added', 'a']], remove: ['x-drop'] };
/** what every upstream answers with: one header to replace, one to remove, one to keep */
const UPSTREAM_FIELDS: Record<string, string> = { 'x-set': 'upstream', 'x-drop': '1', 'x-keep': '1' };

function assertEdited(headers: Record<string, unknown>, via: string): void {
  assert.equal(headers['x-set'], 'route', `${via}: a set replaces the upstream's value`);
  assert.equal(headers['x-added'], 'a', `${via}: an add is appended`);
  assert.equal(headers['x-drop'], undefined, `${via}: a remove drops the field`);
  assert.equal(headers['x-keep'], '1', `${via}: other fields pass`);
}

const withBound = <T>(p: Promise<T>, what: string): Promise<T> =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer within 10 s`)), 10_000).unref())]);

/** The response head of an HTTP/1.1 Upgrade sent on a raw socket, as name -> value (lower-case). */
async function upgradeHead(addr: string, host: string): Promise<{ status: number; headers: Record<string, string> }> {
  const i = addr.lastIndexOf(':');
  const sock = net.connect(Number(addr.slice(i + 1)), addr.slice(0, i));
  sock.on('error', () => {});
  try {
    const text = await withBound(
      new Promise<string>((resolve, reject) => {
        let got = '';
        sock.on('data', (d: Buffer) => {
          got += d.toString('latin1');
          const end = got.indexOf('\r\n\r\n');
          if (end >= 0) resolve(got.slice(0, end));
        });
        sock.once('close', () => reject(new Error(`closed before a head: ${got}`)));
        sock.write(`GET /chat HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
      }),
      'upgrade',
    );
    const [line, ...fields] = text.split('\r\n');
    const headers: Record<string, string> = {};
    for (const f of fields) {
      const c = f.indexOf(':');
      const name = f.slice(0, c).trim().toLowerCase();
      headers[name] = headers[name] === undefined ? f.slice(c + 1).trim() : `${headers[name]}, ${f.slice(c + 1).trim()}`;
    }
    return { status: Number(line!.split(' ')[1]), headers };
  } finally {
    sock.destroy();
  }
}

async function h2Request(session: http2.ClientHttp2Session, headers: http2.OutgoingHttpHeaders, body?: string): Promise<http2.IncomingHttpHeaders> {
  const stream = session.request(headers, { endStream: body === undefined });
  if (body !== undefined) stream.end(body);
  return withBound(
    new Promise((resolve, reject) => {
      stream.once('response', (h) => {
        stream.resume();
        stream.once('end', () => resolve(h));
      });
      stream.once('error', reject);
    }),
    'HTTP/2 request',
  );
}

describe('route response header edits on every front end', () => {
  let cfg: ConfigDir;
  let fast: Gateway;
  let node: Gateway;
  let plain: http.Server;
  let h2c: http2.Http2Server;
  let ws: WebSocketServer;
  let session: http2.ClientHttp2Session;

  before(async () => {
    plain = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { ...UPSTREAM_FIELDS, 'content-type': 'text/plain', 'content-length': 2 });
        res.end('ok');
      });
    });
    h2c = http2.createServer();
    h2c.on('stream', (stream) => {
      stream.respond({ ':status': 200, ...UPSTREAM_FIELDS });
      stream.end('ok');
    });
    ws = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    ws.on('headers', (headers) => headers.push(...Object.entries(UPSTREAM_FIELDS).map(([n, v]) => `${n}: ${v}`)));
    await Promise.all([
      new Promise<void>((r) => plain.listen(0, '127.0.0.1', () => r())),
      new Promise<void>((r) => h2c.listen(0, '127.0.0.1', () => r())),
      new Promise<void>((r) => ws.once('listening', () => r())),
    ]);
    const port = (s: { address(): unknown }): number => (s.address() as net.AddressInfo).port;
    cfg = await ConfigDir.create();
    await cfg.write('edits.yaml', [
      ingress('edits', [
        { hosts: ['plain.example.com'], paths: [{ splits: [{ service: 'plain' }] }] },
        { hosts: ['h2c.example.com'], paths: [{ splits: [{ service: 'h2' }] }] },
        { hosts: ['ws.example.com'], paths: [{ splits: [{ service: 'ws' }] }] },
      ]),
      ...backend('plain', [{ ip: '127.0.0.1', port: port(plain) }]),
      ...backend('h2', [{ ip: '127.0.0.1', port: port(h2c) }], { portName: 'h2c' }),
      ...backend('ws', [{ ip: '127.0.0.1', port: port(ws) }]),
    ]);
    const start = (fastPath: boolean): Promise<Gateway> =>
      Gateway.start({
        source: new FileSource({ dir: cfg.dir, watch: false }),
        translate: defaultTranslateOptions,
        http: { host: '127.0.0.1', port: 0 },
        log: silentLogger(),
        fastPath,
        drainTimeout: 1000,
      });
    [fast, node] = await Promise.all([start(true), start(false)]);
    editResponses(fast.dataPlane, EDITS);
    editResponses(node.dataPlane, EDITS);
    session = http2.connect(`http://${fast.addresses.http}`);
    session.on('error', () => {});
  });

  after(async () => {
    session?.destroy();
    await Promise.all([fast?.stop(), node?.stop()]);
    for (const c of ws?.clients ?? []) c.terminate();
    await Promise.all([
      new Promise((r) => (ws ? ws.close(r) : r(undefined))),
      new Promise((r) => {
        plain?.closeAllConnections();
        plain ? plain.close(r) : r(undefined);
      }),
      new Promise((r) => (h2c ? h2c.close(r) : r(undefined))),
    ]);
    await cfg?.cleanup();
  });

  it('HTTP/1.1 fast path: a GET and a POST with a body', async () => {
    const g = await get(fast.addresses.http!, 'plain.example.com');
    assert.equal(g.status, 200);
    assertEdited(g.headers, 'fast GET');
    const p = await get(fast.addresses.http!, 'plain.example.com', '/', {}, { method: 'POST', body: 'hello' });
    assert.equal(p.status, 200);
    assertEdited(p.headers, 'fast POST');
  });

  it('node:http: to an HTTP/1.1 upstream (--no-fast-path) and to an h2c upstream', async () => {
    const g = await get(node.addresses.http!, 'plain.example.com');
    assert.equal(g.status, 200);
    assertEdited(g.headers, 'node:http');
    const h = await get(fast.addresses.http!, 'h2c.example.com');
    assert.equal(h.status, 200);
    assertEdited(h.headers, 'node:http to h2c');
  });

  it('HTTP/2: raw HTTP/1.1 upstream (GET), undici (POST with a body), h2c upstream', async () => {
    assertEdited(await h2Request(session, { ':path': '/', ':authority': 'plain.example.com' }), 'h2 raw');
    assertEdited(await h2Request(session, { ':method': 'POST', ':path': '/', ':authority': 'plain.example.com' }, 'body'), 'h2 undici');
    assertEdited(await h2Request(session, { ':path': '/', ':authority': 'h2c.example.com' }), 'h2 to h2c');
  });

  it("WebSocket over HTTP/1.1: the upstream's 101", async () => {
    const { status, headers } = await upgradeHead(fast.addresses.http!, 'ws.example.com');
    assert.equal(status, 101);
    assertEdited(headers, 'upgrade');
    assert.equal(headers.upgrade, 'websocket');
  });

  it('WebSocket over HTTP/2 (RFC 8441): the 200 made of the upstream 101', async () => {
    const stream = session.request({ ':method': 'CONNECT', ':protocol': 'websocket', ':scheme': 'http', ':path': '/', ':authority': 'ws.example.com', 'sec-websocket-version': '13' });
    stream.on('error', () => {});
    const headers = await withBound(new Promise<http2.IncomingHttpHeaders>((r) => stream.once('response', r)), 'extended CONNECT');
    stream.close();
    assert.equal(headers[':status'], 200);
    assertEdited(headers, 'h2 websocket');
  });
});
