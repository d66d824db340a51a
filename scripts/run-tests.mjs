#!/usr/bin/env node
// Runs every test file under test/ (or the files/dirs given) with Node's built-in runner through tsx.
// Files run in parallel processes; each test bounds its own waits.
// `--timings[=N]` preloads scripts/test-timing.mjs into each file's process and, at the end, prints the
// N slowest files by CPU (load-independent) and by wall time, and keeps every file's figures in
// .test-timings.json. When that file exists, files start in order of its CPU time, the heaviest
// first, so that no heavy file starts last and runs on alone (Node's runner starts files in the
// order given); files it does not list start after those it does.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTestCli } from './test-cli-build.mjs';

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
const TIMINGS = '.test-timings.json';
const files = heaviestFirst(roots.flatMap((r) => collect(r, [])));
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
let cliDir;
let cliBuild = '';
if (env.SLUICE_TEST_CLI === undefined) {
  const t0 = Date.now();
  try {
    const built = await buildTestCli();
    cliDir = built.dir;
    env.SLUICE_TEST_CLI = built.main;
    cliBuild = `compiled src/ for the CLI's children in ${((Date.now() - t0) / 1000).toFixed(1)} s`;
  } catch (err) {
    // The tests still run, slower: every child compiles the sources through tsx.
    cliBuild = `could not compile src/ for the CLI's children (they run through tsx): ${err?.message ?? err}`;
    process.stderr.write(`run-tests: ${cliBuild}\n`);
  }
}
// Node 20's runner applies --test-timeout to each file's whole run, not to each of its tests (each
// test bounds its own waits): a file of many tests on a busy machine needs more than two minutes.
const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    ...preload,
    '--test',
    `--test-concurrency=${concurrency}`,
    '--test-timeout=300000',
    // TAP as before, and after it a list of the failed tests, so a log's tail names them.
    '--test-reporter=tap',
    '--test-reporter-destination=stdout',
    `--test-reporter=${new URL('./failure-summary.mjs', import.meta.url).href}`,
    '--test-reporter-destination=stdout',
    ...files,
  ],
  { stdio: 'inherit', env },
);
// The runner's children get the signal from the terminal too; the exit below removes the build.
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => {
  if (cliDir) rmSync(cliDir, { recursive: true, force: true });
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
  saveTimings(rows);
  const sum = (k) => rows.reduce((s, r) => s + r[k], 0);
  const line = (r) =>
    `${r.total.toFixed(1).padStart(7)} ${r.cpu.toFixed(1).padStart(6)} ${r.childCpu.toFixed(1).padStart(6)} ${r.wall.toFixed(1).padStart(7)}  ${r.file}`;
  const head = '    cpu    own  child    wall  file (seconds)';
  const out = [`# timings: ${rows.length}/${files.length} files, ${((Date.now() - started) / 1000).toFixed(1)} s wall`];
  if (cliBuild) out.push(`# ${cliBuild}`);
  out.push(`# total cpu ${sum('total').toFixed(1)} s (own ${sum('cpu').toFixed(1)}, children ${sum('childCpu').toFixed(1)}); load ${loadAverage()}`);
  const seen = new Set(rows.map((r) => r.file));
  const missing = files.filter((f) => !seen.has(f));
  if (missing.length) out.push(`# no figures (killed, or ended without exiting): ${missing.join(' ')}`);
  out.push(`# slowest ${n} by cpu`, head, ...[...rows].sort((a, b) => b.total - a.total).slice(0, n).map(line));
  out.push(`# slowest ${n} by wall`, head, ...[...rows].sort((a, b) => b.wall - a.wall).slice(0, n).map(line));
  process.stdout.write(`${out.join('\n')}\n`);
}

function loadAverage() {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'n/a';
  }
}

/** `list` with the files .test-timings.json knows in order of their CPU time, heaviest first (a stable sort). */
function heaviestFirst(list) {
  if (!existsSync(TIMINGS)) return list;
  let cpu;
  try {
    cpu = JSON.parse(readFileSync(TIMINGS, 'utf8'));
  } catch {
    return list;
  }
  return [...list].sort((a, b) => (cpu[b] ?? -1) - (cpu[a] ?? -1));
}

/** Merges this run's CPU seconds per file into .test-timings.json (a run of some files keeps the others'). */
function saveTimings(rows) {
  let cpu = {};
  try {
    if (existsSync(TIMINGS)) cpu = JSON.parse(readFileSync(TIMINGS, 'utf8'));
  } catch {}
  for (const r of rows) cpu[r.file] = Number(r.total.toFixed(2));
  writeFileSync(TIMINGS, `${JSON.stringify(Object.fromEntries(Object.entries(cpu).sort()), null, 1)}\n`);
}
