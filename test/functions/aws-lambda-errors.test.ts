// Errors: function errors, Lambda's refusals (signature, missing function, throttling, payload),
// and an endpoint that is down, failing or misbehaving. None may escape as a crash.
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createLambdaHandler, lambdaHandler } from '../../src/functions/aws-lambda/handler.ts';
import type { FunctionResponse, LambdaCall } from '../../src/functions/types.ts';
import { bodyOf, callFor, contextOf, type FakeLambda, HandledError, requestOf, startFakeLambda } from '../support/fake-lambda.ts';

async function jsonOf(res: FunctionResponse): Promise<Record<string, unknown>> {
  return JSON.parse((await bodyOf(res)).toString());
}

async function listen(server: http.Server | net.Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function close(server: http.Server | net.Server): Promise<void> {
  if (server instanceof http.Server) server.closeAllConnections();
  return new Promise((r) => server.close(() => r()));
}

describe('Lambda errors', () => {
  let fake: FakeLambda;
  before(async () => {
    fake = await startFakeLambda();
    fake.register('boom', () => {
      throw new TypeError('boom');
    });
    fake.register('handled', () => {
      throw new HandledError('not today');
    });
    fake.register('echo', (e) => e);
    fake.register('busy', () => 'never', { throttled: true });
    fake.register('big', () => 'x'.repeat(10_000));
  });
  after(() => fake.close());

  test('an Unhandled function error is 504 with the function error document, as Gloo answers', async () => {
    const res = await lambdaHandler(callFor(fake, 'boom'), requestOf('POST', '/', '{}'), contextOf());
    assert.equal(res.status, 504);
    assert.equal(res.headers['x-amz-function-error'], 'Unhandled');
    assert.equal(res.headers['content-type'], 'application/json');
    const doc = await jsonOf(res);
    assert.equal(doc.errorType, 'TypeError');
    assert.equal(doc.errorMessage, 'boom');
  });

  test('a Handled function error is 504 too, and says Handled', async () => {
    const res = await lambdaHandler(callFor(fake, 'handled'), requestOf('POST', '/', '{}'), contextOf());
    assert.equal(res.status, 504);
    assert.equal(res.headers['x-amz-function-error'], 'Handled');
    assert.equal((await jsonOf(res)).errorMessage, 'not today');
  });

  test('a function error is not unwrapped as an API Gateway response', async () => {
    const res = await lambdaHandler(callFor(fake, 'boom', { unwrapAsApiGateway: true }), requestOf('POST', '/', '{}'), contextOf());
    assert.equal(res.status, 504);
    assert.equal((await jsonOf(res)).errorMessage, 'boom');
  });

  test("credentials Lambda refuses are 502 naming the function, without Lambda's message", async () => {
    const call = callFor(fake, 'echo', { credentials: { ...fake.credentials, secretAccessKey: 'wrong' } });
    const res = await lambdaHandler(call, requestOf('POST', '/', '{}'), contextOf());
    assert.equal(res.status, 502);
    const doc = await jsonOf(res);
    assert.equal(doc.error, 'lambda_rejected_credentials');
    assert.equal(doc.function, 'echo');
    assert.equal(doc.lambdaErrorType, 'InvalidSignatureException');
    assert.doesNotMatch(JSON.stringify(doc), /signature we calculated/);
  });

  test('a signature for another region is refused and answered 502', async () => {
    const res = await lambdaHandler(callFor(fake, 'echo', { region: 'eu-west-1' }), requestOf('POST', '/', '{}'), contextOf());
    assert.equal(res.status, 502);
    assert.equal((await jsonOf(res)).error, 'lambda_rejected_credentials');
  });

  test('a request the endpoint sees as expired (clocks 10 minutes apart) is answered 502', async () => {
    const ahead = await startFakeLambda({ now: () => new Date(Date.now() + 10 * 60 * 1000) });
    try {
      ahead.register('echo', (e) => e);
      const res = await lambdaHandler(callFor(ahead, 'echo'), requestOf('POST', '/', '{}'), contextOf());
      assert.equal(res.status, 502);
      assert.equal((await jsonOf(res)).lambdaErrorType, 'InvalidSignatureException');
    } finally {
      await ahead.close();
    }
  });

  test('a function Lambda does not have is 502 function_not_found naming it', async () => {
    const res = await lambdaHandler(callFor(fake, 'nope'), requestOf('POST', '/', '{}'), contextOf());
    assert.equal(res.status, 502);
    const doc = await jsonOf(res);
    assert.equal(doc.error, 'function_not_found');
    assert.equal(doc.function, 'nope');
    assert.equal(doc.lambdaErrorType, 'ResourceNotFoundException');
  });

  test('a qualifier Lambda does not have is 502 function_not_found naming it', async () => {
    const res = await lambdaHandler(callFor(fake, 'echo', { qualifier: 'v9' }), requestOf('POST', '/', '{}'), contextOf());
    assert.equal(res.status, 502);
    const doc = await jsonOf(res);
    assert.equal(doc.error, 'function_not_found');
    assert.equal(doc.qualifier, 'v9');
  });

  test('throttling is 429 with Retry-After passed on', async () => {
    const res = await lambdaHandler(callFor(fake, 'busy'), requestOf('POST', '/', '{}'), contextOf());
    assert.equal(res.status, 429);
    assert.equal(res.headers['retry-after'], '1');
    const doc = await jsonOf(res);
    assert.equal(doc.error, 'function_throttled');
    assert.equal(doc.function, 'busy');
  });

  test('a request body that is not JSON is 400 when it is the payload', async () => {
    const res = await lambdaHandler(callFor(fake, 'echo'), requestOf('POST', '/', 'name=rex'), contextOf());
    assert.equal(res.status, 400);
    assert.equal((await jsonOf(res)).error, 'payload_not_json');
  });

  test('a payload larger than Lambda takes is 413', async () => {
    const res = await lambdaHandler(callFor(fake, 'echo'), requestOf('POST', '/', Buffer.alloc(6 * 1024 * 1024 + 10, 0x20)), contextOf());
    assert.equal(res.status, 413);
    assert.equal((await jsonOf(res)).error, 'payload_too_large');
  });

  test('an answer larger than the bound is 502, not buffered', async () => {
    const res = await createLambdaHandler({ maxAnswerBytes: 1024 })(callFor(fake, 'big'), requestOf('POST', '/', '{}'), contextOf());
    assert.equal(res.status, 502);
    assert.equal((await jsonOf(res)).error, 'function_answer_broken');
  });

  test('an endpoint nothing listens on is 503 function_unreachable', async () => {
    const server = http.createServer();
    const endpoint = await listen(server);
    await close(server);
    const res = await lambdaHandler({ ...callFor(fake, 'echo'), endpoint }, requestOf('POST', '/', '{}'), contextOf());
    assert.equal(res.status, 503);
    const doc = await jsonOf(res);
    assert.equal(doc.error, 'function_unreachable');
    assert.equal(doc.function, 'echo');
    assert.doesNotMatch(JSON.stringify(doc), /127\.0\.0\.1/);
  });

  const answering: [number, number, string][] = [
    [500, 502, 'lambda_error'],
    [502, 502, 'lambda_error'],
    [503, 503, 'lambda_unavailable'],
    [302, 502, 'lambda_error'],
  ];
  for (const [lambdaStatus, clientStatus, code] of answering) {
    test(`an endpoint answering ${lambdaStatus} is ${clientStatus} ${code}`, async () => {
      const server = http.createServer((_req, res) => {
        res.writeHead(lambdaStatus, { 'content-type': 'application/json', 'x-amzn-errortype': 'ServiceException' });
        res.end('{"message":"internal detail"}');
      });
      const endpoint = await listen(server);
      try {
        const res = await lambdaHandler({ ...callFor(fake, 'echo'), endpoint }, requestOf('POST', '/', '{}'), contextOf());
        assert.equal(res.status, clientStatus);
        const doc = await jsonOf(res);
        assert.equal(doc.error, code);
        assert.doesNotMatch(JSON.stringify(doc), /internal detail/);
      } finally {
        await close(server);
      }
    });
  }

  test('an endpoint that resets mid-answer is 502 function_answer_broken', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"partial":', () => res.socket?.destroy());
    });
    const endpoint = await listen(server);
    try {
      const res = await lambdaHandler({ ...callFor(fake, 'echo'), endpoint }, requestOf('POST', '/', '{}'), contextOf());
      assert.equal(res.status, 502);
      assert.equal((await jsonOf(res)).error, 'function_answer_broken');
    } finally {
      await close(server);
    }
  });

  test('an endpoint that does not speak HTTP is 502 function_answer_broken', async () => {
    const server = net.createServer((s) => s.resume().end('SSH-2.0-OpenSSH_9.6\r\n\r\n'));
    const endpoint = await listen(server);
    try {
      const res = await lambdaHandler({ ...callFor(fake, 'echo'), endpoint }, requestOf('POST', '/', '{}'), contextOf());
      assert.equal(res.status, 502);
      assert.equal((await jsonOf(res)).error, 'function_answer_broken');
    } finally {
      await close(server);
    }
  });

  test('a region that is not a region name is an error, never part of a host name credentials are sent to', async () => {
    const call: LambdaCall = { ...callFor(fake, 'echo'), endpoint: undefined, region: 'evil.example/x' };
    await assert.rejects(lambdaHandler(call, requestOf('POST', '/', '{}'), contextOf()), /region "evil\.example\/x"/);
  });

  test('a pooled connection the endpoint dropped is retried once on a fresh one', async () => {
    let served = 0;
    const server = http.createServer((req, res) => {
      served++;
      // the second request on a kept-alive connection meets a connection the server dropped
      if ((req.socket as { count?: number }).count === 1) {
        req.socket.destroy();
        return;
      }
      (req.socket as { count?: number }).count = 1;
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('"ok"'));
    });
    server.keepAliveTimeout = 60_000;
    const endpoint = await listen(server);
    try {
      const call = { ...callFor(fake, 'echo'), endpoint };
      assert.equal((await lambdaHandler(call, requestOf('POST', '/', '{}'), contextOf())).status, 200);
      const second = await lambdaHandler(call, requestOf('POST', '/', '{}'), contextOf());
      assert.equal(second.status, 200, (await bodyOf(second)).toString());
      assert.equal(served, 3);
    } finally {
      await close(server);
    }
  });

  test('an endpoint that is not http(s) is an error naming the endpoint, thrown for the host to answer', async () => {
    const call: LambdaCall = { ...callFor(fake, 'echo'), endpoint: 'ftp://lambda.example' };
    await assert.rejects(lambdaHandler(call, requestOf('POST', '/', '{}'), contextOf()), /ftp:\/\/lambda\.example/);
  });
});
