// What a function call does: streams the handler's answer, turns a thrown error into a 502 naming
// the function, an unknown call type into 501, a binding without endpoints into 503 and an
// over-limit body into 413; aborts the handler when the client goes away; balances pick() over the
// binding's endpoints.
import assert from 'node:assert/strict';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { FUNCTION_BODY_LIMIT } from '../../src/functions/call-body.ts';
import { functionHandlers } from '../../src/functions/registry.ts';
import type { FunctionContext, FunctionRequest, FunctionResponse, UpstreamAddress } from '../../src/functions/types.ts';
import type { Cluster } from '../../src/snapshot/types.ts';
import { get } from '../support/http.ts';
import { connectH2, h2Request } from '../proxy/h2-helpers.ts';
import { binding, gate, HOST, rest, startFunctionPlane, within, type FunctionPlane } from './call-helpers.ts';

const lambda = { type: 'aws-lambda', functionName: 'f', region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 's' }, invocation: 'sync', unwrapAsApiGateway: false, wrapAsApiGateway: false } as const;
const twoEndpoints: Cluster = { name: 'default/two:80', protocol: 'http1', type: 'static', endpoints: [{ address: '10.0.0.1', port: 1 }, { address: '10.0.0.2', port: 2 }] };
const empty: Cluster = { name: 'default/empty:80', protocol: 'http1', type: 'static', endpoints: [] };

/** The stub 'rest' handler's behaviours, by the request path's last segment. */
type Behaviour = (req: FunctionRequest, ctx: FunctionContext) => Promise<FunctionResponse>;

describe('function calls in the gateway', () => {
  const behaviours = new Map<string, Behaviour>();
  let restore: () => void;
  let t: FunctionPlane;
  before(async () => {
    restore = functionHandlers.register('rest', (_call, req, ctx) => {
      const last = req.path.split('?')[0]!.split('/').pop()!;
      const b = behaviours.get(last);
      if (b === undefined) throw new Error(`no behaviour ${last}`);
      return b(req, ctx);
    });
    t = await startFunctionPlane({
      bindings: [binding('f', rest(), 'default/two:80'), binding('empty', rest(), 'default/empty:80'), binding('gone', rest(), 'default/not-in-snapshot:80'), binding('lambda', lambda)],
      clusters: [twoEndpoints, empty],
    });
  });
  after(async () => {
    restore();
    await t?.stop();
  });

  it('streams a chunked answer: the client reads the first chunk before the handler writes the second', async () => {
    const second = gate();
    behaviours.set('stream', async () => ({
      status: 200,
      headers: { 'content-type': 'text/plain' },
      body: (async function* () {
        yield Buffer.from('first;');
        await second.promise;
        yield Buffer.from('second');
      })(),
    }));
    const body = await within(
      new Promise<string>((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port: Number(t.addr.split(':')[1]), path: '/fn/f/stream', headers: { host: HOST } }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => {
            text += d;
            if (text === 'first;') second.open();
          });
          res.on('end', () => resolve(text));
          res.on('error', reject);
        });
        req.on('error', reject);
      }),
      10_000,
      'streamed answer',
    );
    assert.equal(body, 'first;second');
  });

  it('answers 502 with a JSON body naming the function when the handler throws, and logs why', async () => {
    behaviours.set('throw', async () => {
      throw new Error('upstream said no (secret detail)');
    });
    const r = await get(t.addr, HOST, '/fn/f/throw');
    assert.equal(r.status, 502);
    assert.match(String(r.headers['content-type']), /application\/json/);
    assert.deepEqual(JSON.parse(r.body), { error: 'function call failed', function: 'f' });
    assert.ok(t.logs.some((l) => l.function === 'f' && String(l.err).includes('upstream said no')), 'the reason is logged, not sent');
  });

  it('answers 502 when the handler\'s answer cannot be sent (a header with CR/LF, a status out of range)', async () => {
    behaviours.set('badheader', async () => ({ status: 200, headers: { 'x-evil': 'a\r\nset-cookie: x=1' }, body: Buffer.from('no') }));
    behaviours.set('badstatus', async () => ({ status: 42, headers: {}, body: Buffer.from('no') }));
    for (const b of ['badheader', 'badstatus']) {
      const r = await get(t.addr, HOST, `/fn/f/${b}`);
      assert.equal(r.status, 502, b);
      assert.equal(r.headers['set-cookie'], undefined);
    }
  });

  it('cuts the response off when a streamed answer fails after its head, and the gateway goes on serving', async () => {
    behaviours.set('breaks', async () => ({
      status: 200,
      headers: {},
      body: (async function* () {
        yield Buffer.from('partial');
        throw new Error('stream broke');
      })(),
    }));
    await assert.rejects(get(t.addr, HOST, '/fn/f/breaks'));
    behaviours.set('ok', async () => ({ status: 200, headers: {}, body: Buffer.from('fine') }));
    assert.equal((await get(t.addr, HOST, '/fn/f/ok')).body, 'fine');
  });

  it('answers a gRPC client\'s failed call with a trailers-only gRPC status', async () => {
    const session = connectH2(t.addr);
    try {
      const r = await h2Request(session, { ':method': 'POST', ':path': '/fn/f/throw', ':authority': HOST, 'content-type': 'application/grpc', te: 'trailers' }, Buffer.alloc(5));
      assert.equal(r.status, 200);
      assert.equal(r.headers['grpc-status'], '14', 'UNAVAILABLE, as for a 502');
    } finally {
      session.destroy();
    }
  });

  it('answers 501 JSON for a call type no handler is registered for', async () => {
    const back = functionHandlers.unregister('aws-lambda');
    const r = await get(t.addr, HOST, '/fn/lambda').finally(back);
    assert.equal(r.status, 501, r.body);
    assert.deepEqual(JSON.parse(r.body), { error: 'function call type not supported by this gateway', function: 'lambda', type: 'aws-lambda' });
  });

  it('answers 503 when the binding\'s cluster has no endpoints or is not in the snapshot, without calling the handler', async () => {
    behaviours.set('empty', async () => assert.fail('the handler must not run'));
    behaviours.set('gone', async () => assert.fail('the handler must not run'));
    for (const name of ['empty', 'gone']) {
      const r = await get(t.addr, HOST, `/fn/${name}`);
      assert.equal(r.status, 503, r.body);
      assert.equal(JSON.parse(r.body).function, name);
    }
  });

  it('answers 413 past the body limit, declared or chunked, and takes a body at the limit', async () => {
    behaviours.set('size', async (req) => ({ status: 200, headers: {}, body: Buffer.from(String(req.body.length)) }));
    const atLimit = await get(t.addr, HOST, '/fn/f/size', {}, { method: 'POST', body: Buffer.alloc(FUNCTION_BODY_LIMIT, 1) });
    assert.equal(atLimit.status, 200);
    assert.equal(atLimit.body, String(FUNCTION_BODY_LIMIT));
    const over = await get(t.addr, HOST, '/fn/f/size', {}, { method: 'POST', body: Buffer.alloc(FUNCTION_BODY_LIMIT + 1, 1) });
    assert.equal(over.status, 413, over.body);
    assert.equal(JSON.parse(over.body).function, 'f');
    // HTTP/2 carries no length here: the call counts as it reads
    const session = connectH2(t.addr);
    try {
      const h2 = await h2Request(session, { ':method': 'POST', ':path': '/fn/f/size', ':authority': HOST }, Buffer.alloc(FUNCTION_BODY_LIMIT + 1, 1));
      assert.equal(h2.status, 413, h2.body);
    } finally {
      session.destroy();
    }
  });

  it('aborts the handler\'s signal when the client goes away mid-call (HTTP/1.1 reset, HTTP/2 stream cancel)', async () => {
    let called = gate();
    let aborted = gate<unknown>();
    behaviours.set('hang', (_req, ctx) => {
      const mine = aborted;
      ctx.signal.addEventListener('abort', () => mine.open(ctx.signal.reason));
      called.open();
      return new Promise<FunctionResponse>(() => {});
    });
    const [, portText] = t.addr.split(':');
    const socket = net.connect(Number(portText), '127.0.0.1');
    socket.on('error', () => {});
    socket.write(`GET /fn/f/hang HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`);
    await within(called.promise, 10_000, 'handler called');
    socket.resetAndDestroy();
    assert.ok((await within(aborted.promise, 10_000, 'signal aborted (HTTP/1.1)')) instanceof Error);

    called = gate();
    aborted = gate<unknown>();
    const session = connectH2(t.addr);
    try {
      const stream = session.request({ ':path': '/fn/f/hang', ':authority': HOST });
      stream.on('error', () => {});
      await within(called.promise, 10_000, 'handler called over h2');
      stream.close(http2.constants.NGHTTP2_CANCEL);
      assert.ok((await within(aborted.promise, 10_000, 'signal aborted (HTTP/2)')) instanceof Error);
    } finally {
      session.destroy();
    }
  });

  it('balances pick() round-robin over the binding\'s cluster endpoints', async () => {
    behaviours.set('pick', async (_req, ctx) => {
      const picks: (UpstreamAddress | undefined)[] = [ctx.pick(), ctx.pick(), ctx.pick()];
      return { status: 200, headers: {}, body: Buffer.from(JSON.stringify(picks)) };
    });
    const picks = JSON.parse((await get(t.addr, HOST, '/fn/f/pick')).body) as UpstreamAddress[];
    assert.deepEqual(
      picks.map((p) => p.address),
      ['10.0.0.1', '10.0.0.2', '10.0.0.1'],
    );
  });
});

describe('a function route\'s timeout', () => {
  it('answers 504 and aborts the handler\'s signal when the route\'s timeout fires', async () => {
    const aborted = gate<unknown>();
    const restore = functionHandlers.register('rest', (_call, _req, ctx) => {
      ctx.signal.addEventListener('abort', () => aborted.open(ctx.signal.reason));
      return new Promise<FunctionResponse>(() => {});
    });
    const t = await startFunctionPlane({ bindings: [binding('slow', rest())], clusters: [], routeExtra: { timeout: { request: 200 } } });
    try {
      const r = await get(t.addr, HOST, '/fn/slow');
      assert.equal(r.status, 504);
      assert.ok((await within(aborted.promise, 10_000, 'signal aborted')) instanceof Error);
    } finally {
      restore();
      await t.stop();
    }
  });
});
