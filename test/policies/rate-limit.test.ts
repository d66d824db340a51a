// Local rate limits: the token bucket arithmetic on a test clock, and a TrafficPolicy named by a
// Knative Ingress's annotation, served by `sluice serve` against a real upstream.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TokenBuckets } from '../../src/policies/token-buckets.ts';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { eventually, get } from '../support/http.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { type Upstream, startUpstream } from '../support/upstream.ts';
import { trafficPolicy } from './helpers.ts';

describe('token buckets', () => {
  it('allow a burst, then refill at the rate', () => {
    const b = new TokenBuckets({ rate: 1, capacity: 2 });
    assert.deepEqual(b.take('k', 0), { ok: true, remaining: 1 });
    assert.deepEqual(b.take('k', 0), { ok: true, remaining: 0 });
    assert.deepEqual(b.take('k', 0), { ok: false, retryAfterSeconds: 1 });
    assert.equal(b.take('k', 999).ok, false);
    assert.equal(b.take('k', 2000).ok, true);
  });

  it('keep at most maxBuckets keys, dropping the least recently used', () => {
    const b = new TokenBuckets({ rate: 1 / 60, capacity: 1 }, 3);
    b.take('a', 0);
    b.take('b', 0);
    b.take('c', 0);
    assert.equal(b.take('a', 0).ok, false); // a is now the most recently used
    for (let i = 0; i < 1000; i++) b.take(`hostile-${i}`, 0);
    assert.equal(b.size, 3);
  });

  it('say how long until a token comes back', () => {
    const b = new TokenBuckets({ rate: 1 / 60, capacity: 1 });
    b.take('k', 0);
    assert.deepEqual(b.take('k', 30_000), { ok: false, retryAfterSeconds: 30 });
  });
});

describe('local rate limit through sluice serve', () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let echo: Upstream;

  before(async () => {
    echo = await startUpstream('echo');
    cfg = await ConfigDir.create();
    await cfg.write('config.yaml', [
      ingress('limited', [{ hosts: ['limited.example.com'], paths: [{ splits: [{ service: 'echo' }] }] }], { annotations: { 'sluice.dev/traffic-policy': 'two-per-minute' } }),
      ingress('free', [{ hosts: ['free.example.com'], paths: [{ splits: [{ service: 'echo' }] }] }]),
      trafficPolicy('two-per-minute', { rateLimit: { requests: 2, unit: 'minute', key: 'header:x-user' } }),
      ...backend('echo', [{ ip: '127.0.0.1', port: echo.port }]),
    ]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
    assert.ok(await eventually(async () => (await get(sluice.addresses.http!, 'free.example.com', '/')).status === 200, 10_000));
  });

  after(async () => {
    await sluice?.stop();
    await echo?.close();
    await cfg?.cleanup();
  });

  it('answers 429 with RateLimit and Retry-After headers once a key has spent its burst', async () => {
    const addr = sluice.addresses.http!;
    const user = { 'x-user': 'alice' };
    assert.equal((await get(addr, 'limited.example.com', '/', user)).status, 200);
    assert.equal((await get(addr, 'limited.example.com', '/', user)).status, 200);
    const r = await get(addr, 'limited.example.com', '/', user);
    assert.equal(r.status, 429);
    assert.equal(r.headers['ratelimit-policy'], '"local";q=2;w=60');
    assert.match(String(r.headers.ratelimit), /^"local";r=0;t=(\d+)$/);
    const after = Number(r.headers['retry-after']);
    assert.ok(after >= 1 && after <= 30, `Retry-After ${after}`);
    // Another header value has its own bucket; a route without the policy is not limited.
    assert.equal((await get(addr, 'limited.example.com', '/', { 'x-user': 'bob' })).status, 200);
    for (let i = 0; i < 5; i++) assert.equal((await get(addr, 'free.example.com', '/', user)).status, 200);
  });
});

describe('rate limit keys', () => {
  it('hold long header values as a short digest, so hostile values cannot fill memory', async () => {
    const { LocalRateLimit } = await import('../../src/policies/rate-limit.ts');
    const rl = new LocalRateLimit({ requests: 1, unit: 'minute', burst: 1, key: 'header:x-user' }, () => 0);
    const req = (v: string) => ({ method: 'GET', url: '/', raw: ['x-user', v], clientAddress: '127.0.0.1' }) as never;
    const long = 'a'.repeat(10_000);
    assert.equal(rl.onRequest(req(long)), undefined);
    assert.equal(rl.onRequest(req(long))?.status, 429);
    assert.equal(rl.onRequest(req(`${long}b`)), undefined, 'another long value has its own bucket');
    assert.ok(rl.longestKey() <= 64, `longest key ${rl.longestKey()}`);
  });
});
