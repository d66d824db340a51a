// Access log scenarios, paired: the log is a process flag, so each round starts one `sluice serve`
// per scenario (the same small GET route and upstream, every gateway on the proxy's CPU, only one
// under load at a time) and, per log scenario, runs short windows A/B/A/B: off, A, off, A, ..., off.
// Each log window is divided by the mean of the two windows without a log on either side of it, a
// few seconds apart: a slow spell of the shared machine, which moved whole runs seconds apart by
// more than the log's cost, falls on both sides of each ratio. A row is the median of its paired
// ratios over every block of every round, with their quartiles as its spread, in CPU per request
// (from /proc: the whole process, the writer's threads too) and req/s.
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { type SluiceProcess, startSluice } from './contenders/sluice.ts';
import { writeScenarioConfig } from './ingress-gen.ts';
import { measure } from './load.ts';
import { LOG_BASELINE, logFlags, type LogScenario, type LogScenarioName } from './log-config.ts';
import { processCpuMs } from './proc-cpu.ts';
import { baselineRow, type BaselineRow } from './baseline-rows.ts';
import { scenarioByName } from './scenarios.ts';
import type { LoadOptions, LoadResult, Upstream } from './types.ts';

/** Windows with the log per block: off, A, off, A, ..., off. */
export const PAIRS_PER_BLOCK = 5;

/** A paired figure: the median of the ratios and their quartiles. */
export interface Paired {
  readonly median: number;
  readonly q1: number;
  readonly q3: number;
  /** how many ratios */
  readonly n: number;
}

export interface LogRow extends BaselineRow<LogScenarioName> {
  /** median over the scenario's windows of the gateway's CPU time per request, in µs */
  readonly cpuUsPerRequest: number | null;
  /** CPU per request ÷ the windows without a log beside each (lower is better) */
  readonly cpuPaired: Paired | null;
  /** req/s ÷ the windows without a log beside each (higher is better) */
  readonly rpsPaired: Paired | null;
}

export interface AccessLogReport {
  readonly rows: readonly LogRow[];
  /** seconds per window */
  readonly windowSec: number;
  /** the machine's 1-minute load average when the section started and ended */
  readonly loadAverage: readonly [number, number];
}

export interface AccessLogOptions {
  readonly scenarios: readonly LogScenario[];
  readonly upstream: Upstream;
  readonly workDir: string;
  readonly proxyCpus: string | undefined;
  /** durationSec is each window's length */
  readonly load: Omit<LoadOptions, 'url' | 'headers' | 'scenario' | 'workDir'>;
  readonly rounds: number;
  readonly log: (line: string) => void;
}

/** One window's measures. */
export interface LogWindow {
  readonly name: LogScenarioName;
  readonly load: LoadResult;
  /** the gateway's CPU time per request, µs */
  readonly cpuUs: number;
}

/**
 * Pure: a round's blocks of windows, one per log scenario, each A/B/A/B: the baseline, then the
 * scenario and the baseline in turn, `pairs` times (scenarios in reverse order every other round).
 * Two gateways alternate in a block, each idle one window at a time: a gateway left idle while
 * the others ran came back slower for its first seconds, which fell on the log windows only.
 */
export function pairedBlocks<T extends { readonly name: string }>(scenarios: readonly T[], round: number, pairs = PAIRS_PER_BLOCK): T[][] {
  const base = scenarios.find((s) => s.name === LOG_BASELINE);
  const others = scenarios.filter((s) => s.name !== LOG_BASELINE);
  if (base === undefined) return [];
  const inOrder = round % 2 === 0 ? others : [...others].reverse();
  return inOrder.map((s) => [base, ...Array.from({ length: pairs }, () => [s, base]).flat()]);
}

/** Pure: the median and quartiles (linear between ranks) of `xs`, or null when empty. */
export function paired(xs: readonly number[]): Paired | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number): number => {
    const r = q * (s.length - 1);
    const lo = Math.floor(r);
    return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (r - lo);
  };
  return { median: at(0.5), q1: at(0.25), q3: at(0.75), n: s.length };
}

/** Pure: each log window divided by the mean of the baseline windows next to it in the same set. */
export function pairedRatios(set: readonly LogWindow[], of: (w: LogWindow) => number): [LogScenarioName, number][] {
  const out: [LogScenarioName, number][] = [];
  set.forEach((w, i) => {
    if (w.name === LOG_BASELINE) return;
    const sides = [set[i - 1], set[i + 1]].filter((b): b is LogWindow => b !== undefined && b.name === LOG_BASELINE).map(of);
    if (sides.length === 0) return;
    const base = sides.reduce((a, b) => a + b, 0) / sides.length;
    if (base > 0) out.push([w.name, of(w) / base]);
  });
  return out;
}

export async function runAccessLog(o: AccessLogOptions): Promise<AccessLogReport> {
  const before = loadavg()[0]!;
  const small = scenarioByName('small');
  const configDir = join(o.workDir, 'log-config');
  const host = writeScenarioConfig(configDir, false, o.upstream.portA, o.upstream.portB);
  const sets: LogWindow[][] = [];
  // Why a scenario's gateway did not start or serve: its row fails only if no round measured it.
  const why = new Map<LogScenarioName, string>();
  for (let round = 0; round < o.rounds; round++) {
    // A fresh process per scenario each round: one process's luck (its code's layout) is not every round's.
    const gateways = new Map<LogScenarioName, SluiceProcess>();
    try {
      for (const s of o.scenarios) {
        const file = join(o.workDir, `access-${s.name}.log`);
        const g = await startSluice({ configDir, cpus: o.proxyCpus, readyTimeoutMs: 60_000, extraArgs: logFlags(s, file) }).catch((e: Error) => e);
        if (g instanceof Error) why.set(s.name, g.message.slice(-300));
        else gateways.set(s.name, g);
      }
      if (!gateways.has(LOG_BASELINE)) continue;
      const loadOf = (g: SluiceProcess) => ({ ...o.load, url: `http://127.0.0.1:${g.httpPort}${small.path}`, headers: { host }, scenario: small, workDir: o.workDir, warmupSec: 0 });
      // A warm-up each (JIT, pools), not measured: lines are made in batches, so the line's code
      // is optimised only after some thousands of requests (a second of warm-up left the first windows slow).
      for (const g of gateways.values()) await measure({ ...loadOf(g), durationSec: Math.max(3, o.load.durationSec) });
      for (const block of pairedBlocks(o.scenarios.filter((x) => gateways.has(x.name)), round)) {
        const windows: LogWindow[] = [];
        // The block's log gateway has been idle since the warm-up: a window of it first, not measured.
        await measure(loadOf(gateways.get(block[1]!.name)!));
        for (const s of block) {
          const g = gateways.get(s.name)!;
          const cpuBefore = processCpuMs(g.pid);
          const r = await measure(loadOf(g));
          const cpuUs = ((processCpuMs(g.pid) - cpuBefore) * 1000) / Math.max(1, r.requests);
          if (r.requests === 0 || r.errors + r.non2xx >= r.requests) throw new Error(`${s.name}: every request failed (${r.errors} errors, ${r.non2xx} non-2xx)`);
          windows.push({ name: s.name, load: r, cpuUs });
        }
        sets.push(windows);
        o.log(`access log: round ${round + 1}: ${windows.map((w) => `${w.name} ${w.cpuUs.toFixed(1)} us`).join(', ')} (load average ${loadavg()[0]!.toFixed(1)})`);
      }
    } catch (e) {
      for (const name of gateways.keys()) why.set(name, (e as Error).message.slice(-300));
    } finally {
      for (const g of gateways.values()) await g.stop();
      for (const s of o.scenarios) rmSync(join(o.workDir, `access-${s.name}.log`), { force: true });
    }
  }
  const measured = new Set(sets.flatMap((set) => set.map((w) => w.name)));
  const failed = new Map([...why].filter(([name]) => !measured.has(name)));
  if (failed.size === 0 && measured.size === 0) for (const s of o.scenarios) failed.set(s.name, 'not measured');
  return { rows: rateAccessLog(o.scenarios, sets, failed), windowSec: o.load.durationSec, loadAverage: [before, loadavg()[0]!] };
}

const median = (xs: readonly number[]): number => paired(xs)!.median;

/** Pure: the windows of one scenario as one load (medians of its rates and latencies, sums of its counts). */
function medianLoad(ws: readonly LogWindow[]): LoadResult | undefined {
  if (ws.length === 0) return undefined;
  const sum = (f: (l: LoadResult) => number): number => ws.reduce((a, w) => a + f(w.load), 0);
  const med = (f: (l: LoadResult) => number): number => median(ws.map((w) => f(w.load)));
  return { ...ws[0]!.load, requests: sum((l) => l.requests), seconds: sum((l) => l.seconds), errors: sum((l) => l.errors), non2xx: sum((l) => l.non2xx), rps: med((l) => l.rps), p50Ms: med((l) => l.p50Ms), p99Ms: med((l) => l.p99Ms) };
}

/** Pure: each scenario's row from every set's windows: the paired ratios' medians and spreads. */
export function rateAccessLog(scenarios: readonly LogScenario[], sets: readonly (readonly LogWindow[])[], failed: ReadonlyMap<LogScenarioName, string>): LogRow[] {
  const ratios = (of: (w: LogWindow) => number): Map<LogScenarioName, number[]> => {
    const all = new Map<LogScenarioName, number[]>();
    for (const set of sets) for (const [name, r] of pairedRatios(set, of)) all.set(name, [...(all.get(name) ?? []), r]);
    return all;
  };
  const cpu = ratios((w) => w.cpuUs);
  const rps = ratios((w) => w.load.rps);
  const p50 = ratios((w) => w.load.p50Ms);
  const p99 = ratios((w) => w.load.p99Ms);
  const best = new Map<LogScenarioName, LoadResult>();
  for (const s of scenarios) {
    const l = medianLoad(sets.flatMap((set) => set.filter((w) => w.name === s.name)));
    if (l !== undefined) best.set(s.name, l);
  }
  return scenarios.map((s) => {
    const row = baselineRow(s, s.name === LOG_BASELINE ? null : LOG_BASELINE, best, failed, new Map());
    const mine = sets.flatMap((set) => set.filter((w) => w.name === s.name).map((w) => w.cpuUs));
    const isBase = row.baseline === null;
    const m = (xs: number[] | undefined): number | null => (isBase || xs === undefined ? null : paired(xs)!.median);
    return {
      ...row,
      vsBaseline: { rps: m(rps.get(s.name)), p50: m(p50.get(s.name)), p99: m(p99.get(s.name)) },
      cpuUsPerRequest: mine.length === 0 ? null : median(mine),
      cpuPaired: isBase ? null : paired(cpu.get(s.name) ?? []),
      rpsPaired: isBase ? null : paired(rps.get(s.name) ?? []),
    };
  });
}

/** Pure: the section's lines for the terminal and markdown reports. */
export function accessLogLines(r: AccessLogReport): string[] {
  const p = (v: Paired | null): string => (v === null ? '—' : `${v.median.toFixed(3)}x [${v.q1.toFixed(3)}–${v.q3.toFixed(3)}]`);
  const n = r.rows.find((row) => row.cpuPaired !== null)?.cpuPaired?.n ?? 0;
  const out = [
    `access log (small GET, paired ${r.windowSec} s windows off/log/off, each log window ÷ the mean of the off windows beside it; median [quartiles] of ${n} pairs; load average ${r.loadAverage[0].toFixed(1)} -> ${r.loadAverage[1].toFixed(1)}):`,
  ];
  for (const row of r.rows) {
    if (row.status !== 'ok' || !row.load) {
      out.push(`  ${row.scenario.padEnd(13)} ${row.status}: ${row.reason ?? ''}`);
      continue;
    }
    const l = row.load;
    const cpu = row.cpuUsPerRequest === null ? '—' : `${row.cpuUsPerRequest.toFixed(1)} us CPU/req`;
    const vs = row.baseline === null ? '' : `  ÷${row.baseline}: CPU/req ${p(row.cpuPaired)}, req/s ${p(row.rpsPaired)}`;
    out.push(`  ${row.scenario.padEnd(13)} ${Math.round(l.rps).toString().padStart(6)} req/s, ${cpu}, p50 ${l.p50Ms.toFixed(2)} ms, p99 ${l.p99Ms.toFixed(2)} ms${vs}`);
  }
  return out;
}
