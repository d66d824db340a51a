// File size and document count limits: a file over either is rejected as a whole, naming the
// file and the flag, and whatever it held before stays in force.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SourceState } from '../../src/sources/types.ts';
import { names, service, servicePort, startSource, tempDir, waitFor, type Harness } from './helpers.ts';

const limits = { maxFileBytes: 400, maxDocuments: 2 };

async function withSource(fn: (dir: string, h: Harness) => Promise<void>, setup: (dir: string) => void): Promise<void> {
  const { dir, cleanup } = tempDir();
  let h: Harness | undefined;
  try {
    setup(dir);
    h = await startSource(dir, { limits });
    await fn(dir, h);
  } finally {
    await h?.src.stop();
    cleanup();
  }
}

const fileRejection = (s: SourceState, file: string) => s.rejections.find((r) => r.origin.file === file && r.origin.doc === undefined);

test('a file with more documents than the limit is rejected whole and keeps its objects', () =>
  withSource(
    async (dir, h) => {
      writeFileSync(join(dir, 'm.yaml'), [service('a', 90), service('b', 91), service('c', 92)].join('---\n'));
      await waitFor(() => fileRejection(h.latest(), 'm.yaml') !== undefined, 'rejection', 3000);
      const r = fileRejection(h.latest(), 'm.yaml')!;
      assert.equal(r.errors[0]!.message, 'file holds more than 2 documents (--max-config-documents); split it into several files');
      assert.deepEqual(names(h.latest()), ['Service default/a@m.yaml#0', 'Service default/b@m.yaml#1']);
      assert.equal(servicePort(h.latest(), 'a'), 80);
      assert.ok(h.logs.some((l) => l.msg === 'config rejected: m.yaml: file holds more than 2 documents (--max-config-documents); split it into several files'));
      writeFileSync(join(dir, 'm.yaml'), [service('a', 93), service('b', 94)].join('---\n'));
      await waitFor(() => servicePort(h.latest(), 'a') === 93 && h.latest().rejections.length === 0, 'back under the limit', 3000);
    },
    (dir) => writeFileSync(join(dir, 'm.yaml'), [service('a', 80), service('b', 81)].join('---\n')),
  ));

test('a file larger than the limit is rejected whole without being parsed, and keeps its objects', () =>
  withSource(
    async (dir, h) => {
      const parsed = h.parses.length;
      writeFileSync(join(dir, 'm.yaml'), `${service('a', 90)}# ${'x'.repeat(400)}\n`);
      await waitFor(() => fileRejection(h.latest(), 'm.yaml') !== undefined, 'rejection', 3000);
      assert.equal(fileRejection(h.latest(), 'm.yaml')!.errors[0]!.message, 'file is larger than the 400-byte limit (--max-config-file-size)');
      assert.equal(servicePort(h.latest(), 'a'), 80);
      assert.equal(h.parses.length, parsed, 'not parsed');
    },
    (dir) => writeFileSync(join(dir, 'm.yaml'), service('a', 80)),
  ));

test('a new file over a limit contributes nothing; its rejection says so', () =>
  withSource(
    async (_dir, h) => {
      assert.deepEqual(names(h.latest()), ['Service default/a@a.yaml#0']);
      assert.deepEqual(h.latest().rejections.map((r) => [r.origin.file, r.errors.length]), [['big.yaml', 1]]);
    },
    (dir) => {
      writeFileSync(join(dir, 'a.yaml'), service('a', 80));
      writeFileSync(join(dir, 'big.yaml'), Array.from({ length: 100_000 }, (_, i) => service(`s${i}`)).join('---\n'));
    },
  ));
