// A function split's request goes straight to its handler in the gateway's own process: no
// loopback server, no second HTTP/1.1 hop, so no upstream connection is ever opened for it, on any
// front end (the raw fast path, node:http, HTTP/2).
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { functionHandlers } from '../../src/functions/registry.ts';
import { get } from '../support/http.ts';
import { connectH2, h2Request } from '../proxy/h2-helpers.ts';
import { binding, gate, HOST, rest, startFunctionPlane, within, type FunctionPlane } from './call-helpers.ts';

/** Every upstream connection the data plane's pools hold (undici's and the raw sockets'), by origin. */
function pooledOrigins(t: FunctionPlane): string[] {
  const out: string[] = [];
  for (const pool of t.dp.pools) for (const [origin, c] of pool()) if (c.open > 0) out.push(origin);
  return out;
}

describe('function calls run in the gateway\'s process', () => {
  let restore: () => void;
  before(() => {
    restore = functionHandlers.register('rest', async (_call, req) => ({ status: 200, headers: { 'x-method': req.method }, body: Buffer.from(`got ${req.body.length} bytes`) }));
  });
  after(() => restore());

  for (const fastPath of [true, false]) {
    it(`opens no upstream connection for a function call over HTTP/1.1 (${fastPath ? 'fast path' : 'node:http'})`, async () => {
      const t = await startFunctionPlane({ fastPath, bindings: [binding('f', rest())], clusters: [] });
      try {
        const r = await get(t.addr, HOST, '/fn/f', {}, { method: 'POST', body: 'abc' });
        assert.equal(r.status, 200, r.body);
        assert.equal(r.body, 'got 3 bytes');
        assert.equal(r.headers['x-method'], 'POST');
        assert.deepEqual(pooledOrigins(t), [], 'no hop to a loopback host');
      } finally {
        await t.stop();
      }
    });
  }

  it('opens no upstream connection for a function call over HTTP/2', async () => {
    const t = await startFunctionPlane({ bindings: [binding('f', rest())], clusters: [] });
    const session = connectH2(t.addr);
    try {
      const r = await h2Request(session, { ':path': '/fn/f', ':authority': HOST });
      assert.equal(r.status, 200, r.body);
      assert.equal(r.body, 'got 0 bytes');
      assert.deepEqual(pooledOrigins(t), [], 'no hop to a loopback host');
    } finally {
      session.destroy();
      await t.stop();
    }
  });

  it('retries a held body on a status the route retries, through the same in-process call', async () => {
    const bodies: string[] = [];
    const back = functionHandlers.register('rest', async (_call, req) => {
      bodies.push(req.body.toString());
      return { status: bodies.length === 1 ? 503 : 200, headers: {}, body: Buffer.from(`attempt ${bodies.length}`) };
    });
    const t = await startFunctionPlane({ fastPath: false, bindings: [binding('f', rest())], clusters: [], routeExtra: { retry: { attempts: 2, codes: [503], backoffMs: 5, bodyLimit: 1024 } } });
    try {
      const r = await get(t.addr, HOST, '/fn/f', {}, { method: 'PUT', body: 'same body' });
      assert.equal(r.status, 200, r.body);
      assert.equal(r.body, 'attempt 2');
      assert.deepEqual(bodies, ['same body', 'same body']);
    } finally {
      back();
      await t.stop();
    }
  });

  it('answers a WebSocket handshake to a function route with 503: a function cannot take a tunnel', async () => {
    const t = await startFunctionPlane({ bindings: [binding('f', rest())], clusters: [] });
    try {
      const head = await within(
        new Promise<string>((resolve, reject) => {
          const s = net.connect(Number(t.addr.split(':')[1]), '127.0.0.1');
          let got = '';
          s.on('data', (d: Buffer) => {
            got += d.toString('latin1');
            if (got.includes('\r\n\r\n')) {
              s.destroy();
              resolve(got);
            }
          });
          s.on('error', reject);
          s.write(`GET /fn/f HTTP/1.1\r\nHost: ${HOST}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
        }),
        10_000,
        'handshake answer',
      );
      assert.match(head, /^HTTP\/1\.1 503 /);
      assert.equal((await get(t.addr, HOST, '/fn/f')).status, 200, 'the gateway still serves the route');
    } finally {
      await t.stop();
    }
  });

  it('answers HEAD with the handler\'s head and closes its streamed body unread', async () => {
    const closed = gate();
    const stream: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => ({
        next: () => new Promise<IteratorResult<Uint8Array>>(() => {}),
        return: async () => {
          closed.open();
          return { done: true, value: undefined };
        },
      }),
    };
    const back = functionHandlers.register('rest', async () => ({ status: 200, headers: { 'x-kind': 'stream' }, body: stream }));
    const t = await startFunctionPlane({ fastPath: false, bindings: [binding('f', rest())], clusters: [] });
    try {
      const r = await get(t.addr, HOST, '/fn/f', {}, { method: 'HEAD' });
      assert.equal(r.status, 200);
      assert.equal(r.headers['x-kind'], 'stream');
      assert.equal(r.body, '');
      await within(closed.promise, 10_000, 'the handler\'s stream closed');
    } finally {
      back();
      await t.stop();
    }
  });
});
