// The one table of values kept once (equal route parts, a Gateway's name, the probe lists most
// targets end with): bounded by two generations, keeping what is met again and again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BoundedTable } from '../../src/snapshot/bounded-table.ts';
import { SharedValues } from '../../src/snapshot/shared-values.ts';

test('holds at most two generations: 100,000 keys all different leave at most twice perGeneration', () => {
  const t = new BoundedTable<number>(100);
  for (let i = 0; i < 100_000; i++) {
    t.keep(`k${i}`, i);
    assert.ok(t.size <= 200, `${t.size} entries after ${i + 1} keys`);
  }
  // what was met once fell out; the last generation is there
  assert.equal(t.get('k0'), undefined);
  assert.equal(t.get('k99999'), 99_999);
});

test('a key met in every generation stays however many others pass through', () => {
  const t = new BoundedTable<object>(50);
  const shared = { part: 'every route' };
  t.keep('shared', shared);
  for (let i = 0; i < 10_000; i++) {
    t.keep(`once-${i}`, { i });
    // met again within each generation: moved to the newer one before the older is dropped
    if (i % 40 === 0) assert.equal(t.keep('shared', { part: 'every route' }), shared, `lost after ${i} others`);
  }
  assert.equal(t.get('shared'), shared);
});

test('a hit in the older generation moves the entry to the newer one', () => {
  const t = new BoundedTable<string>(2);
  t.keep('a', 'A');
  t.keep('b', 'B');
  t.keep('c', 'C'); // a, b are the older generation now
  assert.equal(t.get('a'), 'A'); // moved to the newer (with c), which is now full
  t.keep('d', 'D'); // the newer (c, a) becomes the older; b is dropped
  assert.equal(t.get('b'), undefined);
  assert.equal(t.get('a'), 'A');
  assert.equal(t.get('c'), 'C');
});

test('keep returns the first value kept under a key; make makes a value once per key held', () => {
  const t = new BoundedTable<string[]>(8);
  const first = ['x'];
  assert.equal(t.keep('x', first), first);
  assert.equal(t.keep('x', ['x']), first);
  let made = 0;
  const make = (key: string): string[] => {
    made++;
    return key.split(',');
  };
  const ab = t.make('a,b', make);
  assert.deepEqual(ab, ['a', 'b']);
  assert.equal(t.make('a,b', make), ab);
  assert.equal(made, 1);
  t.clear();
  assert.equal(t.size, 0);
  assert.notEqual(t.make('a,b', make), ab);
  assert.equal(made, 2);
});

test('a generation holds at least one entry', () => {
  assert.throws(() => new BoundedTable(0), RangeError);
  assert.throws(() => new BoundedTable(1.5), RangeError);
});

test('SharedValues: equal values by their JSON are one object; other keys, other values; non-objects as they are', () => {
  const s = new SharedValues();
  const a = { path: '/x', headers: [{ name: 'h' }] };
  assert.equal(s.share(a), a);
  assert.equal(s.share({ path: '/x', headers: [{ name: 'h' }] }), a);
  assert.notEqual(s.share({ path: '/y', headers: [{ name: 'h' }] }), a);
  // 1 and "1" are different values
  const n = s.share([1]);
  assert.notEqual(s.share(['1']) as unknown, n);
  // a key given is the content key: values under another key are not shared
  const k = s.share({ v: 1 }, 'one');
  assert.equal(s.share({ v: 2 }, 'one'), k);
  for (const v of [null, undefined, 0, 'text', true]) assert.equal(s.share(v), v);
});

test('SharedValues: what is kept of a value met first is made once; long keys are not kept', () => {
  let firsts = 0;
  const first = <T>(v: T): T => {
    firsts++;
    return Object.freeze(v);
  };
  const s = new SharedValues({ longestKey: 20, first });
  const a = s.share({ a: 1 });
  assert.ok(Object.isFrozen(a));
  assert.equal(s.share({ a: 1 }), a);
  assert.equal(firsts, 1);
  const long = { text: 'more than twenty characters' };
  assert.equal(s.share(long), long);
  assert.notEqual(s.share({ text: 'more than twenty characters' }), long);
  assert.equal(firsts, 1, 'values not kept are left as they are');
  s.clear();
  assert.notEqual(s.share({ a: 1 }), a);
});

test('SharedValues is bounded: 100,000 values all different are not all kept', () => {
  const s = new SharedValues({ perGeneration: 64 });
  const first = { i: 0 };
  s.share(first);
  for (let i = 1; i < 100_000; i++) s.share({ i });
  assert.notEqual(s.share({ i: 0 }), first);
});
