// The fake Lambda endpoint itself: it must reject what AWS rejects, or the handler's tests prove
// nothing about signing. Requests here are signed directly with the AWS SDK's signer.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { type FakeLambda, startFakeLambda } from '../support/fake-lambda.ts';

interface Sent {
  status: number;
  errorType: string | undefined;
  body: string;
}

async function signedInvoke(fake: FakeLambda, opts: { secret?: string; body?: string; sentBody?: string; date?: Date; token?: string } = {}): Promise<Sent> {
  const url = new URL(fake.endpoint);
  const body = opts.body ?? '{"a":1}';
  const signer = new SignatureV4({
    service: 'lambda',
    region: fake.region,
    credentials: { ...fake.credentials, secretAccessKey: opts.secret ?? fake.credentials.secretAccessKey, sessionToken: opts.token },
    sha256: Hash.bind(null, 'sha256'),
  });
  const path = '/2015-03-31/functions/echo/invocations';
  const signed = await signer.sign(
    { method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path, headers: { host: url.host, 'content-type': 'application/json' }, body },
    { signingDate: opts.date ?? new Date() },
  );
  const res = await fetch(`${fake.endpoint}${path}`, { method: 'POST', headers: signed.headers as Record<string, string>, body: opts.sentBody ?? body, signal: AbortSignal.timeout(5000) });
  return { status: res.status, errorType: res.headers.get('x-amzn-errortype')?.split(':')[0], body: await res.text() };
}

describe('fake Lambda endpoint', () => {
  let fake: FakeLambda;
  before(async () => {
    fake = await startFakeLambda();
    fake.register('echo', (event) => event);
  });
  after(() => fake.close());

  test('a request signed with the right key runs the function', async () => {
    const r = await signedInvoke(fake);
    assert.equal(r.status, 200, r.body);
    assert.deepEqual(JSON.parse(r.body), { a: 1 });
  });

  test('a request signed with the wrong secret key is 403 InvalidSignatureException', async () => {
    const r = await signedInvoke(fake, { secret: 'not-the-secret' });
    assert.equal(r.status, 403);
    assert.equal(r.errorType, 'InvalidSignatureException');
    assert.match(JSON.parse(r.body).message, /signature we calculated does not match/);
  });

  test('a body changed after signing is 403 InvalidSignatureException', async () => {
    const r = await signedInvoke(fake, { body: '{"a":1}', sentBody: '{"a":2}' });
    assert.equal(r.status, 403);
    assert.equal(r.errorType, 'InvalidSignatureException');
  });

  test('a request dated more than 5 minutes ago is 403 Signature expired', async () => {
    const r = await signedInvoke(fake, { date: new Date(Date.now() - 10 * 60 * 1000) });
    assert.equal(r.status, 403);
    assert.equal(r.errorType, 'InvalidSignatureException');
    assert.match(JSON.parse(r.body).message, /^Signature expired: \d{8}T\d{6}Z is now earlier than/);
  });

  test('a session token the endpoint does not know is 403 UnrecognizedClientException', async () => {
    const r = await signedInvoke(fake, { token: 'some-token' });
    assert.equal(r.status, 403);
    assert.equal(r.errorType, 'UnrecognizedClientException');
  });

  test('an unsigned request is 403 MissingAuthenticationTokenException', async () => {
    const res = await fetch(`${fake.endpoint}/2015-03-31/functions/echo/invocations`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(5000) });
    assert.equal(res.status, 403);
    assert.match(res.headers.get('x-amzn-errortype') ?? '', /^MissingAuthenticationTokenException/);
    await res.text();
  });
});
