// LayeredMap (store/layered.ts) behaves as a plain Map copied and changed, whatever mix of small
// edits (overlays), overlay folds and big batches (cold starts) made it, and never changes a map
// handed out before.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LayeredMap } from '../../src/store/layered.ts';
import { mulberry32 } from '../support/prng.ts';

const sorted = (m: ReadonlyMap<string, number>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

test('a random sequence of edits gives the same maps as copying, and earlier maps never change', () => {
  const rnd = mulberry32(7);
  let layered: ReadonlyMap<string, number> = new Map();
  let reference = new Map<string, number>();
  const history: Array<{ map: ReadonlyMap<string, number>; expected: Array<[string, number]> }> = [];
  for (let step = 0; step < 300; step++) {
    // Mostly small edits; now and then a batch big enough to be folded at once.
    const n = rnd() < 0.05 ? 3000 : 1 + Math.floor(rnd() * 40);
    const changes = new Map<string, number | undefined>();
    for (let i = 0; i < n; i++) {
      const key = `k${Math.floor(rnd() * 4000)}`;
      changes.set(key, rnd() < 0.3 ? undefined : step * 10_000 + i);
    }
    layered = LayeredMap.with(layered, changes);
    reference = new Map(reference);
    for (const [k, v] of changes) {
      if (v === undefined) reference.delete(k);
      else reference.set(k, v);
    }
    assert.equal(layered.size, reference.size, `step ${step}: size`);
    for (let i = 0; i < 50; i++) {
      const key = `k${Math.floor(rnd() * 4000)}`;
      assert.equal(layered.get(key), reference.get(key), `step ${step}: get ${key}`);
      assert.equal(layered.has(key), reference.has(key), `step ${step}: has ${key}`);
    }
    if (step % 25 === 0) {
      assert.deepEqual(sorted(layered), sorted(reference), `step ${step}: entries`);
      history.push({ map: layered, expected: sorted(reference) });
    }
  }
  for (const { map, expected } of history) assert.deepEqual(sorted(map), expected, 'an earlier map is as it was');
});

test('no changes give back the same map; a removal of a missing key changes nothing', () => {
  const base = new Map([['a', 1]]);
  assert.equal(LayeredMap.with(base, new Map()), base);
  const m = LayeredMap.with(base, new Map([['zz', undefined]]));
  assert.equal(m.size, 1);
  assert.deepEqual([...m.keys()], ['a']);
  const values: number[] = [];
  m.forEach((v) => values.push(v));
  assert.deepEqual(values, [1]);
});
