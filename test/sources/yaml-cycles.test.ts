import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseConfigText } from '../../src/sources/yaml-docs.ts';
import { runSluice } from '../support/sluice.ts';

const svc = (name: string) => `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: default}\nspec: {ports: [{port: 80}]}\n`;
const selfAlias = 'apiVersion: v1\nkind: Service\nmetadata: {name: loop, namespace: default}\nspec:\n  ports: &x [*x]\n';

test('an alias that refers to a node containing it rejects its document, not the process', () => {
  const { entries } = parseConfigText(`${svc('a')}---\n${selfAlias}---\n${svc('c')}`, 'loop.yaml');
  assert.deepEqual(entries.map((e) => e.outcome.kind), ['resource', 'rejected', 'resource']);
  const bad = entries[1]?.outcome;
  assert.ok(bad?.kind === 'rejected');
  assert.match(bad.rejection.errors[0]?.message ?? '', /alias/);
});

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('sluice validate reports a self-referencing alias as an error, without a stack trace', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-cycle-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'loop.yaml'), selfAlias);
  const r = await runSluice(['validate', dir]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /loop\.yaml.*alias/);
  assert.doesNotMatch(r.stderr, /RangeError|at .*\.ts:/);
});
