// The client body timeout (--client-body-timeout): a request body the client stops sending is cut
// (408 over HTTP/1.1 while no response has started, a reset stream over HTTP/2), on the fast path,
// on node:http (--no-fast-path) and over HTTP/2; a slow but steady client, a body held back by
// a slow upstream and the quiet request side of an exchange whose response has started (a
// bidirectional stream) are never cut.
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { type Upstream, startUpstream } from '../support/upstream.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';

const HOST = 'b.example.com';
const BOUND_MS = 8000;

/** Sends a head announcing `length` bytes, then `parts` (each after `gapMs`), and reads until close (bounded). */
function upload(addr: string, path: string, length: number, parts: Buffer[], gapMs: number): Promise<{ text: string; closedAfterMs: number }> {
  const [host, port] = addr.split(':');
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const s = net.connect(Number(port), host!, async () => {
      s.write(`POST ${path} HTTP/1.1\r\nHost: ${HOST}\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n`);
      for (const p of parts) {
        if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
        if (!s.writable) return;
        if (!s.write(p)) await new Promise((r) => s.once('drain', r));
      }
    });
    let text = '';
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      if (text.length < 4096) text += d;
    });
    const t = setTimeout(() => {
      s.destroy();
      reject(new Error(`no close within ${BOUND_MS} ms; got ${JSON.stringify(text.slice(0, 200))}`));
    }, BOUND_MS);
    s.on('close', () => {
      clearTimeout(t);
      resolve({ text, closedAfterMs: Date.now() - started });
    });
    s.on('error', () => {});
  });
}

/** An upstream that answers at once and echoes the body as it comes: a bidirectional stream. */
async function streamingUpstream(): Promise<Upstream> {
  return startUpstream('stream', (req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.flushHeaders();
    req.on('data', (d: Buffer) => res.write(d));
    req.on('end', () => res.end());
  });
}

/** The same over h2c (as gRPC runs): HEADERS at once, then each DATA frame echoed. */
async function streamingH2cUpstream(): Promise<{ port: number; close(): Promise<void> }> {
  const server = http2.createServer();
  server.on('stream', (st) => {
    st.respond({ ':status': 200, 'content-type': 'application/octet-stream' });
    st.on('data', (d: Buffer) => st.write(d));
    st.on('end', () => st.end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  return { port, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** An upstream that reads nothing of a body for `holdMs`, then reads it all and answers with its size. */
async function holdingUpstream(holdMs: number): Promise<Upstream> {
  return startUpstream('hold', (req, res) => {
    req.pause();
    setTimeout(() => {
      let n = 0;
      req.on('data', (d: Buffer) => (n += d.length));
      req.on('end', () => res.end(`got ${n}`));
      req.resume();
    }, holdMs);
  });
}

for (const fastPath of [true, false]) {
  describe(`client body timeout over HTTP/1.1 (${fastPath ? 'fast path' : 'node:http'})`, () => {
    let cfg: ConfigDir;
    let sluice: SluiceProcess;
    let echo: Upstream;
    let hold: Upstream;
    let stream: Upstream;

    before(async () => {
      echo = await startUpstream('echo');
      hold = await holdingUpstream(2500);
      stream = await streamingUpstream();
      cfg = await ConfigDir.create();
      await cfg.write('c.yaml', [
        ...backend('echo', [{ ip: '127.0.0.1', port: echo.port }]),
        ...backend('hold', [{ ip: '127.0.0.1', port: hold.port }]),
        ...backend('stream', [{ ip: '127.0.0.1', port: stream.port }]),
        ingress('b', [
          {
            hosts: [HOST],
            paths: [{ path: '/hold', splits: [{ service: 'hold' }] }, { path: '/stream', splits: [{ service: 'stream' }] }, { splits: [{ service: 'echo' }] }],
          },
        ]),
      ]);
      const args = ['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--client-body-timeout', '1'];
      sluice = await startSluice(fastPath ? args : [...args, '--no-fast-path']);
    });

    after(async () => {
      await sluice?.stop();
      await echo?.close();
      await hold?.close();
      await stream?.close();
      await cfg?.cleanup();
    });

    it('answers 408 and closes when the client stops sending its body', async () => {
      const r = await upload(sluice.addresses.http!, '/', 1000, [Buffer.alloc(100, 'a')], 0);
      assert.match(r.text, /^HTTP\/1\.1 408 /);
      assert.ok(r.closedAfterMs >= 900, `cut after ${r.closedAfterMs} ms, before the timeout`);
      assert.equal(echo.requests.length, 0, 'the upstream never got a whole request');
    });

    it('lets a slow but steady body through', async () => {
      const parts = Array.from({ length: 8 }, () => Buffer.alloc(100, 'b'));
      const r = await upload(sluice.addresses.http!, '/', 800, parts, 350);
      assert.match(r.text, /^HTTP\/1\.1 200 /);
      assert.match(r.text, /"bodyBytes":800/);
    });

    // Only the fast path streams a response while the request body is still coming: undici (the
    // node:http path's upstream client) surfaces the response once it has sent the whole body.
    if (fastPath) {
      it('does not cut the quiet request side of an exchange whose response has started', async () => {
        const r = await upload(sluice.addresses.http!, '/stream', 200, [Buffer.alloc(100, 'd'), Buffer.alloc(100, 'e')], 1600);
        assert.match(r.text, /^HTTP\/1\.1 200 /);
        assert.ok(r.text.includes('e'.repeat(100)), 'the second half came through after the pause');
      });
    }

    it('does not count time the upstream holds the body back', async () => {
      // 32 MB cannot all sit in socket buffers: the proxy has to stop reading for the 2.5 s.
      const parts = Array.from({ length: 512 }, () => Buffer.alloc(64 * 1024, 'c'));
      const r = await upload(sluice.addresses.http!, '/hold', 512 * 64 * 1024, parts, 0);
      assert.match(r.text, /^HTTP\/1\.1 200 /);
      assert.ok(r.text.includes(`got ${512 * 64 * 1024}`), r.text.slice(0, 200));
      assert.ok(r.closedAfterMs >= 2400, 'the upstream did hold it back');
    });
  });
}

describe('client body timeout over HTTP/2', () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let echo: Upstream;
  let stream: { port: number; close(): Promise<void> };

  before(async () => {
    echo = await startUpstream('echo');
    stream = await streamingH2cUpstream();
    cfg = await ConfigDir.create();
    await cfg.write('c.yaml', [
      ...backend('echo', [{ ip: '127.0.0.1', port: echo.port }]),
      ...backend('stream', [{ ip: '127.0.0.1', port: stream.port }], { portName: 'h2c' }),
      ingress('b', [{ hosts: [HOST], paths: [{ path: '/stream', splits: [{ service: 'stream' }] }, { splits: [{ service: 'echo' }] }] }]),
    ]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--client-body-timeout', '1']);
  });

  after(async () => {
    await sluice?.stop();
    await echo?.close();
    await stream?.close();
    await cfg?.cleanup();
  });

  /** One h2c POST whose body is `parts`, each after `gapMs`, left unfinished when `finish` is false. */
  function h2Upload(parts: Buffer[], gapMs: number, finish: boolean, path = '/'): Promise<{ status: number; body: string; rstCode: number; afterMs: number }> {
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const session = http2.connect(`http://${sluice.addresses.http}`);
      session.on('error', () => {});
      const req = session.request({ ':method': 'POST', ':path': path, ':authority': HOST }, { endStream: false });
      let status = 0;
      let body = '';
      req.on('response', (h) => (status = Number(h[':status'])));
      req.setEncoding('utf8');
      req.on('data', (d: string) => (body += d));
      req.on('error', () => {});
      const t = setTimeout(() => {
        session.destroy();
        reject(new Error(`stream not ended within ${BOUND_MS} ms`));
      }, BOUND_MS);
      req.on('close', () => {
        clearTimeout(t);
        const rstCode = req.rstCode ?? 0;
        session.close();
        resolve({ status, body, rstCode, afterMs: Date.now() - started });
      });
      void (async () => {
        for (const p of parts) {
          if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
          if (req.destroyed) return;
          req.write(p);
        }
        if (finish && !req.destroyed) req.end();
      })();
    });
  }

  it('resets a stream whose body the client stops sending', async () => {
    const r = await h2Upload([Buffer.alloc(100, 'a')], 0, false);
    assert.equal(r.rstCode, http2.constants.NGHTTP2_CANCEL);
    assert.equal(r.status, 0, 'no response was started');
    assert.ok(r.afterMs >= 900, `cut after ${r.afterMs} ms`);
  });

  it('lets a slow but steady body through', async () => {
    const r = await h2Upload(Array.from({ length: 6 }, () => Buffer.alloc(100, 'b')), 350, true);
    assert.equal(r.status, 200);
    assert.match(r.body, /"bodyBytes":600/);
  });

  it('does not cut the quiet request side of a stream whose response has started (h2c, as gRPC)', async () => {
    const r = await h2Upload([Buffer.alloc(100, 'd'), Buffer.alloc(100, 'e')], 1600, true, '/stream');
    assert.equal(r.rstCode, 0);
    assert.equal(r.status, 200);
    assert.equal(r.body, 'd'.repeat(100) + 'e'.repeat(100));
  });
});
