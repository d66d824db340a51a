// Every preload a bench names exists: a bench that starts its gateway with a missing `--import`
// fails only when someone runs it, long after the preload was renamed.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const BENCH = new URL('../../bench/', import.meta.url).pathname;

test('every bench/preload file a bench script names exists', () => {
  const missing: string[] = [];
  let named = 0;
  for (const f of readdirSync(BENCH).filter((f) => f.endsWith('.ts'))) {
    for (const m of readFileSync(join(BENCH, f), 'utf8').matchAll(/preload\/([\w.-]+\.m?[jt]s)/g)) {
      named++;
      if (!existsSync(join(BENCH, 'preload', m[1]!))) missing.push(`bench/${f}: bench/preload/${m[1]}`);
    }
  }
  assert.ok(named > 0, 'no bench names a preload: the pattern is stale');
  assert.deepEqual(missing, []);
});
