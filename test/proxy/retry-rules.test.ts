// The pure rules of route retries (retry.ts): which failures and methods may be resent, the
// backoff's cap, and the retry budget that keeps retries from multiplying an outage.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffMs, RetryBudgets, retryable } from '../../src/proxy/retry.ts';

describe('which requests a route retries', () => {
  const policy = { attempts: 2, codes: [503] };

  it('resends an idempotent request after a listed status, a reset or a connect failure', () => {
    for (const cause of [503, 'reset', 'connection_refused', 'connect_timeout', 'unreachable', 'refused_stream'] as const) {
      assert.equal(retryable(policy, 'GET', true, cause), true, String(cause));
    }
    assert.equal(retryable(policy, 'GET', true, 500), false);
    assert.equal(retryable(policy, 'GET', true, 'protocol'), false);
  });

  it('resends a POST only when the upstream cannot have seen it (connect failure, refused stream)', () => {
    assert.equal(retryable(policy, 'POST', true, 'connection_refused'), true);
    assert.equal(retryable(policy, 'POST', true, 'refused_stream'), true);
    assert.equal(retryable(policy, 'POST', true, 'reset'), false);
    assert.equal(retryable(policy, 'POST', true, 503), false);
    assert.equal(retryable(policy, 'PATCH', true, 503), false);
  });

  it('never resends a request whose body is not held for replay', () => {
    assert.equal(retryable(policy, 'PUT', false, 503), false);
    assert.equal(retryable(policy, 'POST', false, 'connection_refused'), false);
  });

  it('retries only the failures the policy lists', () => {
    const onlyConnect = { ...policy, on: ['connect-failure'] as const };
    assert.equal(retryable(onlyConnect, 'GET', true, 'connection_refused'), true);
    assert.equal(retryable(onlyConnect, 'GET', true, 'reset'), false);
    assert.equal(retryable(onlyConnect, 'GET', true, 'refused_stream'), false);
    assert.equal(retryable({ ...policy, on: ['refused-stream'] }, 'GET', true, 'refused_stream'), true);
  });
});

describe('retry backoff cap', () => {
  it('grows no further than maxBackoffMs when it is set', () => {
    const policy = { attempts: 9, codes: [503], backoffMs: 100, maxBackoffMs: 150 };
    assert.equal(backoffMs(policy, 9, 0.5), 75);
    assert.equal(backoffMs({ ...policy, maxBackoffMs: undefined }, 9, 0.5), 500);
  });
});

describe('retry budget', () => {
  it('allows retries up to the percent of active requests, and always minConcurrency', () => {
    const b = new RetryBudgets();
    const budget = { percent: 20, minConcurrency: 2 };
    for (let i = 0; i < 20; i++) b.started('c');
    // 20% of 20 is 4
    for (let i = 0; i < 4; i++) assert.equal(b.take('c', budget), true, `retry ${i}`);
    assert.equal(b.take('c', budget), false);
    b.ended('c', true);
    b.ended('c', false);
    // 19 active (18 without a retry), 3 retries: 20% of 19 is 3.8
    assert.equal(b.take('c', budget), true);
    assert.equal(b.take('c', budget), false);
  });

  it('keeps clusters apart and lets minConcurrency retries through when few requests are active', () => {
    const b = new RetryBudgets();
    const budget = { percent: 0, minConcurrency: 1 };
    b.started('a');
    b.started('b');
    assert.equal(b.take('a', budget), true);
    assert.equal(b.take('a', budget), false);
    assert.equal(b.take('b', budget), true);
    b.ended('a', true);
    b.ended('b', true);
    assert.equal(b.size, 0);
  });

  it('defaults to Envoy\'s 20% with 3 at least', () => {
    const b = new RetryBudgets();
    b.started('c');
    for (let i = 0; i < 3; i++) assert.equal(b.take('c', undefined), true);
    assert.equal(b.take('c', undefined), false);
  });
});
