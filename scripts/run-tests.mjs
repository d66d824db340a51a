#!/usr/bin/env node
// Runs every test file under test/ (or the files/dirs given) with Node's built-in runner through tsx.
// Files run in parallel processes; each test bounds its own waits.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';

function collect(p, out) {
  const st = statSync(p);
  if (st.isDirectory()) {
    for (const e of readdirSync(p).sort()) if (e !== 'fixtures' && e !== 'node_modules') collect(join(p, e), out);
  } else if (/\.test\.(ts|mjs|js)$/.test(p)) out.push(p);
  return out;
}
const args = process.argv.slice(2);
const roots = args.length ? args : ['test'];
const files = roots.flatMap((r) => collect(r, []));
const concurrency = process.env.SLUICE_TEST_CONCURRENCY ?? String(Math.max(2, cpus().length + 1));
const child = spawn(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-timeout=120000', ...files], {
  stdio: 'inherit',
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
