// A split naming a function runs its handler, on every front end: the raw HTTP/1.1 fast path,
// node:http, HTTP/2 (h2c) and gRPC clients over HTTP/2. The handler sees the request after
// the route's filters, with its body, and the client gets the handler's answer.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { functionHandlers } from '../../src/functions/registry.ts';
import type { FunctionRequest } from '../../src/functions/types.ts';
import { eventually, get } from '../support/http.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';
import { connectH2, h2Request } from '../proxy/h2-helpers.ts';
import { cluster } from '../proxy/gateway-ports-helpers.ts';
import { binding, HOST, rest, startFunctionPlane } from './call-helpers.ts';

/** What the stub handler saw, answered as JSON. */
interface Seen {
  method: string;
  path: string;
  headers: FunctionRequest['headers'];
  body: string;
}

describe('function splits are dispatched to their handler', () => {
  let up: Upstream;
  const restore: Array<() => void> = [];
  before(async () => {
    up = await startUpstream('plain');
    restore.push(
      functionHandlers.register('rest', async (_call, req) => {
        const seen: Seen = { method: req.method, path: req.path, headers: req.headers, body: req.body.toString() };
        return { status: 201, headers: { 'content-type': 'application/json', 'x-handler': 'rest' }, body: Buffer.from(JSON.stringify(seen)) };
      }),
      functionHandlers.register('grpc-json', async () => ({ status: 200, headers: { 'content-type': 'application/grpc', 'grpc-status': '0', 'x-handler': 'grpc' }, body: Buffer.alloc(0) })),
    );
  });
  after(async () => {
    for (const r of restore) r();
    await up.close();
  });

  const bindings = [binding('echo', rest(), 'default/app:80'), binding('grpc', { type: 'grpc-json', descriptorSet: '', services: ['x.Y'], print: { alwaysPrintPrimitiveFields: false, preserveProtoFieldNames: false }, ignoredQueryParameters: [], autoMapping: false }, 'default/app:80')];

  for (const fastPath of [true, false]) {
    it(`passes method, path, headers and body over HTTP/1.1 (${fastPath ? 'fast path' : 'node:http'})`, async () => {
      const t = await startFunctionPlane({ fastPath, bindings, clusters: [cluster('default/app:80', up.port)], plain: 'default/app:80' });
      try {
        const r = await get(t.addr, HOST, '/fn/echo/x?q=1', { 'x-client': 'yes', 'content-type': 'text/plain' }, { method: 'POST', body: 'hello function' });
        assert.equal(r.status, 201, r.body);
        assert.equal(r.headers['x-handler'], 'rest');
        const seen = JSON.parse(r.body) as Seen;
        assert.equal(seen.method, 'POST');
        assert.equal(seen.path, '/fn/echo/x?q=1');
        assert.equal(seen.body, 'hello function');
        assert.equal(seen.headers['x-client'], 'yes');
        assert.equal(seen.headers.host, HOST);
        assert.equal(up.requests.length, 0, 'the cluster itself was not called');
        // an ordinary route on the same port still goes to its cluster
        assert.equal((await get(t.addr, HOST, '/plain')).headers['x-upstream'], 'plain');
      } finally {
        await t.stop();
        up.requests.length = 0;
      }
    });
  }

  it('mirrors a function call\'s request as the route sends it', async () => {
    const t = await startFunctionPlane({ bindings, clusters: [cluster('default/app:80', up.port)], routeExtra: { filters: [{ type: 'mirror', cluster: 'default/app:80', percent: 100 }] } });
    try {
      const r = await get(t.addr, HOST, '/fn/echo/m', {}, { method: 'POST', body: 'copied' });
      assert.equal(r.status, 201, r.body);
      assert.ok(await eventually(() => up.requests.length === 1), 'the mirror got its copy');
      assert.equal(up.requests[0]!.url, '/fn/echo/m');
      assert.equal(up.requests[0]!.bodyBytes, 'copied'.length);
    } finally {
      await t.stop();
      up.requests.length = 0;
    }
  });

  it('passes the body over HTTP/2 (h2c), and answers a gRPC client over HTTP/2 with the handler\'s headers', async () => {
    const t = await startFunctionPlane({ bindings, clusters: [cluster('default/app:80', up.port)] });
    const session = connectH2(t.addr);
    try {
      const r = await h2Request(session, { ':method': 'POST', ':path': '/fn/echo/h2', ':authority': HOST, 'content-type': 'text/plain' }, 'over h2');
      assert.equal(r.status, 201, r.body);
      const seen = JSON.parse(r.body) as Seen;
      assert.equal(seen.body, 'over h2');
      assert.equal(seen.path, '/fn/echo/h2');
      const bodiless = await h2Request(session, { ':path': '/fn/echo/get', ':authority': HOST });
      assert.equal(bodiless.status, 201, bodiless.body);
      assert.equal((JSON.parse(bodiless.body) as Seen).method, 'GET');

      const g = await h2Request(session, { ':method': 'POST', ':path': '/fn/grpc/x.Y/Call', ':authority': HOST, 'content-type': 'application/grpc', te: 'trailers' }, Buffer.from([0, 0, 0, 0, 0]));
      assert.equal(g.status, 200, g.body);
      assert.equal(g.headers['x-handler'], 'grpc');
      assert.equal(g.headers['grpc-status'], '0');
    } finally {
      session.destroy();
      await t.stop();
    }
  });
});
