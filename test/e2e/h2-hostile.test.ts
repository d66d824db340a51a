// Hostile HTTP/2 clients against the real `sluice serve` process, with hand-built frames: a client
// that commits a connection error (an oversized DATA frame, a bad pad length, DATA on stream 0)
// while its request waits on a slow upstream must not take the process down when the upstream
// later answers or cuts the request, on h2c (--http) and h2 (--https), on every upstream path
// (undici to HTTP/1.1, raw HTTP/1.1 sockets, h2c); its connection must be released; and malformed
// header blocks end in a stream or session error, never a crash.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import http2 from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { eventually, get } from '../support/http.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { makeCert, tlsSecret, type TestCert } from '../proxy/certs.ts';
import { DATA, frame, goawayCode, headerFrames, headersFrame, PADDED, RawH2, requestFields, RST_STREAM } from '../proxy/h2-frames.ts';
import { type LateUpstream, startLateH1, startLateH2c } from '../proxy/late-upstreams.ts';
import { acceptedConnections, portOf } from '../proxy/proc-fds.ts';

const HOST = 'hostile.example.com';
const LATE_MS = 2500;

/** Connection errors a client can commit on stream 1 after its request (RFC 9113 4.2, 6.1, 6.1). */
const CONNECTION_ERRORS: Record<string, Buffer> = {
  'oversized DATA frame': frame(DATA, 0, 1, Buffer.alloc(20_000)),
  'bad pad length': frame(DATA, PADDED, 1, Buffer.from([200, 1, 2, 3])),
  'DATA on stream 0': frame(DATA, 0, 0, Buffer.from('x')),
};

/** Requests that wait on the late upstreams: [method, path] (a bodiless GET to HTTP/1.1 takes the raw sockets). */
const REQUESTS: Array<readonly [string, string]> = [
  ['POST', '/h1/close'], // undici, its error path
  ['POST', '/h1/late'], // undici, a late answer
  ['GET', '/h1/close'], // raw HTTP/1.1 sockets
  ['GET', '/h1/late'],
  ['POST', '/h2c/close'], // h2c upstream, a reset
  ['POST', '/h2c/late'],
];

describe('hostile HTTP/2 clients (sluice serve)', () => {
  let certDir: string;
  let cert: TestCert;
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let h1: LateUpstream;
  let h2c: LateUpstream;
  const clients: RawH2[] = [];

  before(async () => {
    certDir = await mkdtemp(join(tmpdir(), 'sluice-hostile-'));
    cert = makeCert(certDir, 'hostile', [HOST]);
    h1 = await startLateH1(LATE_MS);
    h2c = await startLateH2c(LATE_MS);
    cfg = await ConfigDir.create();
    await cfg.write('all.yaml', [
      ...backend('h1', [{ ip: '127.0.0.1', port: h1.port }]),
      ...backend('h2c', [{ ip: '127.0.0.1', port: h2c.port }], { portName: 'h2c' }),
      tlsSecret('hostile-cert', cert),
      ingress('hostile', [{ hosts: [HOST], paths: [{ path: '/h1', splits: [{ service: 'h1' }] }, { path: '/h2c', splits: [{ service: 'h2c' }] }] }], {
        tls: [{ hosts: [HOST], secretName: 'hostile-cert' }],
      }),
    ]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--https', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0',
      '--client-body-timeout', '1', '--idle-timeout', '2'], ['http', 'https', 'local', 'admin']);
  });

  after(async () => {
    for (const c of clients) c.destroy();
    await sluice?.stop();
    await h1?.close();
    await h2c?.close();
    await cfg?.cleanup();
    if (certDir) await rm(certDir, { recursive: true, force: true });
  });

  async function assertServing(): Promise<void> {
    assert.equal(sluice.child.exitCode, null, `sluice exited: ${sluice.stderr().slice(-2000)}`);
    const s = http2.connect(`https://${sluice.addresses.https!}`, { servername: HOST, ca: cert.cert });
    s.on('error', () => {});
    try {
      for (const path of ['/h1/quick', '/h2c/quick']) {
        const status = await new Promise<number>((resolve, reject) => {
          const req = s.request({ ':path': path, ':authority': HOST });
          const t = setTimeout(() => reject(new Error(`${path} timed out`)), 5000);
          req.on('response', (h) => resolve(Number(h[':status'])));
          req.on('error', reject);
          req.on('close', () => clearTimeout(t));
          req.resume();
        });
        assert.equal(status, 200, path);
      }
    } finally {
      s.destroy();
    }
    assert.equal((await get(sluice.addresses.http!, HOST, '/h1/quick')).status, 200);
  }

  it('survives connection errors committed while requests wait on slow upstreams, and releases those connections', async () => {
    const listeners = [{ name: 'http', servername: undefined }, { name: 'https', servername: HOST }] as const;
    const h1Before = h1.requests;
    const h2cBefore = h2c.requests;
    let n = 0;
    for (const l of listeners) {
      for (const [method, path] of REQUESTS) {
        for (const [what, bad] of Object.entries(CONNECTION_ERRORS)) {
          const c = await RawH2.connect(sluice.addresses[l.name]!, l.servername);
          clients.push(c);
          const body = method === 'POST';
          c.send(headersFrame(1, requestFields(method, HOST, path, [], l.servername ? 'https' : 'http'), !body));
          if (body) c.send(frame(DATA, 0, 1, Buffer.from('part of a body')));
          // The error comes once the request waits on its upstream: sent in the same read, newer
          // nghttp2 (Node 22+) fails the session before the stream is ever dispatched.
          const seen = h1.requests + h2c.requests;
          assert.ok(await eventually(() => h1.requests + h2c.requests > seen, 5000), `${l.name} ${method} ${path}: reached the upstream`);
          c.send(bad);
          const goaway = await c.waitFrame((f) => goawayCode(f) !== undefined);
          assert.ok(goaway && goawayCode(goaway) !== 0, `${l.name} ${method} ${path} ${what}: a GOAWAY with an error code`);
          // Half the clients go away at once, the others leave their socket open.
          if (n++ % 2 === 0) c.socket.end();
        }
      }
    }
    // Every request reached its upstream before the error (or nothing would wait on it).
    const perListener = Object.keys(CONNECTION_ERRORS).length * listeners.length;
    assert.ok(await eventually(() => h1.requests - h1Before >= 4 * perListener && h2c.requests - h2cBefore >= 2 * perListener, 5000),
      `upstream requests: h1 ${h1.requests - h1Before}, h2c ${h2c.requests - h2cBefore}`);
    // The upstreams answer or cut each one late: after the client body timeout has fired on the POSTs.
    await h1.settled(10_000);
    await h2c.settled(10_000);
    await assertServing();
    // Connections a client abandoned after its connection error are released (idle timeout 2 s).
    for (const c of clients) c.destroy();
    const pid = sluice.child.pid!;
    const open = (): number => acceptedConnections(pid, portOf(sluice.addresses.http!)) + acceptedConnections(pid, portOf(sluice.addresses.https!));
    assert.ok(await eventually(() => open() === 0, 15_000, 100), `connections still open on the listeners: ${open()}`);
    await assertServing();
  });

  it('keeps a live session whose stream outlasts the idle timeout: it answers the PING', async () => {
    const s = http2.connect(`http://${sluice.addresses.http!}`);
    s.on('error', () => {});
    let pings = 0;
    s.on('ping', () => pings++);
    try {
      // Answered after LATE_MS (2.5 s): longer than --idle-timeout (2 s).
      const status = await new Promise<number>((resolve, reject) => {
        const req = s.request({ ':path': '/h1/late', ':authority': HOST });
        const t = setTimeout(() => reject(new Error('timed out')), 10_000);
        let st = 0;
        req.on('response', (h) => (st = Number(h[':status'])));
        req.on('end', () => { clearTimeout(t); resolve(st); });
        req.on('error', (err) => { clearTimeout(t); reject(err); });
        req.resume();
      });
      assert.equal(status, 200);
      assert.ok(pings >= 1, 'the gateway checked the idle session with a PING');
    } finally {
      s.destroy();
    }
  });

  it('ends malformed header blocks in a stream or session error and keeps serving', async () => {
    const cases: Record<string, Array<readonly [string, string]>> = {
      'a connection-specific header': requestFields('GET', HOST, '/h1/quick', [['connection', 'keep-alive']]),
      'transfer-encoding': requestFields('POST', HOST, '/h1/quick', [['transfer-encoding', 'chunked']]),
      'te other than trailers': requestFields('GET', HOST, '/h1/quick', [['te', 'gzip']]),
      'an upper-case name': requestFields('GET', HOST, '/h1/quick', [['X-Upper', 'v']]),
      'an unknown pseudo-header': requestFields('GET', HOST, '/h1/quick', [[':foo', 'bar']]),
      'a pseudo-header after a regular one': [[':method', 'GET'], [':scheme', 'http'], ['x-a', 'b'], [':path', '/h1/quick'], [':authority', HOST]],
      'no :path': [[':method', 'GET'], [':scheme', 'http'], [':authority', HOST]],
      'an empty :path': requestFields('GET', HOST, ''),
      'a duplicated :method': [[':method', 'GET'], ...requestFields('GET', HOST, '/h1/quick')],
      'a response pseudo-header': requestFields('GET', HOST, '/h1/quick', [[':status', '200']]),
      'a header list over the limit': requestFields('GET', HOST, '/h1/quick', [['x-big', 'x'.repeat(70_000)]]),
      'expect: 100-continue': requestFields('POST', HOST, '/h1/quick', [['expect', '100-continue']]),
      'a CR in a value': requestFields('GET', HOST, '/h1/quick', [['x-cr', 'a\rb']]),
      'many small fields': requestFields('GET', HOST, '/h1/quick', Array.from({ length: 5000 }, (_, i) => [`x-${i}`, 'v'] as const)),
      'a NUL in :path': requestFields('GET', HOST, '/h1/q\0uick'),
      'a space in :path': requestFields('GET', HOST, '/h1/q uick'),
      'a fragment in :path': requestFields('GET', HOST, '/h1/quick#frag'),
      ':authority with userinfo': requestFields('GET', `user@${HOST}`, '/h1/quick'),
      'a CONNECT without :authority': [[':method', 'CONNECT']],
    };
    for (const [what, fields] of Object.entries(cases)) {
      const c = await RawH2.connect(sluice.addresses.http!);
      clients.push(c);
      c.send(headerFrames(1, fields, true));
      const ended = await c.waitFrame((f) => (f.type === RST_STREAM && f.streamId === 1) || goawayCode(f) !== undefined || (f.type === 0x1 && f.streamId === 1), 5000);
      assert.ok(ended || c.closed, `${what}: an answer, a reset or a GOAWAY`);
      c.destroy();
      assert.equal(sluice.child.exitCode, null, `${what}: sluice exited: ${sluice.stderr().slice(-2000)}`);
    }
    await assertServing();
  });
});
