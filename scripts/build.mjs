#!/usr/bin/env node
// `npm run build`: compiles src/ into dist/ (tsconfig.build.json), then copies the files the code
// loads at run time that tsc does not emit (the .mjs worker boot script), so dist/ runs alone.
// `--out DIR` builds elsewhere (the release test builds into a temp dir).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outFlag = process.argv.indexOf('--out');
const out = outFlag >= 0 ? resolve(process.argv[outFlag + 1] ?? '') : join(root, 'dist');
const src = join(root, 'src');

/** Files under src/ that the compiled code needs next to it: everything but TypeScript sources. */
function assets(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return assets(p);
    return /\.(c|m)?ts$/.test(e.name) ? [] : [p];
  });
}

rmSync(out, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', out], { stdio: 'inherit' });
if (r.status !== 0) {
  process.stderr.write(`build: tsc failed (exit ${r.status ?? r.signal})\n`);
  process.exit(1);
}
for (const file of assets(src)) {
  const to = join(out, relative(src, file));
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(file, to);
}
process.stdout.write(`build: ${relative(process.cwd(), out) || '.'} ready\n`);
