// HTTP/2 connections the client has closed are released at once, not after --idle-timeout: the
// plain listeners accept half-open sockets (node:http needs them), so a client's FIN on an h2c
// session used to leave the socket in CLOSE_WAIT, one descriptor per curl call.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { eventually } from '../support/http.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { type Upstream, startUpstream } from '../support/upstream.ts';
import { makeCert, tlsSecret, type TestCert } from '../proxy/certs.ts';
import { frame, headersFrame, RawH2, requestFields } from '../proxy/h2-frames.ts';
import { acceptedConnections, portOf } from '../proxy/proc-fds.ts';

const run = promisify(execFile);
const HOST = 'close.example.com';
const CALLS = 40;

describe('HTTP/2 connections closed by the client (sluice serve)', () => {
  let certDir: string;
  let cert: TestCert;
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let up: Upstream;
  let slow: Upstream;

  before(async () => {
    certDir = await mkdtemp(join(tmpdir(), 'sluice-close-'));
    cert = makeCert(certDir, 'close', [HOST]);
    up = await startUpstream('up');
    // Answers only when the test says so: a request in flight when its client closes.
    slow = await startUpstream('slow', () => {});
    cfg = await ConfigDir.create();
    await cfg.write('all.yaml', [
      ...backend('up', [{ ip: '127.0.0.1', port: up.port }]),
      ...backend('slow', [{ ip: '127.0.0.1', port: slow.port }]),
      tlsSecret('close-cert', cert),
      ingress('close', [{ hosts: [HOST], paths: [{ path: '/slow', splits: [{ service: 'slow' }] }, { splits: [{ service: 'up' }] }] }], { tls: [{ hosts: [HOST], secretName: 'close-cert' }] }),
    ]);
    // The default idle timeout (60 s): a released connection is not the idle timer's doing.
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--https', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0'], ['http', 'https', 'local', 'admin']);
  });

  after(async () => {
    await sluice?.stop();
    await up?.close();
    await slow?.close();
    await cfg?.cleanup();
    if (certDir) await rm(certDir, { recursive: true, force: true });
  });

  const open = (listener: string): number => acceptedConnections(sluice.child.pid!, portOf(sluice.addresses[listener]!));

  it(`releases the connections of ${CALLS} curl --http2-prior-knowledge calls at once`, async () => {
    for (let i = 0; i < CALLS; i++) {
      const { stdout } = await run('curl', ['-sS', '--http2-prior-knowledge', '-o', '/dev/null', '-w', '%{http_code} %{http_version}', '-H', `Host: ${HOST}`, `http://${sluice.addresses.http}/x`], { timeout: 10_000 });
      assert.equal(stdout, '200 2');
    }
    assert.ok(await eventually(() => open('http') === 0, 3000, 50), `connections still open on --http: ${open('http')}`);
  });

  it('releases h2 connections over TLS too', async () => {
    const [host, port] = [sluice.addresses.https!.split(':')[0], portOf(sluice.addresses.https!)];
    for (let i = 0; i < 10; i++) {
      const { stdout } = await run('curl', ['-sS', '--http2', '-k', '--resolve', `${HOST}:${port}:${host}`, '-o', '/dev/null', '-w', '%{http_code} %{http_version}', `https://${HOST}:${port}/x`], { timeout: 10_000 });
      assert.equal(stdout, '200 2');
    }
    assert.ok(await eventually(() => open('https') === 0, 3000, 50), `connections still open on --https: ${open('https')}`);
  });

  it('releases a connection whose client sends FIN with a request unfinished, and cancels the upstream request', async () => {
    const c = await RawH2.connect(sluice.addresses.http!);
    try {
      const upstreamConnections = (): number => acceptedConnections(process.pid, slow.port);
      // A request waiting on its upstream, and an upload the client will never finish.
      c.send(headersFrame(1, requestFields('GET', HOST, '/slow'), true), headersFrame(3, requestFields('POST', HOST, '/x'), false), frame(0, 0, 3, Buffer.from('part')));
      assert.ok(await eventually(() => upstreamConnections() === 1, 5000, 50), 'the slow request reached its upstream');
      c.socket.end();
      assert.ok(await eventually(() => open('http') === 0, 3000, 50), `connections still open on --http: ${open('http')}`);
      assert.ok(await eventually(() => upstreamConnections() === 0, 3000, 50), 'the upstream request was cancelled');
    } finally {
      c.destroy();
    }
  });
});
