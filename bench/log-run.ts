// Access log scenarios: one `sluice serve` per scenario and round (the log is a process flag), the
// same small GET route and upstream, runs alternating between scenarios (every other round in
// reverse) so a slow spell of the shared machine hits them alike. Each row has its best req/s and its median CPU per request (from
// /proc: comparable on a busy machine, where req/s is not), both divided by the run without a log.
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { startSluice } from './contenders/sluice.ts';
import { writeScenarioConfig } from './ingress-gen.ts';
import { measure } from './load.ts';
import { LOG_BASELINE, logFlags, type LogScenario, type LogScenarioName } from './log-config.ts';
import { processCpuMs } from './proc-cpu.ts';
import { baselineRow, type BaselineRow } from './baseline-rows.ts';
import { scenarioByName } from './scenarios.ts';
import type { LoadOptions, LoadResult, Upstream } from './types.ts';

export interface LogRow extends BaselineRow<LogScenarioName> {
  /** median over the rounds of the gateway's CPU time per request, in µs */
  readonly cpuUsPerRequest: number | null;
  /** this row's CPU per request ÷ the baseline's (lower is better) */
  readonly cpuVsBaseline: number | null;
}

export interface AccessLogReport {
  readonly rows: readonly LogRow[];
  /** the machine's 1-minute load average when the section started and ended */
  readonly loadAverage: readonly [number, number];
}

export interface AccessLogOptions {
  readonly scenarios: readonly LogScenario[];
  readonly upstream: Upstream;
  readonly workDir: string;
  readonly proxyCpus: string | undefined;
  readonly load: Omit<LoadOptions, 'url' | 'headers' | 'scenario' | 'workDir'>;
  readonly rounds: number;
  readonly log: (line: string) => void;
}

export async function runAccessLog(o: AccessLogOptions): Promise<AccessLogReport> {
  const before = loadavg()[0]!;
  const small = scenarioByName('small');
  const configDir = join(o.workDir, 'log-config');
  const host = writeScenarioConfig(configDir, false, o.upstream.portA, o.upstream.portB);
  const best = new Map<LogScenarioName, LoadResult>();
  const cpu = new Map<LogScenarioName, number[]>();
  const failed = new Map<LogScenarioName, string>();
  for (let round = 0; round < o.rounds; round++) {
    for (const s of roundOrder(o.scenarios, round).filter((x) => !failed.has(x.name))) {
      o.log(`access log: ${s.name}`);
      const file = join(o.workDir, `access-${s.name}.log`);
      const sluice = await startSluice({ configDir, cpus: o.proxyCpus, readyTimeoutMs: 60_000, extraArgs: logFlags(s, file) }).catch((e: Error) => e);
      if (sluice instanceof Error) {
        failed.set(s.name, sluice.message.slice(-300));
        continue;
      }
      try {
        const load = { ...o.load, url: `http://127.0.0.1:${sluice.httpPort}${small.path}`, headers: { host }, scenario: small, workDir: o.workDir };
        // A second of warm-up (JIT, pools), then the measured run with the CPU time it took.
        await measure({ ...load, durationSec: 1, warmupSec: 0 });
        const cpuBefore = processCpuMs(sluice.pid);
        const r = await measure({ ...load, warmupSec: 0 });
        const usPerRequest = ((processCpuMs(sluice.pid) - cpuBefore) * 1000) / Math.max(1, r.requests);
        if (r.requests === 0 || r.errors + r.non2xx >= r.requests) failed.set(s.name, `every request failed (${r.errors} errors, ${r.non2xx} non-2xx)`);
        else {
          if ((best.get(s.name)?.rps ?? -1) < r.rps) best.set(s.name, r);
          cpu.set(s.name, [...(cpu.get(s.name) ?? []), usPerRequest]);
        }
      } catch (e) {
        failed.set(s.name, (e as Error).message.slice(-300));
      } finally {
        await sluice.stop();
        rmSync(file, { force: true });
      }
    }
  }
  return { rows: rateAccessLog(o.scenarios, best, cpu, failed), loadAverage: [before, loadavg()[0]!] };
}

/**
 * The scenarios in a round's order: as listed, and reversed every other round. In a fixed order
 * `log-off` always ran first and `log-sampled` last, so whatever drifts through a round (the
 * previous run's log file, the machine) fell on the same scenarios each time.
 */
export function roundOrder<T>(scenarios: readonly T[], round: number): readonly T[] {
  return round % 2 === 0 ? scenarios : [...scenarios].reverse();
}

/** The median; of an even count, the mean of the middle two (with --rounds 2, the higher one was one noisy round). */
function median(xs: readonly number[] | undefined): number | null {
  if (xs === undefined || xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Pure: each scenario's row, req/s and CPU per request divided by the run without a log. */
export function rateAccessLog(
  scenarios: readonly LogScenario[],
  best: ReadonlyMap<LogScenarioName, LoadResult>,
  cpu: ReadonlyMap<LogScenarioName, readonly number[]>,
  failed: ReadonlyMap<LogScenarioName, string>,
): LogRow[] {
  const base = median(cpu.get(LOG_BASELINE));
  return scenarios.map((s) => {
    const row = baselineRow(s, s.name === LOG_BASELINE ? null : LOG_BASELINE, best, failed, new Map());
    const us = median(cpu.get(s.name));
    return { ...row, cpuUsPerRequest: us, cpuVsBaseline: us === null || base === null || row.baseline === null ? null : us / base };
  });
}

/** Pure: the section's lines for the terminal and markdown reports. */
export function accessLogLines(r: AccessLogReport): string[] {
  const x = (v: number | null): string => (v === null ? '—' : `${v.toFixed(2)}x`);
  const out = [`access log (small GET, one sluice serve per run; CPU per request is the median of the rounds; load average ${r.loadAverage[0].toFixed(1)} -> ${r.loadAverage[1].toFixed(1)}):`];
  for (const row of r.rows) {
    if (row.status !== 'ok' || !row.load) {
      out.push(`  ${row.scenario.padEnd(13)} ${row.status}: ${row.reason ?? ''}`);
      continue;
    }
    const l = row.load;
    const cpu = row.cpuUsPerRequest === null ? '—' : `${row.cpuUsPerRequest.toFixed(1)} us CPU/req`;
    const vs = row.baseline === null ? '' : `  ÷${row.baseline}: CPU/req ${x(row.cpuVsBaseline)}, req/s ${x(row.vsBaseline.rps)}, p99 ${x(row.vsBaseline.p99)}`;
    out.push(`  ${row.scenario.padEnd(13)} ${Math.round(l.rps).toString().padStart(6)} req/s, ${cpu}, p50 ${l.p50Ms.toFixed(2)} ms, p99 ${l.p99Ms.toFixed(2)} ms${vs}`);
  }
  return out;
}
