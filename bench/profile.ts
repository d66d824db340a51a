// `tsx bench/profile.ts [--scenario small] [--duration 10] [--connections 50] [--out DIR] [--loop-delay] [--alloc] [--tail] [--no-profile] [--node-args="..."] [--serve-args="..."] [--bin FILE]`: runs Sluice
// under `node --cpu-prof` (one process, pinned) against the bench upstream with wrk, stops it, and prints
// where its CPU time went (bench/cpuprofile.ts). The .cpuprofile is kept in --out (default bench/results).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startSluice } from './contenders/sluice.ts';
import { formatSummary, summarize, type CpuProfile } from './cpuprofile.ts';
import { formatAllocSites, parseAllocSites } from './alloc-sites.ts';
import { writeScenarioConfig } from './ingress-gen.ts';
import { defaultGenerator, measure } from './load.ts';
import type { LoadResult } from './types.ts';
import { pinHarness, pinningAvailable, stopChildrenOnExit } from './proc.ts';
import { scenarioByName } from './scenarios.ts';
import { defaultUpstreamKind, startUpstream } from './upstream.ts';

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'small' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    top: { type: 'string', default: '30' },
    out: { type: 'string' },
    // more node flags for the profiled process, e.g. --node-args "--trace-gc" (its output goes to --out)
    'node-args': { type: 'string' },
    // more `sluice serve` flags, e.g. --serve-args "--access-log /tmp/access.log"
    'serve-args': { type: 'string' },
    bin: { type: 'string' },
    // the event loop's delay and GC pauses in the measured window (bench/preload/loop-delay.mjs)
    'loop-delay': { type: 'boolean', default: false },
    // allocation sites by bytes in the measured window, garbage included (bench/preload/alloc-sample.mjs)
    alloc: { type: 'boolean', default: false },
    // the latency tail from inside: request read → response written, event-loop turns, per connection (bench/preload/tail.mjs)
    tail: { type: 'boolean', default: false },
    // no CPU profile (the profiler inflates latency): only the figures the preloads print
    'no-profile': { type: 'boolean', default: false },
  },
});
stopChildrenOnExit();
const scenario = scenarioByName(values.scenario!);
const pinned = pinningAvailable(cpus().length);
// the harness off the proxy's core (as run.ts)
if (pinned) pinHarness('1');
const workDir = mkdtempSync(join(tmpdir(), 'sluice-profile-'));
process.on('exit', () => rmSync(workDir, { recursive: true, force: true }));
const outDir = values.out ?? fileURLToPath(new URL('./results', import.meta.url));
const profDir = join(workDir, 'prof');
mkdirSync(profDir, { recursive: true });

const LOOP_DELAY = fileURLToPath(new URL('./preload/loop-delay.mjs', import.meta.url));
const ALLOC_SAMPLE = fileURLToPath(new URL('./preload/alloc-sample.mjs', import.meta.url));
const TAIL = fileURLToPath(new URL('./preload/tail.mjs', import.meta.url));
const profiled = !values['no-profile'];
const extraNodeArgs = [
  ...(values['node-args']?.split(' ').filter(Boolean) ?? []),
  ...(values['loop-delay'] ? ['--import', LOOP_DELAY] : []),
  ...(values.alloc ? ['--import', ALLOC_SAMPLE] : []),
  ...(values.tail ? ['--import', TAIL] : []),
];
const nodeArgs = extraNodeArgs.length > 0 ? extraNodeArgs : undefined;

const upstream = await startUpstream(defaultUpstreamKind(), pinned ? '1' : undefined, workDir);
try {
  const configDir = join(workDir, 'config');
  const host = writeScenarioConfig(configDir, scenario.split, upstream.portA, upstream.portB);
  const s = await startSluice({ configDir, cpus: pinned ? '0' : undefined, cpuProfDir: profiled ? profDir : undefined, readyTimeoutMs: 60_000, nodeArgs, bin: values.bin, extraArgs: values['serve-args']?.split(' ').filter(Boolean) });
  let result: LoadResult;
  try {
    const load = {
      url: `http://127.0.0.1:${s.httpPort}${scenario.path}`,
      headers: { host },
      scenario,
      connections: Number(values.connections),
      cpus: pinned ? '1' : undefined,
      generator: defaultGenerator(),
      workDir,
    };
    if (values.alloc) {
      // The sampler counts the measured window only: warmed up first, then signalled around it.
      await measure({ ...load, durationSec: 1, warmupSec: 0 });
      process.kill(s.pid, 'SIGUSR2');
      result = await measure({ ...load, durationSec: Number(values.duration), warmupSec: 0 });
      process.kill(s.pid, 'SIGUSR2');
    } else result = await measure({ ...load, durationSec: Number(values.duration), warmupSec: 1 });
  } finally {
    await s.stop();
  }
  mkdirSync(outDir, { recursive: true });
  // What the extra node flags printed (--trace-gc writes to stdout).
  if (nodeArgs !== undefined) writeFileSync(join(outDir, `sluice-${scenario.name}.stdout.txt`), s.child.stdout());
  const loop = s.child.stdout().split('\n').find((l) => l.startsWith('LOOPDELAY '));
  if (loop !== undefined) process.stdout.write(`event loop delay and GC pauses in the measured window: ${loop.slice('LOOPDELAY '.length)}\n`);
  const tail = s.child.stdout().split('\n').find((l) => l.startsWith('TAIL '));
  if (tail !== undefined) process.stdout.write(`inside the gateway (ms; turns: one event-loop turn's I/O callbacks): ${tail.slice('TAIL '.length)}\n`);
  const alloc = parseAllocSites(s.child.stdout());
  if (alloc !== undefined) process.stdout.write(formatAllocSites(alloc, result.requests));
  const under = profiled ? ' (under the profiler)' : '';
  process.stdout.write(`${scenario.name}: ${Math.round(result.rps)} req/s, p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms${under}\n`);
  if (profiled) {
    const prof = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
    if (!prof) throw new Error('sluice wrote no .cpuprofile (did it exit cleanly on SIGTERM?)');
    const text = readFileSync(join(profDir, prof), 'utf8');
    const kept = join(outDir, `sluice-${scenario.name}.cpuprofile`);
    writeFileSync(kept, text);
    // leave out start-up and the warm-up second: only the measured window
    const since = s.readyMs + 1500;
    process.stdout.write(`${formatSummary(summarize(JSON.parse(text) as CpuProfile, since), Number(values.top))}\n\nprofile: ${kept}\n`);
  }
} finally {
  await upstream.stop();
}

