// The safety-net rescan of a config directory stretches with its cost, so a directory of 10,000
// files is not stat'ed every 2 s on the data plane's core.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rescanDelay } from '../../src/sources/file.ts';

test('a cheap rescan keeps the configured period', () => {
  assert.equal(rescanDelay(2000, 0), 2000);
  assert.equal(rescanDelay(2000, 5), 2000);
  assert.equal(rescanDelay(500, 3), 500);
});

test('a costly rescan waits a hundred times its duration, at most 30 s', () => {
  assert.equal(rescanDelay(2000, 100), 10_000);
  assert.equal(rescanDelay(2000, 250.4), 25_040);
  assert.equal(rescanDelay(2000, 1000), 30_000);
  // a configured period above the cap is still honoured
  assert.equal(rescanDelay(60_000, 1000), 60_000);
});
