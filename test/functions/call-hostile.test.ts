// Hostile requests to in-process function calls, with Sluice's own REST handler and a real
// upstream: a body that is not JSON where JSON is needed is a 400, a handler that throws (even
// before returning a promise) is a 502, and a client that goes away mid-call aborts the upstream
// request the call made. The gateway goes on serving after each.
import assert from 'node:assert/strict';
import type http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { functionHandlers } from '../../src/functions/registry.ts';
import type { FunctionCall } from '../../src/functions/types.ts';
import { get } from '../support/http.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';
import { connectH2, h2Request } from '../proxy/h2-helpers.ts';
import { cluster } from '../proxy/gateway-ports-helpers.ts';
import { binding, gate, HOST, rest, startFunctionPlane, within, type FunctionPlane } from './call-helpers.ts';

const merging: FunctionCall = { type: 'rest', function: 'merge', template: { headers: [], body: { type: 'merge-extractors' } }, parameters: { headers: [['x-id', '{id}']] } };

describe('hostile requests to in-process function calls', () => {
  let up: Upstream;
  /** opened when an upstream request with `x-hang` arrives: it is never answered */
  let arrived = gate<http.IncomingMessage>();
  let t: FunctionPlane;
  before(async () => {
    up = await startUpstream('hang', (req, res) => {
      if (req.headers['x-hang'] !== undefined) return void arrived.open(req);
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    t = await startFunctionPlane({ bindings: [binding('merge', merging, 'default/up:80'), binding('pass', rest(), 'default/up:80')], clusters: [cluster('default/up:80', up.port)] });
  });
  after(async () => {
    await t?.stop();
    await up?.close();
  });

  it('answers 400 with a JSON body naming the function when a JSON body is not JSON, over HTTP/1.1 and HTTP/2', async () => {
    const r = await get(t.addr, HOST, '/fn/merge', { 'content-type': 'application/json', 'x-id': '7' }, { method: 'POST', body: '{not json' });
    assert.equal(r.status, 400, r.body);
    assert.equal(JSON.parse(r.body).function, 'merge');
    const session = connectH2(t.addr);
    try {
      const h2 = await h2Request(session, { ':method': 'POST', ':path': '/fn/merge', ':authority': HOST, 'content-type': 'application/json', 'x-id': '7' }, '[1,');
      assert.equal(h2.status, 400, h2.body);
    } finally {
      session.destroy();
    }
    assert.equal((await get(t.addr, HOST, '/fn/pass/ok')).body, 'ok', 'the gateway still serves');
  });

  it('answers 502 with a JSON body when a handler throws before returning a promise', async () => {
    const restore = functionHandlers.register('rest', () => {
      throw new TypeError('synchronous failure');
    });
    try {
      const r = await get(t.addr, HOST, '/fn/pass/x');
      assert.equal(r.status, 502, r.body);
      assert.deepEqual(JSON.parse(r.body), { error: 'function call failed', function: 'pass' });
    } finally {
      restore();
    }
    assert.equal((await get(t.addr, HOST, '/fn/pass/ok')).body, 'ok', 'the gateway still serves');
  });

  it('aborts the upstream request a call made when its HTTP/1.1 client goes away mid-call', async () => {
    arrived = gate();
    const socket = net.connect(Number(t.addr.split(':')[1]), '127.0.0.1');
    socket.on('error', () => {});
    socket.write(`POST /fn/pass HTTP/1.1\r\nHost: ${HOST}\r\nX-Hang: 1\r\nContent-Length: 2\r\n\r\nhi`);
    const req = await within(arrived.promise, 10_000, 'upstream request');
    const closed = new Promise<void>((resolve) => req.once('close', () => resolve()));
    socket.resetAndDestroy();
    await within(closed, 10_000, 'upstream request aborted');
    assert.equal((await get(t.addr, HOST, '/fn/pass/ok')).body, 'ok', 'the gateway still serves');
  });

  it('aborts the upstream request a call made when its HTTP/2 client cancels the stream', async () => {
    arrived = gate();
    const session = connectH2(t.addr);
    try {
      const stream = session.request({ ':path': '/fn/pass', ':authority': HOST, 'x-hang': '1' });
      stream.on('error', () => {});
      const req = await within(arrived.promise, 10_000, 'upstream request');
      const closed = new Promise<void>((resolve) => req.once('close', () => resolve()));
      stream.close(http2.constants.NGHTTP2_CANCEL);
      await within(closed, 10_000, 'upstream request aborted');
    } finally {
      session.destroy();
    }
  });
});
