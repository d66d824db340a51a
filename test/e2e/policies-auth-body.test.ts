// Request body size limits through `sluice serve`: a declared length over the limit is answered 413
// before the upstream is contacted; a chunked (HTTP/1.1) or unframed (HTTP/2) body is counted as it
// streams and cut at the limit: 413 while no response has started, a reset once one has. On the
// fast path, on node:http (requests with Expect take it) and over HTTP/2.
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { eventually, get } from '../support/http.ts';
import { type SluiceProcess, runSluice, startSluice } from '../support/sluice.ts';
import { type Upstream, startUpstream } from '../support/upstream.ts';
import { trafficPolicy } from '../policies/helpers.ts';

const LIMIT = 1000;
const BOUND_MS = 8000;

/** Sends a chunked POST of `sizes` byte chunks (and the last chunk), reads until the server closes (bounded). */
/** `headAfter`: chunks sent before waiting for the response head (for an upstream that answers before the body). */
function chunkedUpload(addr: string, host: string, sizes: number[], extraHead = '', headAfter = -1): Promise<string> {
  const [h, port] = addr.split(':');
  return new Promise((resolve, reject) => {
    let headSeen: () => void = () => {};
    const head = new Promise<void>((r) => (headSeen = r));
    const s = net.connect(Number(port), h!, async () => {
      s.write(`POST /up HTTP/1.1\r\nHost: ${host}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n${extraHead}\r\n`);
      for (const [i, n] of sizes.entries()) {
        if (i === headAfter) await head;
        if (!s.writable) return;
        s.write(`${n.toString(16)}\r\n${'x'.repeat(n)}\r\n`);
        // One chunk per read, as a streaming client sends them.
        await new Promise((r) => setTimeout(r, 5));
      }
      if (s.writable) s.write('0\r\n\r\n');
    });
    let text = '';
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      text += d;
      if (text.includes('\r\n\r\n')) headSeen();
    });
    const t = setTimeout(() => {
      s.destroy();
      reject(new Error(`no close within ${BOUND_MS} ms; got ${JSON.stringify(text.slice(0, 200))}`));
    }, BOUND_MS);
    s.on('close', () => {
      clearTimeout(t);
      resolve(text);
    });
    s.on('error', () => {});
  });
}

/** An HTTP/2 POST without a content-length, its body in `sizes` byte DATA frames: the status, or 'reset'. */
function h2Upload(addr: string, host: string, sizes: number[], headAfter = -1): Promise<string> {
  return new Promise((resolve, reject) => {
    let headSeen: () => void = () => {};
    const head = new Promise<void>((r) => (headSeen = r));
    const session = http2.connect(`http://${addr}`);
    session.on('error', () => {});
    const t = setTimeout(() => {
      session.destroy();
      reject(new Error('no answer'));
    }, BOUND_MS);
    const done = (v: string) => {
      clearTimeout(t);
      session.close();
      resolve(v);
    };
    const req = session.request({ ':method': 'POST', ':path': '/up', ':authority': host });
    let status = 'none';
    req.on('response', (h) => {
      status = String(h[':status']);
      headSeen();
      req.resume();
    });
    req.on('error', () => {});
    // A reset ends the readable side too: only the close tells a reset from an answer.
    req.on('close', () => done(req.rstCode !== undefined && req.rstCode !== http2.constants.NGHTTP2_NO_ERROR ? 'reset' : status));
    (async () => {
      for (const [i, n] of sizes.entries()) {
        if (i === headAfter) {
          // The rest and END_STREAM in one go: the stream is half-closed when the limit is crossed.
          await head;
          if (!req.destroyed) req.end(Buffer.alloc(sizes.slice(i).reduce((a, b) => a + b, 0), 0x78));
          return;
        }
        if (req.destroyed || req.writableEnded) return;
        req.write(Buffer.alloc(n, 0x78));
        await new Promise((r) => setTimeout(r, 5));
      }
      if (!req.destroyed) req.end();
    })();
  });
}

describe('request body size limits through sluice serve', () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let echo: Upstream;
  let streaming: Upstream;
  let addr: string;

  before(async () => {
    echo = await startUpstream('echo');
    // Answers at once and reads the body as it comes: a response under way while the body streams.
    streaming = await startUpstream('stream', (req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.flushHeaders();
      req.resume();
      req.on('end', () => res.end('done'));
    });
    cfg = await ConfigDir.create();
    const site = (name: string, service: string) => ingress(name, [{ hosts: [`${name}.example.com`], paths: [{ splits: [{ service }] }] }], { annotations: { 'sluice.dev/traffic-policy': 'small' } });
    await cfg.write('config.yaml', [
      site('small', 'echo'),
      site('stream', 'stream'),
      ingress('big', [{ hosts: ['big.example.com'], paths: [{ splits: [{ service: 'echo' }] }] }]),
      trafficPolicy('small', { requestBody: { maxBytes: LIMIT } }),
      ...backend('echo', [{ ip: '127.0.0.1', port: echo.port }]),
      ...backend('stream', [{ ip: '127.0.0.1', port: streaming.port }]),
    ]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
    addr = sluice.addresses.http!;
    assert.ok(await eventually(async () => (await get(addr, 'big.example.com', '/')).status === 200, 10_000));
  });

  after(async () => {
    await sluice?.stop();
    await Promise.all([echo?.close(), streaming?.close()]);
    await cfg?.cleanup();
  });

  const seen = () => echo.requests.filter((r) => r.headers.host === 'small.example.com');

  it('answers 413 to a declared length over the limit without contacting the upstream, and passes one within it', async () => {
    const before = seen().length;
    const r = await get(addr, 'small.example.com', '/up', {}, { method: 'POST', body: Buffer.alloc(LIMIT + 1) });
    assert.equal(r.status, 413);
    assert.equal(seen().length, before);
    assert.equal((await get(addr, 'small.example.com', '/up', {}, { method: 'POST', body: Buffer.alloc(LIMIT) })).status, 200);
    assert.equal(seen().at(-1)!.bodyBytes, LIMIT);
    assert.equal((await get(addr, 'big.example.com', '/up', {}, { method: 'POST', body: Buffer.alloc(LIMIT * 10) })).status, 200, 'other routes have no limit');
  });

  it('cuts a chunked body at the limit with 413 on the fast path and on node:http; the upstream never gets it whole', async () => {
    for (const expect of ['', 'Expect: 100-continue\r\n']) {
      const over = await chunkedUpload(addr, 'small.example.com', [400, 400, 400, 400], expect);
      assert.match(over, /^(HTTP\/1\.1 100 Continue\r\n\r\n)?HTTP\/1\.1 413 /, `${expect || 'fast path'}: ${over.slice(0, 80)}`);
      assert.match(over, /\r\n\r\nrequest body too large\n$/, `${expect || 'fast path'}: the same answer on every front end`);
      const within = await chunkedUpload(addr, 'small.example.com', [400, 400, 200], expect);
      assert.match(within, /^(HTTP\/1\.1 100 Continue\r\n\r\n)?HTTP\/1\.1 200 /, expect);
    }
    assert.ok(seen().every((r) => r.bodyBytes <= LIMIT), 'no complete request over the limit reached the upstream');
  });

  it('resets a chunked upload over the limit once the response has started', async () => {
    // The upstream answers at the head; the limit is crossed only once its answer is here.
    const text = await chunkedUpload(addr, 'stream.example.com', [400, 400, 400, 400], '', 2);
    assert.match(text, /^HTTP\/1\.1 200 /);
    assert.doesNotMatch(text, /done/, 'the response was cut, not finished');
  });

  it('counts HTTP/2 DATA frames: 413 over the limit, 200 within it', async () => {
    assert.equal(await h2Upload(addr, 'small.example.com', [400, 400, 400, 400]), '413');
    assert.equal(await h2Upload(addr, 'small.example.com', [400, 400]), '200');
    assert.equal(await h2Upload(addr, 'stream.example.com', [400, 400, 400, 400], 2), 'reset');
  });

  it('sluice validate names a bad limit', async () => {
    const bad = await ConfigDir.create();
    try {
      await bad.write('p.yaml', [trafficPolicy('p', { requestBody: { maxBytes: -1 } }), trafficPolicy('q', { requestBody: { maxBytes: '1Mi' } })]);
      const out = await runSluice(['validate', bad.dir]);
      assert.equal(out.code, 1);
      assert.match(out.stdout + out.stderr, /spec\.requestBody\.maxBytes: must be 0 or more bytes/);
      assert.match(out.stdout + out.stderr, /spec\.requestBody\.maxBytes: must be an integer/);
    } finally {
      await bad.cleanup();
    }
  });
});
