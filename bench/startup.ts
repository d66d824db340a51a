// Start-up to ready of `sluice serve` with a plain Knative configuration (examples/): the median of
// fresh processes, from spawn to the first 200 from the admin /ready. Prints one JSON line.
//   node --import tsx bench/startup.ts [--runs 10] [--from tsx|dist] [--root DIR]...
// `--from dist` runs bin/sluice.js over the compiled dist/ (`npm run build` first); `tsx` runs the
// sources as the tests do. Several `--root` checkouts (before/after a change) are started in turn,
// one process each per round, so a busy spell on a shared machine weighs on all alike; the load
// average is printed beside each line.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import http from 'node:http';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const given = process.argv.flatMap((a, i) => (a === '--root' && process.argv[i + 1] ? [resolve(process.argv[i + 1]!)] : []));
const roots = given.length > 0 ? given : [fileURLToPath(new URL('..', import.meta.url))];
const runs = Number(arg('--runs', '10'));
const from = arg('--from', 'tsx');
if (from !== 'tsx' && from !== 'dist') throw new Error('--from: tsx or dist');
for (const root of roots) if (from === 'dist' && !existsSync(join(root, 'dist/cli/main.js'))) throw new Error(`no ${root}/dist: run \`npm run build\` first`);

const entry = from === 'dist' ? ['bin/sluice.js'] : ['--import', 'tsx', 'src/cli/main.ts'];
const flags = ['serve', '--config', 'examples/', '--http', '127.0.0.1:0', '--https', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--health', '127.0.0.1:0', '--drain-delay', '0'];

function readyStatus(admin: string): Promise<number> {
  return new Promise((resolve) => {
    http.get(`http://${admin}/ready`, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', () => resolve(0));
  });
}

/** ms from spawn to a ready gateway */
async function startOnce(root: string): Promise<number> {
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, [...entry, ...flags], { cwd: root, env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const deadline = Date.now() + 30_000;
  try {
    let out = '';
    let admin: string | undefined;
    child.stdout.on('data', (d: Buffer) => (out += d));
    while (Date.now() < deadline) {
      admin ??= /"listener":"admin","address":"([^"]+)"/.exec(out)?.[1];
      if (admin && (await readyStatus(admin)) === 200) return Number(process.hrtime.bigint() - t0) / 1e6;
      if (child.exitCode !== null) throw new Error(`sluice exited with ${child.exitCode}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error('not ready within 30 s');
  } finally {
    child.kill('SIGTERM');
    if (child.exitCode === null) await once(child, 'exit');
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const load = loadavg()[0]!;
const times = roots.map((): number[] => []);
for (let i = 0; i < runs; i++) for (const [r, root] of roots.entries()) times[r]!.push(await startOnce(root));
const loads = [load, loadavg()[0]!].map((l) => Number(l.toFixed(2)));
for (const [r, root] of roots.entries()) {
  const t = times[r]!;
  process.stdout.write(`${JSON.stringify({ root, from, runs, medianMs: Math.round(median(t)), minMs: Math.round(Math.min(...t)), maxMs: Math.round(Math.max(...t)), loadavg1: loads })}\n`);
}
