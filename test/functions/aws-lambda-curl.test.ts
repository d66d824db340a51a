// End to end with a real client: curl -> a tiny node:http server that hands each request to the
// Lambda handler (as the function host does) -> the fake Lambda endpoint, which checks signatures.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { lambdaHandler } from '../../src/functions/aws-lambda/handler.ts';
import type { FunctionRequest, LambdaCall } from '../../src/functions/types.ts';
import { bodyOf, callFor, type FakeLambda, startFakeLambda } from '../support/fake-lambda.ts';

interface Curled {
  status: number;
  headers: string;
  body: Buffer;
}

/** Runs curl, bounded, with `-i`: the head is split off at the first blank line, the body stays bytes. */
function curl(args: string[], stdin?: Buffer): Promise<Curled> {
  return new Promise((resolve, reject) => {
    const child = execFile('curl', ['-sS', '-i', '--max-time', '10', ...args], { encoding: 'buffer', timeout: 15_000 }, (err, stdout) => {
      if (err) return reject(err);
      const end = stdout.indexOf('\r\n\r\n');
      const headers = stdout.subarray(0, end).toString('latin1');
      const status = Number(/^HTTP\/[\d.]+ (\d{3})/.exec(headers)?.[1]);
      resolve({ status, headers, body: stdout.subarray(end + 4) });
    });
    child.stdin!.end(stdin ?? Buffer.alloc(0));
  });
}

/** A gateway in miniature: one function call per path prefix, answered as the host would. */
function gateway(routes: Record<string, LambdaCall>): http.Server {
  return http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const call = Object.entries(routes).find(([prefix]) => req.url!.startsWith(prefix))?.[1];
      if (!call) {
        res.writeHead(404).end();
        return;
      }
      const headers: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = v;
      const fnReq: FunctionRequest = { method: req.method!, path: req.url!, headers, body: Buffer.concat(chunks) };
      const ac = new AbortController();
      res.on('close', () => ac.abort(new Error('client went away')));
      lambdaHandler(call, fnReq, { pick: () => undefined, signal: ac.signal })
        .then(async (r) => {
          const body = await bodyOf(r);
          res.writeHead(r.status, { ...r.headers, 'content-length': body.length });
          res.end(body);
        })
        .catch((err: unknown) => {
          res.writeHead(502, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'function_failed', message: String(err) }));
        });
    });
  });
}

describe('Lambda through a gateway, with curl', () => {
  let fake: FakeLambda;
  let server: http.Server;
  let base: string;
  before(async () => {
    fake = await startFakeLambda({ credentials: { accessKeyId: 'ASIACURL', secretAccessKey: 'curl-secret', sessionToken: 'curl-token' } });
    fake.register('echo', (event) => ({ echoed: event }));
    // an API Gateway style function: answers with the request's own body and type, and two cookies
    fake.register('api', (event) => {
      const e = event as { headers: Record<string, string>; body: string | null; isBase64Encoded: boolean; queryStringParameters: Record<string, string> | null };
      return {
        statusCode: 201,
        headers: { 'content-type': e.headers['content-type'] ?? 'text/plain', 'x-query': JSON.stringify(e.queryStringParameters) },
        multiValueHeaders: { 'set-cookie': ['a=1; Path=/', 'b=2; Path=/'] },
        body: e.body ?? '',
        isBase64Encoded: e.isBase64Encoded,
      };
    });
    server = gateway({
      '/sync': callFor(fake, 'echo'),
      '/async': callFor(fake, 'echo', { invocation: 'async' }),
      '/api': callFor(fake, 'api', { wrapAsApiGateway: true, unwrapAsApiGateway: true }),
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await fake.close();
  });

  test('a JSON POST is the payload of a signed sync call and the result comes back as JSON', async () => {
    const r = await curl(['-H', 'content-type: application/json', '-d', '{"order":42}', `${base}/sync`]);
    assert.equal(r.status, 200, r.body.toString());
    assert.match(r.headers, /content-type: application\/json/i);
    assert.deepEqual(JSON.parse(r.body.toString()), { echoed: { order: 42 } });
  });

  test('an async route answers curl 202 with no body and the function still runs', async () => {
    const n = fake.invocations.length;
    const r = await curl(['-X', 'POST', '-d', '{"job":"resize"}', `${base}/async`]);
    assert.equal(r.status, 202);
    assert.equal(r.body.length, 0);
    const seen = await fake.waitForInvocations(n + 1);
    assert.deepEqual(seen.at(-1)!.event, { job: 'resize' });
  });

  test('a binary upload goes base64 in the proxy event and comes back byte for byte, with both cookies', async () => {
    const bytes = Buffer.alloc(4096);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + 7) & 0xff;
    const r = await curl(['-H', 'content-type: application/octet-stream', '--data-binary', '@-', `${base}/api/upload?size=4096&tag=a&tag=b`], bytes);
    assert.equal(r.status, 201);
    assert.deepEqual(r.body, bytes);
    assert.match(r.headers, /content-type: application\/octet-stream/i);
    assert.equal(r.headers.match(/^set-cookie: /gim)?.length, 2);
    assert.match(r.headers, /x-query: \{"size":"4096","tag":"b"\}/i);
  });

  test('a function error reaches curl as 504 with the error document', async () => {
    fake.register('echo-broken', () => {
      throw new Error('kaput');
    });
    const broken = gateway({ '/': callFor(fake, 'echo-broken') });
    await new Promise<void>((r) => broken.listen(0, '127.0.0.1', () => r()));
    try {
      const r = await curl(['-d', '{}', `http://127.0.0.1:${(broken.address() as AddressInfo).port}/`]);
      assert.equal(r.status, 504);
      assert.match(r.headers, /x-amz-function-error: Unhandled/i);
      assert.equal(JSON.parse(r.body.toString()).errorMessage, 'kaput');
    } finally {
      broken.closeAllConnections();
      await new Promise<void>((r) => broken.close(() => r()));
    }
  });
});
