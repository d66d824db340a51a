// A function split's request goes straight to its handler in the gateway's own process: no
// loopback server, no second HTTP/1.1 hop, so no upstream connection is ever opened for it, on any
// front end (the raw fast path, node:http, HTTP/2).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { functionHandlers } from '../../src/functions/registry.ts';
import { get } from '../support/http.ts';
import { connectH2, h2Request } from '../proxy/h2-helpers.ts';
import { binding, HOST, rest, startFunctionPlane, type FunctionPlane } from './call-helpers.ts';

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
});
