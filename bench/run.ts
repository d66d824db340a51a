// `npm run bench`: Sluice's data plane side by side with its peers, same upstream, same run.
// Usage: tsx bench/run.ts [--duration S] [--warmup S] [--connections N] [--scenarios a,b] [--contenders a,b]
//        [--quick] [--scale N] [--no-workers] [--workers-only] [--upstream nginx|node] [--generator wrk|autocannon] [--out DIR]
import { cpus as osCpus } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { contenderByName, contenders } from './contenders/index.ts';
import { sluiceHasWorkers, sluiceUnavailable } from './contenders/sluice.ts';
import { defaultGenerator, measure } from './load.ts';
import { pinHarness, pinningAvailable, stopChildrenOnExit, which } from './proc.ts';
import { rate, textTable, writeReport, type Report, type Row } from './report.ts';
import { fnScenarios, fnScenariosByNames, isFnScenarioName, type FnScenario } from './fn-config.ts';
import { runFunctions } from './fn-run.ts';
import { isPolScenarioName, polScenarios, polScenariosByNames, type PolScenario } from './pol-config.ts';
import { runPolicies } from './pol-run.ts';
import { runScaleShapes, SCALE_SHAPES, scaleShapesByNames, type ScaleShape } from './scale.ts';
import { isLogScenarioName, logScenarios, logScenariosByNames, type LogScenario } from './log-config.ts';
import { runAccessLog } from './log-run.ts';
import { scenarioByName, scenarios } from './scenarios.ts';
import { defaultUpstreamKind, startUpstream, type UpstreamKind } from './upstream.ts';
import { runWorkers } from './workers-run.ts';
import type { Contender, LoadOptions, LoadResult, Running, Scenario, Upstream } from './types.ts';

interface Settings {
  durationSec: number;
  warmupSec: number;
  connections: number;
  scenarios: Scenario[];
  /** function routes against plain routes, in one sluice serve (only when named) */
  fnScenarios: FnScenario[];
  /** policy routes against the same route without policies, in one sluice serve (only when named) */
  polScenarios: PolScenario[];
  /** the same route without and with an access log, one sluice serve each (only when named) */
  logScenarios: LogScenario[];
  contenders: Contender[];
  scale: number;
  scaleShapes: readonly ScaleShape[];
  workers: boolean;
  /** only the workers run (no scenario table, no scale run) */
  workersOnly: boolean;
  rounds: number;
  upstream: UpstreamKind;
  generator: 'wrk' | 'autocannon';
  out: string;
}

function settings(argv: string[]): Settings {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      scenarios: { type: 'string' },
      contenders: { type: 'string' },
      quick: { type: 'boolean', default: false },
      scale: { type: 'string' },
      'scale-shapes': { type: 'string' },
      'no-workers': { type: 'boolean', default: false },
      'workers-only': { type: 'boolean', default: false },
      rounds: { type: 'string' },
      upstream: { type: 'string' },
      generator: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${readUsage()}\n`);
    process.exit(0);
  }
  const quick = values.quick === true;
  const upstream = values.upstream ?? defaultUpstreamKind();
  if (upstream !== 'nginx' && upstream !== 'node') throw new Error(`--upstream: must be nginx or node, got "${upstream}"`);
  const generator = values.generator ?? defaultGenerator();
  if (generator !== 'wrk' && generator !== 'autocannon') throw new Error(`--generator: must be wrk or autocannon, got "${generator}"`);
  if (generator === 'wrk' && !which('wrk')) throw new Error('--generator wrk: wrk is not installed (npm run bench:setup)');
  if (upstream === 'nginx' && !which('nginx')) throw new Error('--upstream nginx: nginx is not installed (npm run bench:setup)');
  const named = values.scenarios ? list(values.scenarios) : undefined;
  const fnNames: string[] = (named ?? []).filter((n) => n === 'fn' || isFnScenarioName(n));
  const polNames: string[] = (named ?? []).filter((n) => n === 'pol' || isPolScenarioName(n));
  const logNames: string[] = (named ?? []).filter((n) => n === 'log' || isLogScenarioName(n));
  return {
    durationSec: positive('--duration', values.duration, quick ? 2 : 5),
    warmupSec: positive('--warmup', values.warmup, 1, true),
    connections: positive('--connections', values.connections, 50),
    scenarios: named ? named.filter((n) => !fnNames.includes(n) && !polNames.includes(n) && !logNames.includes(n)).map(scenarioByName) : [...scenarios],
    fnScenarios: fnScenariosByNames(fnNames),
    polScenarios: polScenariosByNames(polNames),
    logScenarios: logScenariosByNames(logNames),
    contenders: values.contenders ? list(values.contenders).map(contenderByName) : [...contenders],
    scale: positive('--scale', values.scale, quick ? 1000 : 10_000, true),
    scaleShapes: values['scale-shapes'] ? scaleShapesByNames(list(values['scale-shapes'])) : SCALE_SHAPES,
    workers: values['no-workers'] !== true,
    workersOnly: values['workers-only'] === true,
    rounds: Math.floor(positive('--rounds', values.rounds, 1)),
    upstream,
    generator,
    out: values.out ?? fileURLToPath(new URL('./results', import.meta.url)),
  };
}

function readUsage(): string {
  return [
    'npm run bench -- [options]',
    '  --duration S        seconds measured per contender and scenario (default 5; --quick 2)',
    '  --warmup S          seconds of discarded warm-up before each run (default 1; 0: none)',
    '  --connections N     concurrent connections (default 50; HTTP/2: N/10 connections x 10 streams)',
    `  --scenarios a,b     of ${scenarios.map((s) => s.name).join(', ')} (default all of these); or function routes against plain ones,`,
    `                      ${fnScenarios.map((s) => s.name).join(', ')} (or fn: all five), only when named; without other scenarios no scale or workers run;`,
    `                      or policy routes against the same route without one, ${polScenarios.map((s) => s.name).join(', ')} (or pol: all), likewise;
                      or the same route without and with an access log, ${logScenarios.map((s) => s.name).join(', ')} (or log: all), likewise`,
    `  --contenders a,b    of ${contenders.map((c) => c.name).join(', ')} (default all), or sluice-baseline (SLUICE_BASELINE=DIR: another checkout, same rounds)`,
    '  --scale N           ingresses in the scale run (default 10000; --quick 1000; 0: skip)',
    '  --scale-shapes a,b  file shapes of the scale run: one (per file), 100 (per file), all (in one file); default all three',
    '  --no-workers        skip the 1 -> 2 workers run',
    '  --workers-only      only the 1 -> 2 workers run (sluice and nginx side by side)',
    '  --rounds N          run every contender N times, interleaved, and keep its best (default 1)',
    '  --upstream K        nginx | node (default nginx when installed)',
    '  --generator G       wrk | autocannon (default wrk when installed)',
    '  --out DIR           where the JSON and markdown go (default bench/results)',
    '  --quick             shorter runs and a 1000-ingress scale run',
  ].join('\n');
}

function list(s: string): string[] {
  return s.split(',').map((x) => x.trim()).filter(Boolean);
}

function positive(flag: string, v: string | undefined, dflt: number, zeroOk = false): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || (!zeroOk && n === 0)) throw new Error(`${flag}: must be a ${zeroOk ? 'non-negative' : 'positive'} number, got "${v}"`);
  return n;
}

const log = (line: string): void => void process.stderr.write(`bench: ${line}\n`);

async function main(): Promise<number> {
  const s = settings(process.argv.slice(2));
  stopChildrenOnExit();
  const cpuCount = osCpus().length;
  // the proxy gets CPU 0; the generator CPU 1; the upstream CPU 2 when there is one, else shares CPU 1
  const pinned = pinningAvailable(cpuCount);
  const proxyCpus = pinned ? '0' : undefined;
  const genCpus = pinned ? '1' : undefined;
  const upCpus = pinned ? (cpuCount >= 3 ? '2' : '1') : undefined;
  const allCpus = pinned ? `0-${cpuCount - 1}` : undefined;
  // The harness itself (this process, npm/tsx above it, tsx's esbuild service) off the proxy's core.
  if (genCpus !== undefined) pinHarness(genCpus);
  const workDir = mkdtempSync(join(tmpdir(), 'sluice-bench-'));
  process.on('exit', () => rmSync(workDir, { recursive: true, force: true }));

  log(`upstream ${s.upstream}, generator ${s.generator}, ${s.durationSec}s runs, ${s.connections} connections${pinned ? ', pinned' : ''}`);
  const upstream = await startUpstream(s.upstream, upCpus, workDir);
  const rows: Row[] = [];
  const load = { connections: s.connections, durationSec: s.durationSec, warmupSec: s.warmupSec, cpus: genCpus, generator: s.generator } as const;
  try {
    for (const scenario of s.workersOnly ? [] : s.scenarios) {
      // rounds interleave the contenders, so a burst of noise from the machine hits them alike
      const tries: Row[][] = s.contenders.map(() => []);
      for (let round = 0; round < s.rounds; round++) {
        for (const [i, c] of s.contenders.entries()) tries[i]!.push(await runOne(c, scenario, upstream, { ...load, workDir }, proxyCpus));
      }
      rows.push(...tries.map(best));
    }
    // a run of only function scenarios is not the whole bench: no scale or workers run with it
    const wantSluice = s.workersOnly || (s.contenders.some((c) => c.name === 'sluice') && s.scenarios.length > 0);
    const sluiceWhy = sluiceUnavailable();
    let scale: Report['scale'] = null;
    if (wantSluice && s.scale > 0 && !s.workersOnly) {
      scale = sluiceWhy ? { skipped: sluiceWhy } : await runScaleShapes(s.scaleShapes, { ingresses: s.scale, upstream, workDir, proxyCpus, load, log, rounds: s.rounds }).catch((e: Error) => ({ skipped: `failed: ${e.message}` }));
    }
    let workers: Report['workers'] = null;
    if (wantSluice && s.workers) {
      const why = sluiceWhy ?? (sluiceHasWorkers() ? undefined : '`sluice serve` has no --workers flag yet');
      workers = why ? { skipped: why } : await runWorkers({ upstream, workDir, proxyCpus, allCpus, load, log, rounds: s.rounds }).catch((e: Error) => ({ skipped: `failed: ${e.message}` }));
    }
    let functions: Report['functions'] = null;
    if (s.fnScenarios.length > 0 && !s.workersOnly) {
      functions = sluiceWhy
        ? { skipped: sluiceWhy }
        : await runFunctions({ scenarios: s.fnScenarios, workDir, proxyCpus, upstreamCpus: upCpus, load, rounds: s.rounds, log }).catch((e: Error) => ({ skipped: `failed: ${oneLine(e.message)}` }));
    }
    let policies: Report['policies'] = null;
    if (s.polScenarios.length > 0 && !s.workersOnly) {
      policies = sluiceWhy
        ? { skipped: sluiceWhy }
        : await runPolicies({ scenarios: s.polScenarios, workDir, proxyCpus, upstreamCpus: upCpus, load, rounds: s.rounds, log }).catch((e: Error) => ({ skipped: `failed: ${oneLine(e.message)}` }));
    }
    let accessLog: Report['accessLog'] = null;
    if (s.logScenarios.length > 0 && !s.workersOnly) {
      accessLog = sluiceWhy
        ? { skipped: sluiceWhy }
        : await runAccessLog({ scenarios: s.logScenarios, upstream, workDir, proxyCpus, load, rounds: s.rounds, log }).catch((e: Error) => ({ skipped: `failed: ${oneLine(e.message)}` }));
    }
    const report: Report = {
      schema: 1,
      date: new Date().toISOString(),
      meta: {
        node: process.versions.node,
        cpus: cpuCount,
        cpuModel: osCpus()[0]?.model.trim() ?? 'unknown',
        generator: s.generator + (s.scenarios.some((x) => x.h2) || s.fnScenarios.some((x) => x.grpc) ? ' + h2load' : ''),
        upstream: s.upstream === 'nginx' ? 'nginx (1 worker)' : 'Node http',
        pinning: pinned ? { proxy: proxyCpus!, generator: genCpus! } : null,
        durationSec: s.durationSec,
        warmupSec: s.warmupSec,
        rounds: s.rounds,
        connections: s.connections,
      },
      results: rate(rows),
      scale,
      workers,
      functions,
      policies,
      accessLog,
    };
    const file = writeReport(s.out, report);
    process.stdout.write(`${textTable(report)}\n\nwritten: ${file}\n`);
    const fnOk = functions !== null && !('skipped' in functions) && functions.rows.some((r) => r.status === 'ok');
    const polOk = policies !== null && !('skipped' in policies) && policies.rows.some((r) => r.status === 'ok');
    const logOk = accessLog !== null && !('skipped' in accessLog) && accessLog.rows.some((r) => r.status === 'ok');
    return rows.some((r) => r.status === 'ok') || fnOk || polOk || logOk || (s.workersOnly && workers !== null && !('skipped' in workers)) ? 0 : 1;
  } finally {
    await upstream.stop();
  }
}

/** Starts one contender for one scenario, measures it and stops it; a failure becomes a row, not an abort. */
async function runOne(c: Contender, scenario: Scenario, upstream: Upstream, load: Omit<LoadOptions, 'url' | 'headers' | 'scenario'>, proxyCpus: string | undefined): Promise<Row> {
  const base = { scenario: scenario.name, contender: c.name, nodePeer: c.nodePeer };
  const why = c.unavailable() ?? c.unsupported(scenario) ?? (scenario.h2 && !which('h2load') ? 'h2load is not installed (npm run bench:setup)' : undefined) ?? (scenario.h2 && c.name === 'direct' && upstream.h2Port === undefined ? 'the upstream has no h2c port' : undefined);
  if (why) return { ...base, status: 'skipped', reason: why };
  log(`${scenario.name} / ${c.name}`);
  let running: Running | undefined;
  try {
    running = await c.start(upstream, scenario, { cpus: proxyCpus, workDir: load.workDir });
    const result = await measure({ ...load, url: running.url, headers: running.headers, scenario });
    const bad = badRun(result);
    return bad ? { ...base, status: 'failed', reason: bad, load: result } : { ...base, status: 'ok', load: result };
  } catch (e) {
    return { ...base, status: 'failed', reason: oneLine((e as Error).message) };
  } finally {
    await running?.stop();
  }
}

/** The try with the most req/s (a machine's noise only ever slows a run down); a failure only when all failed. */
function best(tries: readonly Row[]): Row {
  const ok = tries.filter((r) => r.status === 'ok' && r.load);
  return ok.sort((a, b) => b.load!.rps - a.load!.rps)[0] ?? tries[tries.length - 1]!;
}

/** Why a measurement is not a result: nothing answered, or nothing answered well. */
function badRun(r: LoadResult): string | undefined {
  if (r.requests === 0) return `no request completed (${r.errors} errors)`;
  if (r.non2xx + r.errors >= r.requests) return `every request failed (${r.non2xx} non-2xx, ${r.errors} errors)`;
  return undefined;
}

/** The end of a multi-line error (where tools print the actual complaint), on one line. */
function oneLine(msg: string): string {
  const flat = msg.replace(/\s*\n\s*/g, ' | ');
  return flat.length > 300 ? `…${flat.slice(-300)}` : flat;
}

main().then(
  (code) => process.exit(code),
  (e: Error) => {
    process.stderr.write(`bench: ${e.message}\n`);
    process.exit(1);
  },
);
