// Bytes of heap a value keeps alive: the heap after full collections with it held, minus before.
// A count, not a time: what memory tests assert on.
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { v8Collector } from '../../src/cli/heap-release.ts';

const collect = v8Collector();
const finishCompiles = optimizationFinisher();

/** Full collections until what is garbage now is gone (two: finalizers and weak references). */
export function collectAll(): void {
  finishCompiles();
  collect('full');
  collect('full');
}

export function heldBy(make: () => unknown): number {
  collectAll();
  const before = process.memoryUsage().heapUsed;
  const value = make();
  collectAll();
  const held = process.memoryUsage().heapUsed - before;
  assert.ok(value !== undefined);
  return held;
}

/** heldBy for a value made asynchronously (a prober once its targets are probed). */
export async function heldByAsync(make: () => Promise<unknown>): Promise<number> {
  collectAll();
  const before = process.memoryUsage().heapUsed;
  const value = await make();
  collectAll();
  const held = process.memoryUsage().heapUsed - before;
  assert.ok(value !== undefined);
  return held;
}

/**
 * Waits for V8's optimizing compiles in flight on background threads and installs their code.
 * Without it, what a collection freed depended on how far the compiler threads had got (a job in
 * flight keeps handles to what it compiles against): `heldBy` read about 4 MB more or less for the
 * same value, run to run, and always the same with `--single-threaded` or with this wait. The
 * natives syntax is enabled for one function made in its own vm context, as v8Collector does for `gc`.
 */
function optimizationFinisher(): () => void {
  v8.setFlagsFromString('--allow-natives-syntax');
  try {
    return runInNewContext('(function finishCompiles() { %FinalizeOptimization(); })') as () => void;
  } finally {
    v8.setFlagsFromString('--no-allow-natives-syntax');
  }
}
