// Bytes of heap a value keeps alive: the heap after full collections with it held, minus before.
// A count, not a time: what memory tests assert on.
import assert from 'node:assert/strict';
import { v8Collector } from '../../src/cli/heap-release.ts';

const collect = v8Collector();

/** Full collections until what is garbage now is gone (two: finalizers and weak references). */
export function collectAll(): void {
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
