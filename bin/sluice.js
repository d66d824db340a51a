#!/usr/bin/env node
// Entry point for the installed `sluice` command: the compiled CLI (dist/, made by `npm run build`)
// when there is one; otherwise the TypeScript sources through tsx, so a checkout without a build
// still runs. tsx is a development dependency: a package without dist/ and without tsx says so.
import { existsSync } from 'node:fs';
import v8 from 'node:v8';

// As early as possible: allocation-site pretenuring off (why: src/cli/v8-flags.ts, which the CLI
// applies too, for the ways it is started without this file).
v8.setFlagsFromString('--no-allocation-site-pretenuring');

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
