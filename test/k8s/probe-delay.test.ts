// When the prober asks a replica again: one that answered with an older hash is still taking in the
// configuration (a swap takes moments), so it is asked again at the shortest delay a few times
// before backing off; one that gave no answer backs off at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextProbeDelay, STALE_QUICK_RETRIES } from '../../src/k8s/probe-delay.ts';

const limits = { minMs: 100, maxMs: 5000 };

test('replicas answering with an older hash are asked again at the shortest delay, then with backoff', () => {
  let state = { backoff: limits.minMs, quickLeft: STALE_QUICK_RETRIES };
  const delays: number[] = [];
  for (let i = 0; i < STALE_QUICK_RETRIES + 3; i++) {
    const next = nextProbeDelay(state, true, limits);
    delays.push(next.delay);
    state = next;
  }
  assert.deepEqual(delays, [...Array(STALE_QUICK_RETRIES).fill(100), 100, 200, 400]);
});

test('a replica that did not answer backs off at once, doubling up to the maximum', () => {
  let state = { backoff: limits.minMs, quickLeft: STALE_QUICK_RETRIES };
  const delays: number[] = [];
  for (let i = 0; i < 8; i++) {
    const next = nextProbeDelay(state, false, limits);
    delays.push(next.delay);
    state = next;
  }
  assert.deepEqual(delays, [100, 200, 400, 800, 1600, 3200, 5000, 5000]);
});
