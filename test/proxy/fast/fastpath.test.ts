// The raw-socket fast path through the real `sluice serve` process: what it serves itself, and the
// requests it hands to node:http (compared with a second process started with --no-fast-path).
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../../support/config.ts';
import { type SluiceProcess, startSluice } from '../../support/sluice.ts';
import { type Upstream, startUpstream } from '../../support/upstream.ts';

/** Sends raw bytes on a new connection and collects everything until the server closes (bounded). */
async function rawExchange(addr: string, chunks: Array<string | Buffer>, opts: { gapMs?: number; boundMs?: number; until?: (text: string) => boolean } = {}): Promise<string> {
  const [host, port] = [addr.slice(0, addr.lastIndexOf(':')), Number(addr.slice(addr.lastIndexOf(':') + 1))];
  const sock = net.connect(port, host);
  sock.on('error', () => {});
  let text = '';
  sock.on('data', (d: Buffer) => (text += d.toString('latin1')));
  await new Promise<void>((r) => sock.once('connect', () => r()));
  for (const c of chunks) {
    sock.write(c);
    if (opts.gapMs) await new Promise((r) => setTimeout(r, opts.gapMs));
  }
  const until = Date.now() + (opts.boundMs ?? 5000);
  while (!sock.destroyed && sock.readyState !== 'closed' && Date.now() < until && !(opts.until?.(text) ?? false)) {
    await new Promise((r) => setTimeout(r, 10));
  }
  sock.destroy();
  return text;
}

const statuses = (text: string): number[] => [...text.matchAll(/HTTP\/1\.1 (\d{3}) [A-Z]/g)].map((m) => Number(m[1]));
/** node:http adds `Keep-Alive: timeout=N` to its keep-alive responses; the fast path never does. */
const fromNodeHttp = (text: string): boolean => /^keep-alive: timeout=/im.test(text);

describe('HTTP/1.1 fast path (sluice serve)', () => {
  let cfg: ConfigDir;
  let fast: SluiceProcess;
  let slow: SluiceProcess;
  let echo: Upstream;
  let special: Upstream;
  let flaky: Upstream;
  let upstreamSockets = 0;

  before(async () => {
    echo = await startUpstream('echo');
    echo.server.on('connection', () => upstreamSockets++);
    special = await startUpstream('special', (req, res) => {
      if (req.url === '/special/close-delimited') {
        // No Content-Length, no chunking: the body ends when the upstream closes.
        res.socket!.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nuntil close');
        res.socket!.end();
        return;
      }
      if (req.url === '/special/chunked') {
        res.writeHead(200, { 'content-type': 'text/plain', trailer: 'x-sum' });
        res.write('one,');
        res.addTrailers({ 'x-sum': '42' });
        res.end('two');
        return;
      }
      if (req.url === '/special/continue') {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 });
        res.end('ok');
        return;
      }
      res.writeHead(204);
      res.end();
    });
    special.server.on('checkContinue', (req, res) => {
      res.writeContinue();
      special.server.emit('request', req, res);
    });
    // Answers the first request on each connection and drops the connection at the second, as an
    // upstream whose keep-alive timeout fires just as the proxy reuses the connection.
    const served = new WeakMap<object, number>();
    flaky = await startUpstream('flaky', (req, res) => {
      const n = (served.get(req.socket) ?? 0) + 1;
      served.set(req.socket, n);
      if (n > 1) return void req.socket.destroy();
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 5 });
      res.end('fresh');
    });
    cfg = await ConfigDir.create();
    await cfg.write('all.yaml', [
      ...backend('echo', [{ ip: '127.0.0.1', port: echo.port }]),
      ...backend('special', [{ ip: '127.0.0.1', port: special.port }]),
      ...backend('flaky', [{ ip: '127.0.0.1', port: flaky.port }]),
      ingress('fast', [
        {
          hosts: ['fast.example.com'],
          paths: [{ path: '/special', splits: [{ service: 'special' }] }, { path: '/flaky', splits: [{ service: 'flaky' }] }, { splits: [{ service: 'echo' }] }],
        },
      ]),
    ]);
    const args = ['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0'];
    [fast, slow] = await Promise.all([startSluice(args), startSluice([...args, '--no-fast-path'])]);
  });

  after(async () => {
    await Promise.all([fast?.stop(), slow?.stop()]);
    await Promise.all([echo?.close(), special?.close(), flaky?.close()]);
    await cfg?.cleanup();
  });

  it('serves plain keep-alive GETs itself, over one reused upstream connection', async () => {
    const before = upstreamSockets;
    const req = 'GET /a HTTP/1.1\r\nHost: fast.example.com\r\nX-Forwarded-For: 10.0.0.1\r\n\r\n';
    const text = await rawExchange(fast.addresses.http!, [req, req, req], { gapMs: 50, until: (t) => statuses(t).length === 3 });
    assert.deepEqual(statuses(text), [200, 200, 200]);
    assert.equal(fromNodeHttp(text), false, 'answered by the fast path');
    assert.ok(upstreamSockets - before <= 1, `one upstream connection for three requests, saw ${upstreamSockets - before}`);
    const seen = echo.requests.at(-1)!;
    assert.equal(seen.headers['x-forwarded-for'], '10.0.0.1, 127.0.0.1');
    assert.equal(seen.headers['x-forwarded-proto'], 'http');
    assert.equal(seen.headers.host, 'fast.example.com');
  });

  it('answers pipelined requests in order', async () => {
    const reqs = ['/one', '/two', '/three'].map((p) => `GET ${p} HTTP/1.1\r\nHost: fast.example.com\r\n\r\n`).join('');
    const text = await rawExchange(fast.addresses.http!, [`${reqs}GET /nope HTTP/1.1\r\nHost: nobody.example\r\nConnection: close\r\n\r\n`]);
    assert.deepEqual(statuses(text), [200, 200, 200, 404]);
    const urls = [...text.matchAll(/"url":"([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(urls, ['/one', '/two', '/three']);
  });

  it('streams a chunked request body, re-framed, and a HEAD without a body', async () => {
    const body = 'POST /up HTTP/1.1\r\nHost: fast.example.com\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n';
    const text = await rawExchange(fast.addresses.http!, [body, '6\r\n world\r\n0\r\n\r\n', 'HEAD /h HTTP/1.1\r\nHost: fast.example.com\r\nConnection: close\r\n\r\n'], { gapMs: 30 });
    assert.deepEqual(statuses(text), [200, 200]);
    assert.match(text, /"bodyBytes":11/);
    assert.match(text, /"transfer-encoding":"chunked"/);
    // The HEAD response carries the upstream's Content-Length but no body: the text ends with its head.
    assert.ok(text.endsWith('\r\n\r\n'), JSON.stringify(text.slice(-80)));
  });

  it('passes close-delimited, chunked-with-trailers and 204 responses through', async () => {
    const close = await http1Get(fast.addresses.http!, '/special/close-delimited');
    assert.deepEqual([close.status, close.body], [200, 'until close']);
    const chunked = await http1Get(fast.addresses.http!, '/special/chunked');
    assert.deepEqual([chunked.status, chunked.body, chunked.trailers['x-sum']], [200, 'one,two', '42']);
    const empty = await http1Get(fast.addresses.http!, '/special/nothing');
    assert.deepEqual([empty.status, empty.body], [204, '']);
  });

  it('retries a bodyless request once when a reused upstream connection turns out closed', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await http1Get(fast.addresses.http!, '/flaky');
      assert.deepEqual([r.status, r.body], [200, 'fresh'], `request ${i}`);
    }
  });

  it('does not resend a non-idempotent request on a reused connection the upstream dropped', async () => {
    assert.deepEqual((await http1Get(fast.addresses.http!, '/flaky')).status, 200, 'leaves a pooled connection behind');
    // The upstream may have acted on the POST before dropping the connection: 503, not a second POST.
    assert.equal((await http1Get(fast.addresses.http!, '/flaky', 'POST')).status, 503);
  });

  it('refuses smuggling-shaped requests with 400 and closes', async () => {
    const text = await rawExchange(fast.addresses.http!, ['POST / HTTP/1.1\r\nHost: fast.example.com\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: fast.example.com\r\n\r\n']);
    assert.deepEqual(statuses(text), [400]);
    assert.ok(!echo.requests.some((r) => r.url === '/smuggled'));
  });

  it('hands Expect: 100-continue to node:http, with the same answer as --no-fast-path', async () => {
    const run = (addr: string) =>
      rawExchange(addr, ['POST /special/continue HTTP/1.1\r\nHost: fast.example.com\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n', 'data'], {
        gapMs: 100,
        boundMs: 3000,
        until: (t) => statuses(t).some((s) => s >= 200),
      });
    const [viaFast, viaNode] = await Promise.all([run(fast.addresses.http!), run(slow.addresses.http!)]);
    assert.ok(statuses(viaNode).length > 0, viaNode);
    assert.deepEqual(statuses(viaFast), statuses(viaNode));
    assert.equal(fromNodeHttp(viaFast), true, 'answered by node:http');
  });

  it('hands Upgrade requests to node:http, with the same answer as --no-fast-path', async () => {
    const req = 'GET /ws HTTP/1.1\r\nHost: fast.example.com\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n';
    const [viaFast, viaNode] = await Promise.all([
      rawExchange(fast.addresses.http!, [req], { boundMs: 3000, until: (t) => t.includes('\r\n\r\n') }),
      rawExchange(slow.addresses.http!, [req], { boundMs: 3000, until: (t) => t.includes('\r\n\r\n') }),
    ]);
    assert.deepEqual(statuses(viaFast), statuses(viaNode));
  });

  it('keeps serving on the fast path after handing a connection to node:http', async () => {
    const text = await rawExchange(fast.addresses.http!, ['GET /after HTTP/1.1\r\nHost: fast.example.com\r\nConnection: close\r\n\r\n']);
    assert.deepEqual(statuses(text), [200]);
    assert.equal(fromNodeHttp(text), false);
  });
});

function http1Get(addr: string, path: string, method = 'GET'): Promise<{ status: number; body: string; trailers: NodeJS.Dict<string> }> {
  const [host, port] = [addr.slice(0, addr.lastIndexOf(':')), Number(addr.slice(addr.lastIndexOf(':') + 1))];
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, path, method, headers: { host: 'fast.example.com' }, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body, trailers: res.trailers }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}
