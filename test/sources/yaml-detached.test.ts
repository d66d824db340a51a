// What the source keeps of a parsed file (sources/yaml-detached.ts): equal values of one file are
// one frozen object, values that differ in any way (type, key order, a nested value) are not, and
// the content is exactly what the parser gave.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detached, interned } from '../../src/sources/yaml-detached.ts';
import { parseConfigText } from '../../src/sources/yaml-docs.ts';
import { parseYAMLFast } from '../../src/sources/yaml-fast.ts';
import { parseYAMLFull } from '../../src/sources/yaml-full.ts';
import { appYaml, scaleApp } from '../../bench/ingress-gen.ts';
import type { KIngress } from '../../src/api/types.ts';

test('equal objects and arrays of one file are stored once, frozen; the content is unchanged', () => {
  const input = {
    a: { x: [1, 'two', { deep: true }], y: null },
    b: { x: [1, 'two', { deep: true }], y: null },
    list: [{ k: 'v' }, { k: 'v' }],
  };
  const into = interned();
  const out = detached(structuredClone(input), into) as typeof input;
  assert.deepStrictEqual(out, input);
  assert.equal(out.a, out.b);
  assert.equal(out.list[0], out.list[1]);
  assert.equal(out.a.x[2], out.b.x[2]);
  assert.ok(Object.isFrozen(out) && Object.isFrozen(out.a) && Object.isFrozen(out.a.x) && Object.isFrozen(out.list));
  assert.throws(() => {
    (out.a as { y: unknown }).y = 1;
  }, TypeError);
  // Later documents of the same file share with earlier ones.
  assert.equal((detached({ x: [1, 'two', { deep: true }], y: null }, into) as object), out.a);
});

test('values that differ in type, key order or a nested value are not shared', () => {
  const pairs: Array<[unknown, unknown]> = [
    [{ a: 1 }, { a: '1' }],
    [[1], ['1']],
    [{ a: 1, b: 2 }, { b: 2, a: 1 }],
    [{ a: { b: [1, 2] } }, { a: { b: [1, 3] } }],
    [{ a: null }, { a: 'null' }],
    [{ a: true }, { a: 'true' }],
    [{ a: 0 }, { a: -0 }],
    [[], {}],
    [{ 'a,b': 1 }, { a: 1, b: 1 }],
    [{ a: 'x", "b": "y' }, { a: 'x', b: 'y' }],
    [[[]], [[], []]],
  ];
  for (const [x, y] of pairs) {
    const out = detached([x, y], interned()) as [unknown, unknown];
    assert.notEqual(out[0], out[1], `${JSON.stringify(x)} and ${JSON.stringify(y)} must stay apart`);
    assert.deepStrictEqual(out, [x, y]);
    if (typeof x === 'object' && x !== null && !Array.isArray(x) && Object.keys(x).length === 2) {
      assert.deepEqual(Object.keys(out[0] as object), Object.keys(x), 'key order kept');
    }
  }
});

test('a __proto__ key stays an ordinary key, and non-plain objects (dates) are kept as they are', () => {
  const when = new Date('2026-01-02T03:04:05Z');
  const withProto = JSON.parse('{"__proto__": {"polluted": 1}, "b": 2}') as Record<string, unknown>;
  const out = detached({ p: withProto, q: JSON.parse('{"__proto__": {"polluted": 1}, "b": 2}'), when, again: when }, interned()) as Record<string, Record<string, unknown>>;
  assert.deepEqual(Object.keys(out.p!), ['__proto__', 'b']);
  assert.equal(Object.getPrototypeOf(out.p), Object.prototype);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(out.p, out.q);
  assert.equal(out.when, when);
  // two parents holding (unshared) dates are not merged on the strength of their other fields
  const two = detached([{ t: new Date(0) }, { t: new Date(1) }], interned()) as Array<{ t: Date }>;
  assert.notEqual(two[0], two[1]);
  assert.equal(two[1]!.t.getTime(), 1);
});

test("both YAML paths share a Knative ingress's repeated rule blocks within a file, and not across files", () => {
  const text = appYaml(scaleApp(7, 9001, 9002));
  for (const docs of [parseYAMLFast(text), parseYAMLFull(text)]) {
    assert.ok(docs !== undefined);
    const ing = (docs[0] as { value: KIngress }).value;
    const [external, local] = ing.spec!.rules!;
    assert.notEqual(external!.hosts, local!.hosts);
    assert.equal(external!.http, local!.http, 'the same paths and splits are one object');
  }
  const ingressOf = (t: string) => {
    const e = parseConfigText(t, 'a.yaml').entries[0]!.outcome;
    assert.equal(e.kind, 'resource');
    return (e as { resource: KIngress }).resource;
  };
  assert.notEqual(ingressOf(text).spec!.rules![0]!.http, ingressOf(text).spec!.rules![0]!.http, 'another file (or a re-read) gets its own values');
});
