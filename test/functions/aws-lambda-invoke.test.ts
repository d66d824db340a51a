// Invoke: sync and async calls, qualifiers, ARNs, session tokens, the endpoint, aborts and the
// timeout, against the fake endpoint that checks each signature with the AWS SDK's signer.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLambdaHandler, lambdaHandler } from '../../src/functions/aws-lambda/handler.ts';
import { bodyOf, callFor, contextOf, type FakeLambda, requestOf, startFakeLambda } from '../support/fake-lambda.ts';

describe('Lambda Invoke', () => {
  let fake: FakeLambda;
  let release: () => void = () => {};
  const hung = new Promise<void>((r) => (release = r));
  before(async () => {
    fake = await startFakeLambda();
    fake.register('echo', (event) => ({ got: event }));
    fake.register('greet', () => 'version one', { qualifier: '1' });
    fake.register('greet', () => 'the live alias', { qualifier: 'live' });
    fake.register('hang', () => hung);
  });
  after(async () => {
    release();
    await fake.close();
  });

  test('a sync call sends the body as the payload and answers 200 application/json with the result', async () => {
    const res = await lambdaHandler(callFor(fake, 'echo'), requestOf('POST', '/x', '{"n":1}', { 'content-type': 'application/json' }), contextOf());
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse((await bodyOf(res)).toString()), { got: { n: 1 } });
    const last = fake.invocations.at(-1)!;
    assert.equal(last.invocationType, 'RequestResponse');
    assert.equal(last.headers['x-amz-log-type'], 'None');
  });

  test('an async call answers 202 with no body and the function runs as an Event', async () => {
    const before = fake.invocations.length;
    const res = await lambdaHandler(callFor(fake, 'echo', { invocation: 'async' }), requestOf('POST', '/x', '{"job":7}'), contextOf());
    assert.equal(res.status, 202);
    assert.equal((await bodyOf(res)).length, 0);
    const seen = await fake.waitForInvocations(before + 1);
    assert.equal(seen.at(-1)!.invocationType, 'Event');
    assert.deepEqual(seen.at(-1)!.event, { job: 7 });
  });

  test('the qualifier picks the version or alias', async () => {
    const one = await lambdaHandler(callFor(fake, 'greet', { qualifier: '1' }), requestOf('GET', '/'), contextOf());
    const live = await lambdaHandler(callFor(fake, 'greet', { qualifier: 'live' }), requestOf('GET', '/'), contextOf());
    assert.equal((await bodyOf(one)).toString(), '"version one"');
    assert.equal((await bodyOf(live)).toString(), '"the live alias"');
    assert.equal(fake.invocations.at(-1)!.qualifier, 'live');
  });

  test('a qualifier with characters to escape ($LATEST) is signed as AWS canonicalizes it', async () => {
    const res = await lambdaHandler(callFor(fake, 'echo', { qualifier: '$LATEST' }), requestOf('POST', '/', '{"q":1}'), contextOf());
    assert.equal(res.status, 200, (await bodyOf(res)).toString());
    assert.deepEqual(JSON.parse((await bodyOf(res)).toString()), { got: { q: 1 } });
  });

  test('a function named by its ARN is URL-encoded into the path and still signed right', async () => {
    const arn = `arn:aws:lambda:${fake.region}:123456789012:function:greet:live`;
    const res = await lambdaHandler(callFor(fake, arn), requestOf('GET', '/'), contextOf());
    assert.equal(res.status, 200);
    assert.equal((await bodyOf(res)).toString(), '"the live alias"');
  });

  test('temporary credentials send their session token as X-Amz-Security-Token, signed', async () => {
    const withToken = await startFakeLambda({ credentials: { accessKeyId: 'ASIATEMP', secretAccessKey: 'temp-secret', sessionToken: 'the-session-token' } });
    try {
      withToken.register('echo', (e) => e);
      const res = await lambdaHandler(callFor(withToken, 'echo'), requestOf('POST', '/', '[1]'), contextOf());
      assert.equal(res.status, 200, (await bodyOf(res)).toString());
      assert.equal(withToken.invocations[0]!.headers['x-amz-security-token'], 'the-session-token');
      assert.match(String(withToken.invocations[0]!.headers.authorization), /SignedHeaders=[^,]*x-amz-security-token/);
    } finally {
      await withToken.close();
    }
  });

  test('the signature is scoped to the call region and the lambda service', async () => {
    await lambdaHandler(callFor(fake, 'echo'), requestOf('POST', '/', '{}'), contextOf());
    assert.match(String(fake.invocations.at(-1)!.headers.authorization), new RegExp(`^AWS4-HMAC-SHA256 Credential=${fake.credentials.accessKeyId}/\\d{8}/${fake.region}/lambda/aws4_request, `));
  });

  test('aborting the context signal ends a call in flight with the signal reason', async () => {
    const ac = new AbortController();
    const started = fake.invocations.length;
    const pending = lambdaHandler(callFor(fake, 'hang'), requestOf('GET', '/'), contextOf(ac.signal));
    await fake.waitForInvocations(started + 1);
    const reason = new Error('client went away');
    ac.abort(reason);
    await assert.rejects(pending, (err) => err === reason);
  });

  test('an already aborted signal sends nothing', async () => {
    const before = fake.invocations.length;
    await assert.rejects(lambdaHandler(callFor(fake, 'echo'), requestOf('GET', '/'), contextOf(AbortSignal.abort())));
    assert.equal(fake.invocations.length, before);
  });

  test('a call that outlasts the bound answers 504 with a JSON body naming the function', async () => {
    const handler = createLambdaHandler({ timeoutMs: 200 });
    const t0 = Date.now();
    const res = await handler(callFor(fake, 'hang'), requestOf('GET', '/'), contextOf());
    assert.ok(Date.now() - t0 < 3000);
    assert.equal(res.status, 504);
    const body = JSON.parse((await bodyOf(res)).toString());
    assert.equal(body.function, 'hang');
    assert.equal(body.error, 'function_timeout');
  });
});
