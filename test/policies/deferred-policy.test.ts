// DeferredPolicy: a policy behind a heavy library, loaded with its first request.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeferredPolicy } from '../../src/policies/deferred-policy.ts';
import type { ExchangePolicy, PolicyRequest } from '../../src/proxy/exchange-policy.ts';
import { textReply } from '../../src/proxy/local-reply.ts';

const req = {} as PolicyRequest;
const refuse: ExchangePolicy = { onRequest: () => textReply(401, 'no token\n') };

test('loads the implementation once, with the first request, then answers as it does', async () => {
  let loads = 0;
  const p = new DeferredPolicy('UAEX', async () => {
    loads++;
    return refuse;
  });
  assert.equal(loads, 0, 'nothing is loaded before a request');
  const [a, b] = await Promise.all([p.onRequest(req), p.onRequest(req)]);
  assert.equal(loads, 1);
  assert.deepEqual([a, b].map((v) => v?.status), [401, 401]);
  const later = p.onRequest(req);
  assert.ok(!(later instanceof Promise), 'once loaded, answered without a promise');
  assert.equal(later?.status, 401);
  assert.equal(p.responseFlag, 'UAEX');
});

test('a failed load fails that request and the next request tries again', async () => {
  let loads = 0;
  const p = new DeferredPolicy(undefined, async () => {
    if (loads++ === 0) throw new Error('not installed');
    return refuse;
  });
  await assert.rejects(Promise.resolve(p.onRequest(req)), /not installed/);
  assert.equal((await p.onRequest(req))?.status, 401);
  assert.equal(p.responseFlag, undefined);
});
