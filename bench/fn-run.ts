// Function routes against plain routes: one `sluice serve` on a Gloo VirtualService (file mode) with
// a REST function, gRPC-JSON transcoding and a Lambda call, and plain routes to the same backends;
// each function row is divided by its plain route's. Runs alternate between the scenarios (best of
// `rounds` kept), so a slow spell of the shared machine hits them alike.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { connect as h2connect } from 'node:http2';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSluice, type SluiceProcess } from './contenders/sluice.ts';
import { FN_HOST, FN_UPSTREAMS_PREFIX, fnConfigYaml, getBookFrame, type FnScenario, type FnScenarioName, type FnUpstreamAddresses } from './fn-config.ts';
import { measure } from './load.ts';
import { sleep, start, which, type Child } from './proc.ts';
import { baselineLines, baselineRow, type BaselineRow } from './baseline-rows.ts';
import type { LoadOptions, LoadResult } from './types.ts';

export type FnRow = BaselineRow<FnScenarioName>;

export interface FunctionsReport {
  readonly rows: readonly FnRow[];
  /** sluice's CPU time (user + system) per request in its best run, µs, by scenario (Linux /proc; absent elsewhere) */
  readonly cpuUsPerRequest?: Readonly<Partial<Record<FnScenarioName, number>>>;
}

/** utime + stime of a process, ms (Linux /proc); undefined where it cannot be read. */
function cpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // the 14th and 15th fields of the line: utime and stime, in clock ticks (100 per second)
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

export interface FunctionsOptions {
  readonly scenarios: readonly FnScenario[];
  readonly workDir: string;
  readonly proxyCpus: string | undefined;
  /** the backends share the generator's CPU, as the main bench's upstream does */
  readonly upstreamCpus: string | undefined;
  readonly load: Omit<LoadOptions, 'url' | 'headers' | 'scenario' | 'workDir'>;
  readonly rounds: number;
  readonly log: (line: string) => void;
  /** write a V8 CPU profile of sluice here (bench/fn-profile.ts) */
  readonly cpuProfDir?: string;
  /** told sluice's spawn-to-ready time, so a profile can leave start-up out */
  readonly onReady?: (readyMs: number) => void;
}

const UPSTREAMS = fileURLToPath(new URL('./fn-upstreams.ts', import.meta.url));

/** Starts bench/fn-upstreams.ts and reads the addresses it prints (bounded). */
export async function startFnUpstreams(cpus: string | undefined): Promise<{ child: Child; addresses: FnUpstreamAddresses }> {
  const child = start(process.execPath, ['--import', 'tsx', UPSTREAMS], { cpus, captureStdout: true });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const line = child.stdout().split('\n').find((l) => l.startsWith(FN_UPSTREAMS_PREFIX));
    if (line !== undefined) return { child, addresses: JSON.parse(line.slice(FN_UPSTREAMS_PREFIX.length)) as FnUpstreamAddresses };
    if (child.proc.exitCode !== null || child.proc.signalCode !== null || Date.now() > deadline) {
      await child.stop();
      throw new Error(`the function backends did not start: ${child.stderr().trim().slice(-2000)}`);
    }
    await sleep(50);
  }
}

/** One request of the scenario, checked for a good answer, so a broken route fails loudly rather than measuring errors. */
export async function checkOnce(port: number, s: FnScenario): Promise<void> {
  if (!s.grpc) {
    // fetch would not send our Host
    const r = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpGet({ host: '127.0.0.1', port, path: s.path, headers: { host: FN_HOST }, timeout: 10_000 }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('timeout', () => req.destroy(new Error(`${s.name}: no answer in 10 s`)));
      req.on('error', reject);
    });
    if (r.status !== 200) throw new Error(`${s.name}: GET ${s.path} answered ${r.status}: ${r.body.trim().slice(0, 300)}`);
    return;
  }
  const session = h2connect(`http://127.0.0.1:${port}`);
  try {
    const grpcStatus = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${s.name}: no answer in 10 s`)), 10_000);
      session.on('error', reject);
      const req = session.request({ ':method': 'POST', ':path': s.path, ':authority': FN_HOST, 'content-type': 'application/grpc', te: 'trailers' });
      req.on('error', reject);
      req.on('trailers', (t) => {
        clearTimeout(timer);
        resolve(String(t['grpc-status'] ?? 'none'));
      });
      req.on('response', (h) => {
        if (h['grpc-status'] !== undefined) {
          clearTimeout(timer);
          resolve(String(h['grpc-status']));
        }
      });
      req.resume();
      req.end(getBookFrame());
    });
    if (grpcStatus !== '0') throw new Error(`${s.name}: grpc-status ${grpcStatus}`);
  } finally {
    session.destroy();
  }
}

export async function runFunctions(o: FunctionsOptions): Promise<FunctionsReport> {
  const scenarios = o.scenarios;
  const best = new Map<FnScenarioName, LoadResult>();
  const cpu: Partial<Record<FnScenarioName, number>> = {};
  const failed = new Map<FnScenarioName, string>();
  const skipped = new Map<FnScenarioName, string>();
  if (!which('h2load')) for (const s of scenarios) if (s.grpc) skipped.set(s.name, 'h2load is not installed (npm run bench:setup)');
  const { child, addresses } = await startFnUpstreams(o.upstreamCpus);
  let sluice: SluiceProcess | undefined;
  try {
    const configDir = join(o.workDir, 'fn-config');
    mkdirSync(configDir, { recursive: true });
    writeFileSync(join(configDir, 'functions.yaml'), fnConfigYaml(addresses));
    sluice = await startSluice({ configDir, cpus: o.proxyCpus, readyTimeoutMs: 60_000, ...(o.cpuProfDir ? { cpuProfDir: o.cpuProfDir } : {}) });
    o.onReady?.(sluice.readyMs);
    const live = scenarios.filter((s) => !skipped.has(s.name));
    for (const s of live) await checkOnce(sluice.httpPort, s).catch((e: Error) => failed.set(s.name, e.message));
    for (let round = 0; round < o.rounds; round++) {
      for (const s of live.filter((x) => !failed.has(x.name))) {
        o.log(`functions: ${s.name}`);
        const cpuBefore = cpuMs(sluice.pid);
        const r = await measure({
          ...o.load,
          url: `http://127.0.0.1:${sluice.httpPort}${s.path}`,
          headers: s.grpc ? { host: FN_HOST, 'content-type': 'application/grpc', te: 'trailers' } : { host: FN_HOST },
          scenario: { method: s.grpc ? 'POST' : 'GET', bodyBytes: 0, h2: s.grpc },
          ...(s.grpc ? { h2Body: getBookFrame() } : {}),
          workDir: o.workDir,
        }).catch((e: Error) => e);
        if (r instanceof Error) failed.set(s.name, r.message.slice(-300));
        else if (r.requests === 0 || r.errors + r.non2xx >= r.requests) failed.set(s.name, `every request failed (${r.errors} errors, ${r.non2xx} non-2xx)`);
        else if ((best.get(s.name)?.rps ?? -1) < r.rps) {
          best.set(s.name, r);
          const cpuAfter = cpuMs(sluice.pid);
          // The warm-up's CPU is in the difference but not its requests: scaled to the measured window
          // (as if the warm-up ran at the same rate), so the figures compare across scenarios and runs.
          const window = o.load.durationSec / (o.load.durationSec + o.load.warmupSec);
          if (cpuBefore !== undefined && cpuAfter !== undefined) cpu[s.name] = ((cpuAfter - cpuBefore) * 1000 * window) / r.requests;
        }
      }
    }
  } finally {
    await sluice?.stop();
    await child.stop();
  }
  return { rows: rateFunctions(scenarios, best, failed, skipped), cpuUsPerRequest: cpu };
}

/** Pure: each scenario's row, divided by its baseline's measurement when both ran. */
export function rateFunctions(scenarios: readonly FnScenario[], best: ReadonlyMap<FnScenarioName, LoadResult>, failed: ReadonlyMap<FnScenarioName, string>, skipped: ReadonlyMap<FnScenarioName, string>): FnRow[] {
  return scenarios.map((s) => {
    // transcoding falls back to the plain HTTP route when the plain gRPC one did not run
    const baseline = s.baseline !== null && !best.has(s.baseline) && best.has('fn-plain') ? 'fn-plain' : s.baseline;
    return baselineRow(s, baseline, best, failed, skipped);
  });
}

/** Pure: the section's lines for the terminal and markdown reports. */
export function functionsLines(f: FunctionsReport): string[] {
  const lines = baselineLines('functions (one sluice serve, Gloo VirtualService; each function route ÷ the plain route named):', f.rows, 13);
  const cpu = f.cpuUsPerRequest;
  if (cpu === undefined || Object.keys(cpu).length === 0) return lines;
  const parts = f.rows.flatMap((r) => {
    const us = cpu[r.scenario];
    if (us === undefined) return [];
    const base = r.baseline === null ? undefined : cpu[r.baseline];
    return [`${r.scenario} ${Math.round(us)} µs${base === undefined ? '' : ` (${(us / base).toFixed(2)}x ÷${r.baseline})`}`];
  });
  return [...lines, `  sluice CPU per request (user + system, best run): ${parts.join(', ')}`];
}
