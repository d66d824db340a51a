// `node --import tsx bench/log-paired.ts [--windows 8] [--seconds 2] [--modes off,json,json-null,template]`:
// the access log's cost as a ratio that a shared machine does not swamp. `npm run bench -- --scenarios
// log` starts one `sluice serve` per run, so each ratio divides two runs seconds apart, and on the
// shared 2 cores the load moves them by more than the log's cost. Here one in-process gateway (the
// real fast path, request ids on as `serve` has them) serves one long wrk run of small GETs, the
// log switched every few seconds (off, JSON to a file, JSON to /dev/null, Envoy's template to a file; `--modes` adds sampled: JSON
// for 1% of requests; every other window set in
// reverse order), and each window's CPU time per request (the whole process: the writer's libuv
// threads too) is divided by the next `off` window's: the median of those paired ratios is the
// figure. The gateway is pinned to CPU 0 with wrk and the upstream on CPU 1, as the bench does.
// `--before DIR` adds json-before, null-before and template-before: the same logs from another
// checkout's src/observe (an A/B in one process). `--marks FILE` writes each window's mode, start and
// end (CLOCK_MONOTONIC ns) and requests, for bench/log-perf-split.ts to split a `perf record -k
// CLOCK_MONOTONIC` of this process by window.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Gateway } from '../src/gateway.ts';
import { silentLogger } from '../src/log.ts';
import { type AccessLog, openAccessLog } from '../src/observe/access-log.ts';
import { accessLogFilter } from '../src/observe/access-log-filter.ts';
import { ENVOY_DEFAULT_FORMAT } from '../src/observe/access-log-format.ts';
import { writeJsonLine } from '../src/observe/access-log-json-bytes.ts';
import { LineWriter } from '../src/observe/access-log-writer.ts';
import { RequestIds } from '../src/observe/request-id.ts';
import { FileSource } from '../src/sources/file.ts';
import { defaultTranslateOptions } from '../src/translate/options.ts';
import { writeScenarioConfig } from './ingress-gen.ts';
import { defaultGenerator, measure } from './load.ts';
import { pinningAvailable, sleep, stopChildrenOnExit } from './proc.ts';
import { scenarioByName } from './scenarios.ts';
import { defaultUpstreamKind, startUpstream } from './upstream.ts';

const { values } = parseArgs({
  options: {
    windows: { type: 'string', default: '8' },
    seconds: { type: 'string', default: '2' },
    modes: { type: 'string', default: 'off,json,json-null,template' },
    connections: { type: 'string', default: '50' },
    before: { type: 'string' },
    marks: { type: 'string' },
  },
});
const windows = Number(values.windows);
const seconds = Number(values.seconds);
const modes = values.modes!.split(',');
if (modes[0] !== 'off') throw new Error('--modes: off comes first (every ratio divides by it)');

stopChildrenOnExit();
const pinned = pinningAvailable(cpus().length);
// Every thread of this process (the gateway's libuv threads included) on CPU 0.
if (pinned) spawnSync('taskset', ['-a', '-cp', '0', String(process.pid)], { stdio: 'ignore' });
const workDir = fs.mkdtempSync(join(tmpdir(), 'sluice-log-paired-'));
const upstream = await startUpstream(defaultUpstreamKind(), pinned ? '1' : undefined, workDir);
const host = writeScenarioConfig(join(workDir, 'config'), false, upstream.portA, upstream.portB);
const LOGS: Record<string, () => AccessLog | undefined> = {
  off: () => undefined,
  json: () => openAccessLog(join(workDir, 'access.log'), 'json'),
  'json-null': () => openAccessLog('/dev/null', 'json'),
  // Envoy's default template (Kourier's), to a file.
  template: () => openAccessLog(join(workDir, 'access-template.log'), ENVOY_DEFAULT_FORMAT),
  // JSON to a file for 1% of the requests (`--access-log-sample-rate 0.01`): should cost about a hundredth of json's.
  sampled: () => openAccessLog(join(workDir, 'access-sampled.log'), 'json', { filter: accessLogFilter({ sampleRate: '0.01' })! }),
  // As before lines were deferred: each line made and put in its own writer (to /dev/null) where its exchange finishes.
  'at-once': () => {
    const log = openAccessLog('/dev/null', 'json')!;
    const w = new LineWriter(fs.openSync('/dev/null', 'a'), true);
    log.record = (x, status, outcome, endedAt = performance.now()) => void writeJsonLine(w, x, status, outcome, endedAt);
    return log;
  },
};
if (values.before !== undefined) {
  const old = (await import(join(values.before, 'src', 'observe', 'access-log.ts'))) as { openAccessLog: typeof openAccessLog };
  LOGS['json-before'] = () => old.openAccessLog(join(workDir, 'access-before.log'), 'json');
  LOGS['null-before'] = () => old.openAccessLog('/dev/null', 'json');
  LOGS['template-before'] = () => old.openAccessLog(join(workDir, 'access-template-before.log'), ENVOY_DEFAULT_FORMAT);
}
const bad = modes.find((m) => !(m in LOGS));
if (bad !== undefined) throw new Error(`--modes: unknown mode ${bad}`);
const logs = new Map(modes.map((m) => [m, LOGS[m]!()]));
const gw = await Gateway.start({
  source: new FileSource({ dir: join(workDir, 'config'), watch: false }),
  translate: defaultTranslateOptions,
  http: { host: '127.0.0.1', port: 0 },
  log: silentLogger(),
  drainTimeout: 1000,
  requestIds: new RequestIds(true),
});
const small = scenarioByName('small');
const load = {
  url: `http://${gw.addresses.http}${small.path}`,
  headers: { host },
  scenario: small,
  connections: Number(values.connections),
  cpus: pinned ? '1' : undefined,
  generator: defaultGenerator(),
  workDir,
};

// Requests served, counted where every exchange ends (the same few nanoseconds in every mode).
let served = 0;
const metrics = gw.dataPlane.metrics;
const countedRequest = metrics.request.bind(metrics);
metrics.request = (...args: Parameters<typeof metrics.request>): void => {
  served++;
  countedRequest(...args);
};

/** Past the warm-up windows. */
let measuring = false;

/** One window with `mode`'s log while wrk runs on: µs of this process's CPU per request, and req/s. */
async function window(mode: string): Promise<{ us: number; rps: number }> {
  gw.dataPlane.accessLog = logs.get(mode);
  const [c0, n0, t0, h0] = [process.cpuUsage(), served, performance.now(), process.hrtime.bigint()];
  await sleep(seconds * 1000);
  const [c, n, t] = [process.cpuUsage(c0), served - n0, performance.now() - t0];
  if (values.marks !== undefined && measuring) fs.appendFileSync(values.marks, `${mode} ${h0} ${process.hrtime.bigint()} ${n}\n`);
  if (n === 0) throw new Error(`${mode}: no request served in ${seconds} s`);
  return { us: (c.user + c.system) / n, rps: (n * 1000) / t };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const before = loadavg()[0]!;
if (values.marks !== undefined) fs.writeFileSync(values.marks, `pid ${process.pid}\n`);
try {
  // One wrk run for every window (spawning one per window cost this process CPU of its own), the
  // first seconds a warm-up through every log's code.
  const run = measure({ ...load, durationSec: (windows + 1) * modes.length * seconds + 10, warmupSec: 0 });
  // wrk may take seconds to start on a loaded machine: the windows begin with its first requests.
  for (let waited = 0; served === 0; waited += 100) {
    if (waited > 8000) throw new Error('wrk: no request served in 8 s');
    await sleep(100);
  }
  for (const m of modes) await window(m);
  measuring = true;
  const us = new Map<string, number[]>(modes.map((m) => [m, []]));
  const rps = new Map<string, number[]>(modes.map((m) => [m, []]));
  const ratios = new Map<string, number[]>(modes.map((m) => [m, []]));
  for (let w = 0; w < windows; w++) {
    const order = w % 2 === 0 ? modes : [...modes].reverse();
    const got = new Map<string, { us: number; rps: number }>();
    for (const m of order) got.set(m, await window(m));
    for (const m of modes) {
      us.get(m)!.push(got.get(m)!.us);
      rps.get(m)!.push(got.get(m)!.rps);
      ratios.get(m)!.push(got.get(m)!.us / got.get('off')!.us);
    }
    process.stdout.write(`window ${w}: ${modes.map((m) => `${m} ${got.get(m)!.us.toFixed(1)} us`).join(', ')} (load average ${loadavg()[0]!.toFixed(1)})\n`);
  }
  process.stdout.write(`medians over ${windows} windows of ${seconds} s, load average ${before.toFixed(1)} -> ${loadavg()[0]!.toFixed(1)}:\n`);
  for (const m of modes) {
    const extra = m === 'off' ? '' : `, CPU/req ÷off (paired windows) ${median(ratios.get(m)!).toFixed(3)}x [${ratios.get(m)!.map((r) => r.toFixed(2)).join(' ')}]`;
    process.stdout.write(`  ${m.padEnd(9)} ${median(us.get(m)!).toFixed(2)} us CPU/req, ${Math.round(median(rps.get(m)!))} req/s${extra}\n`);
  }
  const r = await run;
  if (r.errors + r.non2xx > r.requests / 100) throw new Error(`wrk: ${r.requests} requests, ${r.errors} errors, ${r.non2xx} non-2xx`);
} finally {
  gw.dataPlane.accessLog = undefined;
  await gw.stop();
  for (const l of logs.values()) await l?.close();
  await upstream.stop();
  fs.rmSync(workDir, { recursive: true, force: true });
}
