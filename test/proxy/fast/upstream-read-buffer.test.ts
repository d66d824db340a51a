// Upstream sockets read into one reused buffer per connection (upstream-pool.ts). The contract with
// an owner: bytes handed to upstreamData may be overwritten by the next read unless the owner says
// it keeps them (keepsReadBuffer), and then the next read goes into a new buffer.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { Endpoint } from '../../../src/snapshot/types.ts';
import { FastUpstreams, type UpstreamConn, type UpstreamOwner } from '../../../src/proxy/fast/upstream-pool.ts';

const body = randomBytes(600_000);
let server: http.Server;
let endpoint: Endpoint;

before(async () => {
  // The body in pieces, a turn of the event loop apart, so the proxy side reads it several times.
  server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-length': body.length });
    let off = 0;
    const next = (): void => {
      if (off >= body.length) return void res.end();
      res.write(body.subarray(off, (off += 50_000)));
      setTimeout(next, 2);
    };
    next();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  endpoint = { address: '127.0.0.1', port: (server.address() as AddressInfo).port } as Endpoint;
});

after(() => new Promise<void>((r) => server.close(() => r())));

/** Reads one whole response on a pooled connection, keeping every chunk handed over as it was given. */
async function readAll(keeps: boolean): Promise<{ chunks: Buffer[]; buffers: number }> {
  const pool = new FastUpstreams();
  const chunks: Buffer[] = [];
  const seen = new Set<ArrayBufferLike>();
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no response in 10 s')), 10_000);
      const owner: UpstreamOwner = {
        upstreamData: (_conn: UpstreamConn, chunk: Buffer) => {
          chunks.push(chunk);
          seen.add(chunk.buffer);
          if (Buffer.concat(chunks).includes(body.subarray(body.length - 16))) {
            clearTimeout(timer);
            resolve();
          }
        },
        keepsReadBuffer: () => keeps,
        upstreamClosed: () => {},
        upstreamDrain: () => {},
      };
      pool.acquire(endpoint, owner).socket.write('GET / HTTP/1.1\r\nHost: t\r\n\r\n');
    });
  } finally {
    pool.close();
  }
  return { chunks, buffers: seen.size };
}

test('bytes an owner keeps are never overwritten: each such read gets a new buffer', async () => {
  const { chunks, buffers } = await readAll(true);
  assert.ok(chunks.length > 3, `expected several reads, got ${chunks.length}`);
  assert.equal(buffers, chunks.length);
  const got = Buffer.concat(chunks);
  assert.ok(got.subarray(got.length - body.length).equals(body), 'a kept chunk was overwritten');
});

test('bytes an owner does not keep share one buffer, read after read', async () => {
  const { chunks, buffers } = await readAll(false);
  assert.ok(chunks.length > 3, `expected several reads, got ${chunks.length}`);
  // One allocation for the whole response: the point of the reused buffer.
  assert.equal(buffers, 1);
});
