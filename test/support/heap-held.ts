// Bytes of heap a value keeps alive: the heap after full collections with it held, minus before.
// A count, not a time: what memory tests assert on.
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
v8.setFlagsFromString('--no-expose-gc');

/** Full collections until what is garbage now is gone (two: finalizers and weak references). */
function collectAll(): void {
  gc();
  gc();
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
