// The payload: the body as it is by default, an API Gateway REST proxy event with
// wrapAsApiGateway; the answer: the result as JSON, or an API Gateway proxy response unwrapped.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { lambdaHandler } from '../../src/functions/aws-lambda/handler.ts';
import { bodyOf, callFor, contextOf, type FakeLambda, RawPayload, requestOf, startFakeLambda } from '../support/fake-lambda.ts';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0xfe]);

describe('Lambda payloads', () => {
  let fake: FakeLambda;
  let answer: unknown;
  before(async () => {
    fake = await startFakeLambda();
    fake.register('echo', (event) => event);
    fake.register('answer', () => answer);
    fake.register('mirror', (event) => ({ statusCode: 200, body: JSON.stringify(event) }));
  });
  after(() => fake.close());

  const unwrap = (value: unknown) => {
    answer = value;
    return lambdaHandler(callFor(fake, 'answer', { unwrapAsApiGateway: true }), requestOf('GET', '/'), contextOf());
  };

  test('by default the request body is the payload, untouched, and the headers are not sent', async () => {
    const res = await lambdaHandler(callFor(fake, 'echo'), requestOf('PUT', '/a?b=c', ' [1, {"x": "y"}] ', { 'x-secret': 's' }), contextOf());
    assert.equal(res.status, 200);
    assert.deepEqual(fake.invocations.at(-1)!.event, [1, { x: 'y' }]);
    assert.equal(fake.invocations.at(-1)!.headers['x-secret'], undefined);
  });

  test('wrapAsApiGateway gives the function a REST proxy event: method, path, headers, query, body', async () => {
    const req = requestOf('POST', '/pets/7?tag=a&tag=b&q=x%20y', '{"name":"rex"}', {
      'content-type': 'application/json',
      accept: ['text/plain', 'application/json'],
      'x-forwarded-for': '10.0.0.1, 192.0.2.9',
    });
    const res = await lambdaHandler(callFor(fake, 'echo', { wrapAsApiGateway: true }), req, contextOf());
    assert.equal(res.status, 200);
    const event = JSON.parse((await bodyOf(res)).toString());
    assert.equal(event.httpMethod, 'POST');
    assert.equal(event.path, '/pets/7');
    assert.equal(event.resource, '/pets/7');
    assert.equal(event.headers['content-type'], 'application/json');
    assert.equal(event.headers.accept, 'application/json');
    assert.deepEqual(event.multiValueHeaders.accept, ['text/plain', 'application/json']);
    assert.deepEqual(event.queryStringParameters, { tag: 'b', q: 'x y' });
    assert.deepEqual(event.multiValueQueryStringParameters, { tag: ['a', 'b'], q: ['x y'] });
    assert.equal(event.body, '{"name":"rex"}');
    assert.equal(event.isBase64Encoded, false);
    assert.equal(event.requestContext.identity.sourceIp, '192.0.2.9');
  });

  test('wrapAsApiGateway keeps query keys and header names that are Object.prototype member names', async () => {
    const req = requestOf('GET', '/?constructor=c&__proto__=p&toString=t&toString=u', '', JSON.parse('{"__proto__":"h","constructor":["a","b"]}'));
    const res = await lambdaHandler(callFor(fake, 'echo', { wrapAsApiGateway: true }), req, contextOf());
    assert.equal(res.status, 200);
    const event = JSON.parse((await bodyOf(res)).toString());
    // entries, not literals: `{ __proto__: ... }` in a literal would set a prototype
    assert.deepEqual(Object.entries(event.multiValueQueryStringParameters), [['constructor', ['c']], ['__proto__', ['p']], ['toString', ['t', 'u']]]);
    assert.equal(event.queryStringParameters.toString, 'u');
    assert.deepEqual(Object.entries(event.headers), [['__proto__', 'h'], ['constructor', 'b']]);
    assert.deepEqual(event.multiValueHeaders.constructor, ['a', 'b']);
  });

  test('unwrapAsApiGateway keeps a header the function named __proto__', async () => {
    const res = await unwrap(JSON.parse('{"headers":{"__proto__":"x","constructor":"y"},"body":""}'));
    assert.equal(res.status, 200);
    assert.ok(Object.hasOwn(res.headers, '__proto__'));
    assert.equal(res.headers.constructor, 'y');
  });

  test('wrapAsApiGateway base64-encodes a binary body and marks it so', async () => {
    const req = requestOf('POST', '/upload', PNG, { 'content-type': 'image/png' });
    await lambdaHandler(callFor(fake, 'echo', { wrapAsApiGateway: true }), req, contextOf());
    const event = fake.invocations.at(-1)!.event as { body: string; isBase64Encoded: boolean };
    assert.equal(event.isBase64Encoded, true);
    assert.deepEqual(Buffer.from(event.body, 'base64'), PNG);
  });

  test('wrapAsApiGateway base64-encodes bytes that are not UTF-8 even when the type says text', async () => {
    await lambdaHandler(callFor(fake, 'echo', { wrapAsApiGateway: true }), requestOf('POST', '/', PNG, { 'content-type': 'text/plain' }), contextOf());
    const event = fake.invocations.at(-1)!.event as { body: string; isBase64Encoded: boolean };
    assert.equal(event.isBase64Encoded, true);
    assert.deepEqual(Buffer.from(event.body, 'base64'), PNG);
  });

  test('wrapAsApiGateway with no body and no query sends nulls, as API Gateway does', async () => {
    await lambdaHandler(callFor(fake, 'echo', { wrapAsApiGateway: true }), requestOf('GET', '/'), contextOf());
    const event = fake.invocations.at(-1)!.event as Record<string, unknown>;
    assert.equal(event.body, null);
    assert.equal(event.queryStringParameters, null);
    assert.equal(event.multiValueQueryStringParameters, null);
  });

  test('unwrapAsApiGateway turns statusCode, headers, multiValueHeaders and body into the response', async () => {
    const res = await unwrap({
      statusCode: 201,
      headers: { 'Content-Type': 'text/plain', 'X-Single': 'one', 'X-Both': 'from-headers' },
      multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'], 'X-Both': ['from-multi'] },
      body: 'created',
    });
    assert.equal(res.status, 201);
    assert.equal(res.headers['content-type'], 'text/plain');
    assert.equal(res.headers['x-single'], 'one');
    assert.deepEqual(res.headers['set-cookie'], ['a=1', 'b=2']);
    assert.equal(res.headers['x-both'], 'from-multi');
    assert.equal((await bodyOf(res)).toString(), 'created');
  });

  test('unwrapAsApiGateway decodes a base64 body', async () => {
    const res = await unwrap({ statusCode: 200, headers: { 'content-type': 'image/png' }, body: PNG.toString('base64'), isBase64Encoded: true });
    assert.deepEqual(await bodyOf(res), PNG);
    assert.equal(res.headers['content-type'], 'image/png');
  });

  test('unwrapAsApiGateway defaults to 200 application/json and drops framing headers the function set', async () => {
    const res = await unwrap({ body: '{"ok":true}', headers: { 'content-length': '999', 'transfer-encoding': 'chunked', connection: 'close' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/json');
    assert.equal(res.headers['content-length'], undefined);
    assert.equal(res.headers['transfer-encoding'], undefined);
    assert.equal(res.headers.connection, undefined);
    assert.equal((await bodyOf(res)).toString(), '{"ok":true}');
  });

  test('wrap and unwrap together round-trip the request through the function', async () => {
    const call = callFor(fake, 'mirror', { wrapAsApiGateway: true, unwrapAsApiGateway: true });
    const res = await lambdaHandler(call, requestOf('DELETE', '/pets/3?force=1'), contextOf());
    assert.equal(res.status, 200);
    const event = JSON.parse((await bodyOf(res)).toString());
    assert.equal(event.httpMethod, 'DELETE');
    assert.deepEqual(event.queryStringParameters, { force: '1' });
  });

  test('without unwrapAsApiGateway a proxy-shaped result is returned as JSON, as it is', async () => {
    answer = { statusCode: 418, body: 'x' };
    const res = await lambdaHandler(callFor(fake, 'answer'), requestOf('GET', '/'), contextOf());
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse((await bodyOf(res)).toString()), { statusCode: 418, body: 'x' });
  });

  test('unwrapAsApiGateway sends a non-string body as its JSON, as Gloo does', async () => {
    const res = await unwrap({ statusCode: 200, body: { a: [1, 2] } });
    assert.equal((await bodyOf(res)).toString(), '{"a":[1,2]}');
  });

  const malformed: [string, unknown][] = [
    ['a payload that is not JSON', new RawPayload(Buffer.from('<html>oops'))],
    ['a JSON number', 42],
    ['null', null],
    ['a string statusCode', { statusCode: '200' }],
    ['a statusCode out of range', { statusCode: 99 }],
    ['a fractional statusCode', { statusCode: 200.5 }],
    ['headers that are an array', { headers: ['a'] }],
    ['a header value with CRLF', { headers: { 'x-a': 'ok\r\nset-cookie: evil=1' } }],
    ['a header name with a space', { headers: { 'bad name': 'v' } }],
    ['a header value that is an object', { headers: { 'x-a': { nested: true } } }],
    ['multiValueHeaders values that are not arrays', { multiValueHeaders: { 'x-a': 'v' } }],
    ['isBase64Encoded that is not a boolean', { body: 'eA==', isBase64Encoded: 'yes' }],
    ['a body nested too deep to serialize again', new RawPayload(Buffer.from(`{"body":${'['.repeat(200_000)}${']'.repeat(200_000)}}`))],
  ];
  for (const [what, value] of malformed) {
    test(`unwrapAsApiGateway answers 502 with a JSON error for ${what}`, async () => {
      const res = await unwrap(value);
      assert.equal(res.status, 502);
      const body = JSON.parse((await bodyOf(res)).toString());
      assert.equal(body.error, 'malformed_api_gateway_response');
      assert.equal(body.function, 'answer');
      assert.match(body.message, /API Gateway proxy response/);
    });
  }
});
