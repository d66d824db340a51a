// A file that does not parse keeps every object it last contributed, unchanged, until it parses
// again; the parse error is a rejection of that file (with its line) and is logged once.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SourceState } from '../../src/sources/types.ts';
import { names, service, servicePort, startSource, tempDir, waitFor, type Harness } from './helpers.ts';

async function withSource(fn: (dir: string, h: Harness) => Promise<void>, setup?: (dir: string) => void): Promise<void> {
  const { dir, cleanup } = tempDir();
  let h: Harness | undefined;
  try {
    setup?.(dir);
    h = await startSource(dir);
    await fn(dir, h);
  } finally {
    await h?.src.stop();
    cleanup();
  }
}

const two = (portA: number, portB: number) => `${service('a', portA)}---\n${service('b', portB)}`;
const syntaxError = (s: SourceState) => s.rejections.find((r) => r.errors.some((e) => /YAML syntax error/.test(e.message)));

test('a syntax error in the middle of a file keeps both of its objects, unchanged, until the file parses', () =>
  withSource(
    async (dir, h) => {
      const before = h.latest().resources;
      assert.deepEqual(names(h.latest()), ['Service default/a@two.yaml#0', 'Service default/b@two.yaml#1']);
      // an unclosed flow mapping in the first document: the second one still parses on its own
      writeFileSync(join(dir, 'two.yaml'), two(90, 91).replace('spec: {ports: [{port: 90}]}', 'spec: {ports: [{port: 90}]'));
      await waitFor(() => syntaxError(h.latest()) !== undefined, 'syntax error reported', 3000);
      const state = h.latest();
      assert.deepEqual(names(state), ['Service default/a@two.yaml#0', 'Service default/b@two.yaml#1']);
      assert.equal(servicePort(state, 'a'), 80, 'the old a, not a half-applied edit');
      assert.equal(servicePort(state, 'b'), 81, 'the old b, though its new document parses');
      assert.ok(state.resources.every((r, i) => r === before[i]), 'the very same objects');
      assert.deepEqual(state.changes?.upserted, []);
      assert.deepEqual(state.changes?.removed, []);
      const r = syntaxError(state)!;
      assert.equal(r.origin.file, 'two.yaml');
      // the parser notices the unclosed mapping where the next document starts
      assert.equal(r.origin.line, 5);
      assert.match(r.errors[0]!.message, /^YAML syntax error at line 5, column \d+: /);
      assert.match(r.errors[1]!.message, /stay in force/);
      assert.equal(h.logs.filter((l) => l.msg.startsWith('config rejected: two.yaml:5: YAML syntax error at line 5')).length, 1, 'logged once');

      writeFileSync(join(dir, 'two.yaml'), two(92, 93));
      await waitFor(() => servicePort(h.latest(), 'a') === 92 && servicePort(h.latest(), 'b') === 93, 'fixed file applied', 3000);
      assert.deepEqual(h.latest().rejections, []);
    },
    (dir) => writeFileSync(join(dir, 'two.yaml'), two(80, 81)),
  ));

test('a file cut in the middle of its second document keeps both objects', () =>
  withSource(
    async (dir, h) => {
      const text = two(90, 91);
      // half-written: the second document ends inside its flow mapping
      writeFileSync(join(dir, 'two.yaml'), text.slice(0, text.lastIndexOf('[{port')));
      await waitFor(() => syntaxError(h.latest()) !== undefined, 'syntax error reported', 3000);
      assert.equal(servicePort(h.latest(), 'a'), 80);
      assert.equal(servicePort(h.latest(), 'b'), 81);
      writeFileSync(join(dir, 'two.yaml'), text);
      await waitFor(() => servicePort(h.latest(), 'a') === 90 && servicePort(h.latest(), 'b') === 91, 'whole file applied', 3000);
    },
    (dir) => writeFileSync(join(dir, 'two.yaml'), two(80, 81)),
  ));

test('a broken file that is deleted is a deletion', () =>
  withSource(
    async (dir, h) => {
      writeFileSync(join(dir, 'two.yaml'), 'kind: [\n');
      await waitFor(() => syntaxError(h.latest()) !== undefined, 'syntax error reported', 3000);
      assert.equal(h.latest().resources.length, 2);
      rmSync(join(dir, 'two.yaml'));
      await waitFor(() => h.latest().resources.length === 0 && h.latest().rejections.length === 0, 'deleted', 3000);
    },
    (dir) => writeFileSync(join(dir, 'two.yaml'), two(80, 81)),
  ));

test('a file that has never parsed contributes the documents that do (nothing older to keep)', () =>
  withSource(
    async (_dir, h) => {
      assert.deepEqual(names(h.latest()), ['Service default/b@two.yaml#1']);
      assert.ok(syntaxError(h.latest()));
    },
    (dir) => writeFileSync(join(dir, 'two.yaml'), `kind: [\n---\n${service('b', 81)}`),
  ));

test('a file truncated to nothing (how a shell `>` write begins) keeps its objects; a comment empties it on purpose', () =>
  withSource(
    async (dir, h) => {
      writeFileSync(join(dir, 'two.yaml'), '');
      await waitFor(() => h.latest().rejections.some((r) => r.origin.file === 'two.yaml'), 'empty file reported', 3000);
      assert.match(h.latest().rejections[0]!.errors[0]!.message, /the file is empty/);
      assert.deepEqual(names(h.latest()), ['Service default/a@two.yaml#0', 'Service default/b@two.yaml#1']);
      writeFileSync(join(dir, 'two.yaml'), two(90, 91));
      await waitFor(() => servicePort(h.latest(), 'a') === 90 && h.latest().rejections.length === 0, 'written', 3000);
      writeFileSync(join(dir, 'two.yaml'), '# nothing here for now\n');
      await waitFor(() => h.latest().resources.length === 0, 'emptied on purpose', 3000);
      assert.deepEqual(h.latest().rejections, []);
    },
    (dir) => writeFileSync(join(dir, 'two.yaml'), two(80, 81)),
  ));
