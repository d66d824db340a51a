// The bench refuses a compiled dist/ older than the sources it would stand for.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { staleBuild } from '../../bench/stale-build.ts';

function checkout(): string {
  const root = mkdtempSync(join(tmpdir(), 'sluice-stale-'));
  mkdirSync(join(root, 'src/proxy'), { recursive: true });
  writeFileSync(join(root, 'src/proxy/h2.ts'), '');
  return root;
}

test('a checkout without dist/ runs its sources: nothing is stale', (t) => {
  const root = checkout();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  assert.equal(staleBuild(root), undefined);
});

test('a dist/ built after the last source edit is benched', (t) => {
  const root = checkout();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'dist/cli'), { recursive: true });
  writeFileSync(join(root, 'dist/cli/main.js'), '');
  utimesSync(join(root, 'src/proxy/h2.ts'), new Date(1_000_000), new Date(1_000_000));
  assert.equal(staleBuild(root), undefined);
});

test('a source edited after the build makes the bench refuse dist/, naming the file', (t) => {
  const root = checkout();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'dist/cli'), { recursive: true });
  writeFileSync(join(root, 'dist/cli/main.js'), '');
  utimesSync(join(root, 'dist/cli/main.js'), new Date(1_000_000), new Date(1_000_000));
  const why = staleBuild(root);
  assert.match(why ?? '', /dist is older than .*src\/proxy\/h2\.ts: run `npm run build`/);
});
