// Every HTTP/1.1 request on every listener is held to the fast path's strictness, including the
// requests node:http parses (after a hand-off, with --no-fast-path, on --https), and paths are
// normalised before routing on every front end (HTTP/2 included).
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeCert, tlsSecret } from '../proxy/certs.ts';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { type Upstream, startUpstream } from '../support/upstream.ts';
import { rawExchange, statuses } from './raw-client.ts';

const HOST = 'strict.example.com';
const get = (target: string, ...headers: string[]): string => [`GET ${target} HTTP/1.1`, `Host: ${HOST}`, ...headers, '', ''].join('\r\n');
/** The `url` the echo upstream saw, from its JSON answer. */
const urlsSeen = (text: string): string[] => [...text.matchAll(/"url":"([^"]*)"/g)].map((m) => m[1]!);

describe('strict HTTP/1.1 and path normalisation (sluice serve)', () => {
  let certDir: string;
  let cfg: ConfigDir;
  let fast: SluiceProcess;
  let slow: SluiceProcess;
  let asSent: SluiceProcess;
  let echo: Upstream;
  /** [name, address, TLS servername] for each way node:http or the fast path gets a request */
  let paths: Array<[string, string, string | undefined]>;

  before(async () => {
    certDir = await mkdtemp(join(tmpdir(), 'sluice-strict-'));
    const cert = makeCert(certDir, 'strict', [HOST]);
    echo = await startUpstream('echo');
    cfg = await ConfigDir.create();
    await cfg.write('all.yaml', [
      ...backend('echo', [{ ip: '127.0.0.1', port: echo.port }]),
      tlsSecret('strict-tls', cert),
      ingress('strict', [{ hosts: [HOST], paths: [{ path: '/public', splits: [{ service: 'echo' }] }] }], { tls: [{ hosts: [HOST], secretName: 'strict-tls', secretNamespace: 'default' }] }),
    ]);
    const args = ['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--https', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0'];
    [fast, slow, asSent] = await Promise.all([
      startSluice(args, ['http', 'https']),
      startSluice([...args, '--no-fast-path'], ['http', 'https']),
      startSluice([...args, '--no-normalize-path'], ['http']),
    ]);
    paths = [
      ['fast path', fast.addresses.http!, undefined],
      ['node:http', slow.addresses.http!, undefined],
      ['https', fast.addresses.https!, HOST],
      ['https, node:http', slow.addresses.https!, HOST],
    ];
  });

  after(async () => {
    await Promise.all([fast?.stop(), slow?.stop(), asSent?.stop()]);
    await echo?.close();
    await cfg?.cleanup();
    if (certDir) await rm(certDir, { recursive: true, force: true });
  });

  it('matches routes on the normalised path and forwards that path, on every HTTP/1.1 path', async () => {
    for (const [name, addr, tls] of paths) {
      for (const target of ['/public/../private', '/public/%2e%2e/private', '/public/.%2E/private', '//public/../private']) {
        const { text } = await rawExchange(addr, [get(target, 'Connection: close')], { tlsServername: tls });
        assert.deepEqual(statuses(text), [404], `${name} ${target}: not the /public route`);
      }
      const { text } = await rawExchange(addr, [get('/public/./a//b/%7Ec/../d?q=/../x', 'Connection: close')], { tlsServername: tls });
      assert.deepEqual(statuses(text), [200], name);
      assert.deepEqual(urlsSeen(text), ['/public/a/b/d?q=/../x'], `${name}: the upstream gets the path that was routed`);
    }
  });

  it('serves HTTP/1.1 over TLS on the fast path, and on node:http with --no-fast-path', async () => {
    // node:http adds `Keep-Alive: timeout=N` to its keep-alive answers; the fast path never does.
    const viaFast = await rawExchange(fast.addresses.https!, [get('/public/tls')], { tlsServername: HOST, until: (t) => t.includes('}') });
    assert.deepEqual(statuses(viaFast.text), [200]);
    assert.doesNotMatch(viaFast.text, /^keep-alive: timeout=/im);
    assert.match(viaFast.text, /"x-forwarded-proto":"https"/);
    const viaNode = await rawExchange(slow.addresses.https!, [get('/public/tls')], { tlsServername: HOST, until: (t) => t.includes('}') });
    assert.match(viaNode.text, /^keep-alive: timeout=/im);
  });

  it('routes and forwards paths as sent with --no-normalize-path', async () => {
    const { text } = await rawExchange(asSent.addresses.http!, [get('/public/../private', 'Connection: close')]);
    assert.deepEqual(statuses(text), [200]);
    assert.deepEqual(urlsSeen(text), ['/public/../private']);
  });

  it('normalises HTTP/2 paths and refuses a fragment in :path', async () => {
    const session = http2.connect(`http://${fast.addresses.http}`);
    session.on('error', () => {});
    try {
      const h2get = (path: string): Promise<{ status: number; body: string }> =>
        new Promise((resolve, reject) => {
          const req = session.request({ ':path': path, ':authority': HOST });
          req.setTimeout(5000, () => req.close(http2.constants.NGHTTP2_CANCEL));
          let status = 0;
          let body = '';
          req.on('response', (h) => (status = Number(h[':status'])));
          req.on('data', (d: Buffer) => (body += d.toString()));
          req.on('end', () => resolve({ status, body }));
          req.on('error', reject);
        });
      assert.equal((await h2get('/public/../private')).status, 404);
      assert.equal((await h2get('/public/x#/../../private')).status, 400);
    } finally {
      session.destroy();
    }
  });

  it('routes an absolute-form request by the host in its target, and refuses userinfo', async () => {
    for (const [name, addr, tls] of paths) {
      const { text } = await rawExchange(addr, [`GET http://${HOST.toUpperCase()}/public/a/../b?x=1 HTTP/1.1\r\nHost: other.example\r\nConnection: close\r\n\r\n`], { tlsServername: tls });
      assert.deepEqual(statuses(text), [200], `${name}: ${text}`);
      assert.deepEqual(urlsSeen(text), ['/public/b?x=1'], name);
      assert.match(text, new RegExp(`"host":"${HOST.toUpperCase()}"`, 'i'), `${name}: the target's host is the Host sent upstream`);
      const userinfo = await rawExchange(addr, [`GET http://user@${HOST}/public HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`], { tlsServername: tls });
      assert.deepEqual(statuses(userinfo.text), [400], `${name}: userinfo`);
    }
  });

  it('refuses a second Host with 400 and closes, also after a hand-off to node:http', async () => {
    for (const [name, addr, tls] of paths) {
      // The absolute-form first request makes the fast path hand the connection to node:http.
      const first = `GET http://${HOST}/public HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`;
      const before = echo.requests.length;
      const { text, closed } = await rawExchange(addr, [first, get('/public/second', 'Host: evil.example')], { gapMs: 100, tlsServername: tls });
      assert.deepEqual(statuses(text), [200, 400], `${name}: ${text}`);
      assert.ok(closed, `${name}: closed`);
      assert.deepEqual(echo.requests.slice(before).map((r) => r.url), ['/public'], name);
      const upgrade = get('/public/ws', 'Host: evil.example', 'Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==');
      const ws = await rawExchange(addr, [upgrade], { tlsServername: tls });
      assert.deepEqual(statuses(ws.text), [400], `${name}: Upgrade`);
    }
  });

  it('answers HTTP/1.0 with Transfer-Encoding with 400 and closes (RFC 9112 6.1)', async () => {
    for (const [name, addr, tls] of paths) {
      const req = `POST /public HTTP/1.0\r\nHost: ${HOST}\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`;
      const { text, closed } = await rawExchange(addr, [req, `GET /public HTTP/1.0\r\nHost: ${HOST}\r\n\r\n`], { gapMs: 100, tlsServername: tls });
      assert.deepEqual(text.match(/^HTTP\/1\.[01] (\d{3})/gm), ['HTTP/1.1 400'], `${name}: ${text}`);
      assert.ok(closed, `${name}: closed`);
    }
  });

  it('refuses a Transfer-Encoding other than chunked alone, on every HTTP/1.1 path', async () => {
    for (const [name, addr, tls] of paths) {
      const req = `POST /public HTTP/1.1\r\nHost: ${HOST}\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`;
      const { text, closed } = await rawExchange(addr, [req], { tlsServername: tls });
      assert.deepEqual(statuses(text), [400], `${name}: ${text}`);
      assert.ok(closed, `${name}: closed`);
    }
  });
});
