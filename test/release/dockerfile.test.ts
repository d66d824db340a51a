// Docker is not available where the tests run, so the image's promises are checked on the
// Dockerfile's text: what each stage copies exists and is in the build context, the final stage
// is on the pinned Node LTS with no sources and no dev dependencies, and it runs as a numeric user.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/sluice.ts';

interface Stage {
  readonly from: string;
  readonly name: string | undefined;
  readonly lines: string[];
}

function stages(): Stage[] {
  const out: Stage[] = [];
  for (const raw of readFileSync(join(repoRoot, 'Dockerfile'), 'utf8').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?$/i.exec(line);
    if (from) out.push({ from: from[1]!, name: from[2], lines: [] });
    else out.at(-1)?.lines.push(line);
  }
  return out;
}

/** .dockerignore entries (plain names and directories only: what this repository uses). */
const ignored = readFileSync(join(repoRoot, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));

function isIgnored(path: string): boolean {
  const p = path.replace(/^\.\//, '').replace(/\/$/, '');
  return ignored.some((pattern) => {
    const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}(/|$)`);
    return re.test(p);
  });
}

test('every stage is on the same pinned Node major, the current LTS (24)', () => {
  const froms = stages().map((s) => s.from);
  assert.ok(froms.length >= 2, 'a multi-stage build');
  for (const from of froms) assert.match(from, /^node:24-slim$/);
});

test('every file the Dockerfile copies from the context exists and is not in .dockerignore', () => {
  for (const stage of stages()) {
    for (const line of stage.lines.filter((l) => /^COPY\s/i.test(l) && !/--from=/.test(l))) {
      const sources = line.split(/\s+/).slice(1, -1).filter((a) => !a.startsWith('--'));
      for (const src of sources) {
        assert.ok(existsSync(join(repoRoot, src)), `${line}: ${src} does not exist`);
        assert.ok(!isIgnored(src), `${line}: ${src} is excluded by .dockerignore`);
      }
    }
  }
});

test('the final stage holds the compiled build and production dependencies, no sources, as a numeric user', () => {
  const all = stages();
  const final = all.at(-1)!;
  const copies = final.lines.filter((l) => /^COPY\s/i.test(l));
  assert.ok(copies.some((l) => /--from=\S+\s+\/app\/dist\s/.test(l)), 'dist/ from the build stage');
  assert.ok(!copies.some((l) => /\ssrc\b/.test(l)), 'no src/ in the image');
  const depsStage = /--from=(\S+)\s+\/app\/node_modules/.exec(copies.join('\n'))?.[1];
  const deps = all.find((s) => s.name === depsStage);
  assert.ok(deps?.lines.some((l) => /npm ci\b.*--omit=dev/.test(l)), 'node_modules from an `npm ci --omit=dev` stage');
  assert.ok(final.lines.some((l) => /^USER\s+\d+:\d+$/.test(l)), 'USER uid:gid, numeric');
  assert.ok(final.lines.some((l) => l.startsWith('ENTRYPOINT ["node", "bin/sluice.js"')));
});

test('tsx, which the image does not install, is a development dependency only', () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
  assert.equal(pkg.dependencies.tsx, undefined);
  assert.ok(pkg.devDependencies.tsx);
});

test('the final stage limits glibc to two malloc arenas (what a large load frees stays reusable, not resident per thread)', () => {
  const final = stages().at(-1)!;
  assert.ok(final.lines.includes('ENV MALLOC_ARENA_MAX=2'), final.lines.join('\n'));
});
