#!/usr/bin/env node
// Runs every test file under test/ (or the files/dirs given) with Node's built-in runner through tsx.
// Files run in parallel processes; each test bounds its own waits.
// `--timings[=N]` preloads scripts/test-timing.mjs into each file's process and, at the end, prints the
// N slowest files by CPU (load-independent) and by wall time.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

function collect(p, out) {
  const st = statSync(p);
  if (st.isDirectory()) {
    for (const e of readdirSync(p).sort()) if (e !== 'fixtures' && e !== 'node_modules') collect(join(p, e), out);
  } else if (/\.test\.(ts|mjs|js)$/.test(p)) out.push(p);
  return out;
}
const argv = process.argv.slice(2);
const timingsArg = argv.find((a) => a === '--timings' || a.startsWith('--timings='));
const args = argv.filter((a) => a !== timingsArg);
const roots = args.length ? args : ['test'];
const files = roots.flatMap((r) => collect(r, []));
const concurrency = process.env.SLUICE_TEST_CONCURRENCY ?? String(Math.max(2, cpus().length + 1));
const env = { ...process.env };
const preload = [];
let timingsDir;
if (timingsArg) {
  timingsDir = mkdtempSync(join(tmpdir(), 'sluice-test-timings-'));
  env.SLUICE_TEST_TIMINGS = join(timingsDir, 'timings.jsonl');
  preload.push('--import', new URL('./test-timing.mjs', import.meta.url).href);
}
const started = Date.now();
const child = spawn(
  process.execPath,
  ['--import', 'tsx', ...preload, '--test', `--test-concurrency=${concurrency}`, '--test-timeout=120000', ...files],
  { stdio: 'inherit', env },
);
child.on('exit', (code, signal) => {
  if (timingsDir) report(Number(timingsArg.split('=')[1] ?? 15));
  process.exit(code ?? (signal ? 1 : 0));
});

function report(n) {
  let rows = [];
  try {
    rows = readFileSync(join(timingsDir, 'timings.jsonl'), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  } catch {}
  rmSync(timingsDir, { recursive: true, force: true });
  for (const r of rows) r.total = r.cpu + r.childCpu;
  const sum = (k) => rows.reduce((s, r) => s + r[k], 0);
  const line = (r) =>
    `${r.total.toFixed(1).padStart(7)} ${r.cpu.toFixed(1).padStart(6)} ${r.childCpu.toFixed(1).padStart(6)} ${r.wall.toFixed(1).padStart(7)}  ${r.file}`;
  const head = '    cpu    own  child    wall  file (seconds)';
  const out = [`# timings: ${rows.length}/${files.length} files, ${((Date.now() - started) / 1000).toFixed(1)} s wall`];
  out.push(`# total cpu ${sum('total').toFixed(1)} s (own ${sum('cpu').toFixed(1)}, children ${sum('childCpu').toFixed(1)}); load ${(await_load())}`);
  out.push(`# slowest ${n} by cpu`, head, ...[...rows].sort((a, b) => b.total - a.total).slice(0, n).map(line));
  out.push(`# slowest ${n} by wall`, head, ...[...rows].sort((a, b) => b.wall - a.wall).slice(0, n).map(line));
  process.stdout.write(`${out.join('\n')}\n`);
}

function await_load() {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'n/a';
  }
}
