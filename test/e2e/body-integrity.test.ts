// Response bodies arrive byte for byte through the HTTP/1.1 fast path and the HTTP/2 raw path while
// clients read at different speeds. The upstream sockets read into a reused buffer (upstream-pool.ts);
// if bytes a pending client write still points at were overwritten by the next read, bodies would
// come out corrupted here, so every body's SHA-256 is checked, with slow and fast readers at once.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';

const SIZES = [1, 4_000, 65_535, 65_537, 300_001, 3_000_000];
const bodies = SIZES.map((n) => randomBytes(n));
const digest = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const digests = bodies.map(digest);
const FRAMINGS = ['length', 'chunked', 'close'] as const;

/** Writes the body in uneven pieces, some after a turn of the event loop, in the framing asked for. */
function serve(req: http.IncomingMessage, res: http.ServerResponse): void {
  const [, , index, framing] = (req.url ?? '').split('/');
  const body = bodies[Number(index)];
  if (body === undefined) {
    res.writeHead(404).end();
    return;
  }
  if (framing === 'length') res.setHeader('content-length', body.length);
  if (framing === 'close') res.setHeader('connection', 'close');
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  let off = 0;
  let piece = 0;
  const next = (): void => {
    while (off < body.length) {
      const size = [7_001, 65_536, 113, 200_000][piece++ % 4]!;
      const chunk = body.subarray(off, off + size);
      off += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', next);
      if (piece % 3 === 0) return void setImmediate(next);
    }
    res.end();
  };
  next();
}

/** GET over HTTP/1.1 (a new connection each time, so close-delimited bodies work); `slow` pauses the reader often. */
function h1Get(port: number, path: string, slow: boolean): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers: { host: 'bodies.example.com' }, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => {
        parts.push(d);
        if (slow && parts.length % 4 === 0) {
          res.pause();
          setTimeout(() => res.resume(), 15);
        }
      });
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(parts)) : reject(new Error(`status ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.setTimeout(60_000, () => req.destroy(new Error(`${path} timed out`)));
    req.on('error', reject);
  });
}

function h2Get(session: http2.ClientHttp2Session, path: string, slow: boolean): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = session.request({ ':path': path, ':authority': 'bodies.example.com' });
    const timer = setTimeout(() => req.close(http2.constants.NGHTTP2_CANCEL), 60_000);
    const parts: Buffer[] = [];
    let status = 0;
    req.on('response', (h) => (status = Number(h[':status'])));
    req.on('data', (d: Buffer) => {
      parts.push(d);
      if (slow && parts.length % 4 === 0) {
        req.pause();
        setTimeout(() => req.resume(), 15);
      }
    });
    req.on('end', () => {
      clearTimeout(timer);
      if (status === 200) resolve(Buffer.concat(parts));
      else reject(new Error(`status ${status}`));
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

describe('response bodies arrive intact under mixed reader speeds (sluice serve)', () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let upstream: http.Server;
  let port: number;

  before(async () => {
    upstream = http.createServer(serve);
    upstream.keepAliveTimeout = 60_000;
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
    cfg = await ConfigDir.create();
    await cfg.write('app.yaml', [
      ...backend('bodies', [{ ip: '127.0.0.1', port: (upstream.address() as AddressInfo).port }]),
      ingress('bodies', [{ hosts: ['bodies.example.com'], paths: [{ splits: [{ service: 'bodies' }] }] }]),
    ]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
    port = Number(sluice.addresses.http!.split(':').pop());
  });

  after(async () => {
    await sluice?.stop();
    upstream?.closeAllConnections();
    await new Promise<void>((r) => (upstream ? upstream.close(() => r()) : r()));
    await cfg?.cleanup();
  });

  it('over HTTP/1.1: every size and framing, slow and fast readers at once', async () => {
    const jobs: Array<Promise<void>> = [];
    for (let round = 0; round < 2; round++) {
      bodies.forEach((_, i) => {
        for (const framing of FRAMINGS) {
          const slow = (i + round) % 2 === 0;
          jobs.push(h1Get(port, `/body/${i}/${framing}`, slow).then((b) => assert.equal(digest(b), digests[i], `body ${i} (${SIZES[i]} bytes, ${framing}, ${slow ? 'slow' : 'fast'} reader) differs`)));
        }
      });
    }
    await Promise.all(jobs);
  });

  it('over HTTP/2: every size and framing on one session, slow and fast streams at once', async () => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on('error', () => {});
    try {
      const jobs: Array<Promise<void>> = [];
      bodies.forEach((_, i) => {
        for (const framing of FRAMINGS) {
          const slow = i % 2 === 1;
          jobs.push(h2Get(session, `/body/${i}/${framing}`, slow).then((b) => assert.equal(digest(b), digests[i], `body ${i} (${SIZES[i]} bytes, ${framing}) differs over HTTP/2`)));
        }
      });
      await Promise.all(jobs);
    } finally {
      session.destroy();
    }
  });
});
