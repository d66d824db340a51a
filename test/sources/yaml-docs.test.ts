import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfigText } from '../../src/sources/yaml-docs.ts';

const svc = (name: string, port = 80) => `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}}\nspec: {ports: [{port: ${port}}]}\n`;

test('multi-document YAML: each document has its index; empty documents are skipped', () => {
  const { entries } = parseConfigText(`---\n${svc('a')}---\n# only a comment\n---\n${svc('b')}---\n`, 'm.yaml');
  assert.deepEqual(
    entries.map((e) => [e.origin, e.outcome.kind]),
    [
      [{ file: 'm.yaml', doc: 0 }, 'resource'],
      [{ file: 'm.yaml', doc: 2 }, 'resource'],
    ],
  );
});

test('a syntax error rejects only its own document, with line and column', () => {
  const { entries } = parseConfigText(`${svc('a')}---\nkind: [Service\n---\n${svc('c')}`, 'm.yaml');
  assert.deepEqual(entries.map((e) => e.outcome.kind), ['resource', 'rejected', 'resource']);
  const bad = entries[1]?.outcome;
  assert.ok(bad?.kind === 'rejected');
  assert.deepEqual(bad.rejection.origin, { file: 'm.yaml', doc: 1 });
  assert.match(bad.rejection.errors[0]?.message ?? '', /^YAML syntax error at line \d+, column \d+: /);
});

test('duplicate map keys are a syntax error, not a silent overwrite', () => {
  const { entries } = parseConfigText(`${svc('a')}metadata: {name: b}\n`, 'd.yaml');
  assert.equal(entries[0]?.outcome.kind, 'rejected');
});

test('kind: List: items are documents, errors are addressed under items[i]', () => {
  const text = `apiVersion: v1\nkind: List\nitems:\n- ${svc('a').replace(/\n(?=.)/g, '\n  ')}- apiVersion: v1\n  kind: Service\n  metadata: {name: b}\n  spec: {ports: [{port: 0}]}\n- {apiVersion: v1, kind: Pod, metadata: {name: c}}\n`;
  const { entries } = parseConfigText(text, 'l.yaml');
  assert.deepEqual(entries.map((e) => [e.origin.item, e.outcome.kind]), [[0, 'resource'], [1, 'rejected'], [2, 'ignored']]);
  const bad = entries[1]?.outcome;
  assert.ok(bad?.kind === 'rejected');
  assert.deepEqual(bad.rejection.errors, [{ path: 'items[1].spec.ports[0].port', message: 'must be 1..65535', line: 11 }]);
  assert.deepEqual(bad.rejection.origin, { file: 'l.yaml', doc: 0, item: 1 });
});

test('a List without items is rejected', () => {
  const { entries } = parseConfigText('apiVersion: v1\nkind: List\nitems: 3\n', 'l.yaml');
  assert.ok(entries[0]?.outcome.kind === 'rejected');
  assert.deepEqual(entries[0].outcome.rejection.errors, [{ path: 'items', message: 'must be a list', line: 3 }]);
});

test('JSON files are parsed strictly as JSON; errors name the position when known', () => {
  const good = parseConfigText('{"apiVersion":"v1","kind":"Service","metadata":{"name":"a"},"spec":{"ports":[{"port":80}]}}', 'a.json');
  assert.equal(good.entries[0]?.outcome.kind, 'resource');
  // `{"a": }` is valid YAML (a null), but not JSON.
  const bad = parseConfigText('{"apiVersion": }', 'b.json');
  assert.ok(bad.entries[0]?.outcome.kind === 'rejected');
  assert.deepEqual(bad.entries[0].origin, { file: 'b.json' });
  assert.match(bad.entries[0].outcome.rejection.errors[0]?.message ?? '', /^JSON syntax error/);
  const positioned = parseConfigText('{\n  "a": 1\n  "b": 2\n}', 'c.json');
  assert.ok(positioned.entries[0]?.outcome.kind === 'rejected');
  assert.match(positioned.entries[0].outcome.rejection.errors[0]?.message ?? '', /^JSON syntax error at line 3, column 3: /);
});

test('a document that is a scalar is rejected, not ignored', () => {
  const { entries } = parseConfigText('just a string\n', 's.yaml');
  assert.ok(entries[0]?.outcome.kind === 'rejected');
  assert.equal(entries[0].outcome.rejection.errors[0]?.message, 'must be an object (a Kubernetes resource), got string');
});

test('alias bombs are refused', () => {
  const lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 8; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
  const { entries } = parseConfigText(`${lines.join('\n')}\n`, 'bomb.yaml');
  assert.equal(entries[0]?.outcome.kind, 'rejected');
});
