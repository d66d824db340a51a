#!/usr/bin/env node
// Entry point for the installed `sluice` command: the compiled CLI (dist/, made by `npm run build`)
// when there is one; otherwise the TypeScript sources through tsx, so a checkout without a build
// still runs. tsx is a development dependency: a package without dist/ and without tsx says so.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  let tsx;
  try {
    tsx = await import('tsx/esm/api');
  } catch (err) {
    if (err?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
    process.stderr.write('sluice: no compiled build (dist/cli/main.js) and tsx is not installed to run the sources: run `npm run build`, or `npm install` with dev dependencies\n');
    process.exit(1);
  }
  tsx.register();
  await import('../src/cli/main.ts');
}
