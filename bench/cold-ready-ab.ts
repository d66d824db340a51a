// Cold starts of `sluice serve` on N generated apps in each file shape, this checkout against
// another one, alternating (the order flips every round), with the CPU time the gateway process
// (all its threads: GC helpers, a parse worker) had used when admin /ready first answered 200.
// On a machine others keep busy, the wall time to ready measures the machine; the CPU time does not.
//   node --import tsx bench/cold-ready-ab.ts [--base DIR] [--apps N] [--shapes one,100,all] [--rounds 3]
// DIR is another checkout with its own `npm run build` (e.g. `git archive REV | tar -x -C DIR` and a
// node_modules link); without it only this checkout runs. Prints one line per start, then medians.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeScaleConfig } from './ingress-gen.ts';
import { freePort, sleep } from './proc.ts';
import { processCpuMs } from './proc-cpu.ts';
import { scaleShapesByNames } from './scale.ts';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const apps = Number(arg('--apps', '10000'));
const rounds = Number(arg('--rounds', '3'));
const shapes = scaleShapesByNames(arg('--shapes', 'one,100,all').split(','));
const here = fileURLToPath(new URL('..', import.meta.url));
const base = process.argv.includes('--base') ? resolve(arg('--base', '')) : undefined;
const roots = base === undefined ? [here] : [base, here];

interface Start {
  readonly readyMs: number;
  readonly cpuMs: number;
}

/** One `sluice serve` of `root` on `dir`, stopped once ready. */
async function coldStart(root: string, dir: string): Promise<Start> {
  const [http, local, admin] = [await freePort(), await freePort(), await freePort()];
  const args = [join(root, 'bin/sluice.js'), 'serve', '--config', dir, '--http', `127.0.0.1:${http}`, '--local', `127.0.0.1:${local}`, '--admin', `127.0.0.1:${admin}`,
    '--https', '127.0.0.1:0', '--health', '127.0.0.1:0', '--drain-delay', '0', '--log-level', 'warn',
    // the one-file shape is past the default per-file limits
    '--max-config-file-size', String(1 << 30), '--max-config-documents', String(10 * apps)];
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, NODE_ENV: 'production' } });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`sluice (${root}) exited before ready`);
      if (performance.now() - t0 > 600_000) throw new Error(`sluice (${root}) not ready in 600 s`);
      const status = await fetch(`http://127.0.0.1:${admin}/ready`).then((r) => r.arrayBuffer().then(() => r.status), () => 0);
      if (status === 200) break;
      await sleep(20);
    }
    return { readyMs: performance.now() - t0, cpuMs: processCpuMs(child.pid as number) };
  } finally {
    child.kill('SIGTERM');
    if (child.exitCode === null) await once(child, 'exit');
  }
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const work = mkdtempSync(join(tmpdir(), 'sluice-cold-ab-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
const results = new Map<string, Start[]>();
for (const shape of shapes) {
  const dir = join(work, shape.name);
  writeScaleConfig(dir, apps, 18001, 18002, shape.perFile);
  for (let round = 0; round < rounds; round++) {
    for (const root of round % 2 === 0 ? roots : [...roots].reverse()) {
      const s = await coldStart(root, dir);
      const key = `${shape.name} ${root === here ? 'this' : 'base'}`;
      results.set(key, [...(results.get(key) ?? []), s]);
      console.log(`${key}: ready ${s.readyMs.toFixed(0)} ms, CPU ${s.cpuMs.toFixed(0)} ms (load average ${loadavg()[0]!.toFixed(1)})`);
    }
  }
  rmSync(dir, { recursive: true, force: true });
}
for (const [key, starts] of results) {
  console.log(`median ${key}: ready ${median(starts.map((s) => s.readyMs)).toFixed(0)} ms, CPU ${median(starts.map((s) => s.cpuMs)).toFixed(0)} ms`);
}
