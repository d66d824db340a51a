// `tsx bench/tail.ts [--contenders sluice,nginx] [--connections 50] [--duration 10] [--rounds 1] [--trace]
//   [--harness-cpu N] [--nice N] [--inside] [--node-args "..."] [--serve-args "..."] [--bin FILE]`: where a proxy's small-GET
// latency tail comes from, next to another proxy under the same conditions (the bench's: proxy on CPU 0,
// wrk -t1 and the nginx upstream on CPU 1). For each run: wrk's distribution (p90 … p99.99, max, the share
// of requests over 1/2/4 ms), each CPU's busy and steal time, the proxy's threads' run and run-queue
// wait time (schedstat), every process that used CPU in the window and where it may run; with --trace
// (perf, root) also the proxy's main thread's waits for its core and what ran on it meanwhile; with
// --inside, Sluice's own view (bench/preload/tail.mjs, loop-delay.mjs).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { contenderByName } from './contenders/index.ts';
import { startSluice } from './contenders/sluice.ts';
import { writeScenarioConfig } from './ingress-gen.ts';
import { defaultGenerator, formatTail, measure } from './load.ts';
import { pinHarness, pinningAvailable, stopChildrenOnExit } from './proc.ts';
import { between, formatWindow, sample } from './proc-sample.ts';
import { scenarioByName } from './scenarios.ts';
import { delays, formatDelays, perfSchedAvailable, readSched, recordSched } from './sched-trace.ts';
import type { Running, Upstream } from './types.ts';
import { defaultUpstreamKind, startUpstream } from './upstream.ts';

const { values } = parseArgs({
  options: {
    contenders: { type: 'string', default: 'sluice,nginx' },
    connections: { type: 'string', default: '50' },
    duration: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '1' },
    trace: { type: 'boolean', default: false },
    // pin this harness (and the npm/tsx processes that started it) to this CPU, as run.ts does
    'harness-cpu': { type: 'string' },
    // a nice value for this harness and all it starts (root may lower it: the machine's other work then
    // rarely takes the proxy's core, which shows whether a tail is the proxy's own or its neighbours')
    nice: { type: 'string' },
    // Sluice only: bench/preload/tail.mjs and loop-delay.mjs inside the gateway (read → write times, loop turns, GC)
    inside: { type: 'boolean', default: false },
    'node-args': { type: 'string' },
    'serve-args': { type: 'string' },
    bin: { type: 'string' },
  },
});
stopChildrenOnExit();
const pinned = pinningAvailable(cpus().length);
if (values['harness-cpu'] !== undefined) pinHarness(values['harness-cpu']);
// children (upstream, proxies, wrk) inherit it
if (values.nice !== undefined) {
  setPriority(Number(values.nice));
  // With autogroups on, nice weighs only within this session's group; the group's own nice weighs it against the others.
  try {
    writeFileSync('/proc/self/autogroup', values.nice);
  } catch {
    // no autogroups here, or not permitted: the process nice alone
  }
}
const workDir = mkdtempSync(join(tmpdir(), 'sluice-tail-'));
process.on('exit', () => rmSync(workDir, { recursive: true, force: true }));
const scenario = scenarioByName('small');
const duration = Number(values.duration);
const trace = values.trace && perfSchedAvailable();
if (values.trace && !trace) process.stdout.write('--trace: perf sched is not available here (perf missing, or not root); going on without\n');
const split = (s: string | undefined): string[] => s?.split(' ').filter(Boolean) ?? [];

const PRELOADS = ['./preload/tail.mjs', './preload/loop-delay.mjs'].map((f) => fileURLToPath(new URL(f, import.meta.url)));
/** what the preloads printed, per sluice run (read after it stopped) */
let insideOut: (() => string) | undefined;

async function startProxy(name: string, upstream: Upstream): Promise<Running> {
  const dir = join(workDir, `${name}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  if (name !== 'sluice') return contenderByName(name).start(upstream, scenario, { cpus: pinned ? '0' : undefined, workDir: dir });
  const host = writeScenarioConfig(join(dir, 'config'), scenario.split, upstream.portA, upstream.portB);
  const nodeArgs = [...split(values['node-args']), ...(values.inside ? PRELOADS.flatMap((f) => ['--import', f]) : [])];
  const s = await startSluice({ configDir: join(dir, 'config'), cpus: pinned ? '0' : undefined, readyTimeoutMs: 60_000, bin: values.bin, extraArgs: split(values['serve-args']), ...(nodeArgs.length > 0 ? { nodeArgs } : {}) });
  insideOut = nodeArgs.length > 0 ? () => s.child.stdout() : undefined;
  return { url: `http://127.0.0.1:${s.httpPort}${scenario.path}`, headers: { host }, pid: s.pid, stop: s.stop };
}

const upstream = await startUpstream(defaultUpstreamKind(), pinned ? '1' : undefined, workDir);
try {
  for (let round = 1; round <= Number(values.rounds); round++) {
    for (const name of values.contenders!.split(',')) {
      const proxy = await startProxy(name, upstream);
      try {
        const load = { url: proxy.url, headers: proxy.headers, scenario, connections: Number(values.connections), cpus: pinned ? '1' : undefined, generator: defaultGenerator(), workDir };
        await measure({ ...load, durationSec: 1, warmupSec: 0 });
        const traceSec = Math.max(1, Math.min(5, duration - 2));
        const traceFile = join(workDir, `sched-${name}.data`);
        const la = loadavg()[0]!.toFixed(2);
        const before = sample([proxy.pid]);
        const t0 = performance.now();
        const [result] = await Promise.all([measure({ ...load, durationSec: duration, warmupSec: 0 }), trace ? recordSched('0', traceSec, traceFile) : Promise.resolve()]);
        const window = between(before, sample([proxy.pid]), (performance.now() - t0) / 1000);
        const niced = values.nice === undefined ? '' : `, nice ${values.nice}`;
        process.stdout.write(`\n${name} (round ${round}, ${load.connections} connections${niced}, load average ${la} before, ${loadavg()[0]!.toFixed(2)} after): ${Math.round(result.rps)} req/s\n  ${formatTail(result)}\n${formatWindow(window)}\n`);
        // The proxy's main thread: its pid (nginx: the worker, the busiest thread under test).
        const main = name === 'sluice' ? proxy.pid : (window.threads[0]?.tid ?? proxy.pid);
        if (trace) process.stdout.write(`${formatDelays(delays(readSched(traceFile), main, new Set(window.threads.map((t) => t.tid))), traceSec)}\n`);
      } finally {
        await proxy.stop();
      }
      for (const line of insideOut?.().split('\n') ?? []) if (/^(TAIL|LOOPDELAY) /.test(line)) process.stdout.write(`  inside: ${line}\n`);
      insideOut = undefined;
    }
  }
} finally {
  await upstream.stop();
}
