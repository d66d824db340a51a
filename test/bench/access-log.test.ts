// The access log bench scenarios (`npm run bench -- --scenarios log`) are registered, their flags
// are ones `sluice serve` accepts, and each window with a log is divided by the windows without one
// beside it, in req/s and in CPU per request. No load is run here: the machine is shared, and no timing is asserted.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { accessLogFromFlags } from '../../src/cli/serve.ts';
import { LOG_BASELINE, type LogScenarioName, logFlags, logScenarios, logScenariosByNames } from '../../bench/log-config.ts';
import { accessLogLines, type LogWindow, paired, pairedBlocks, pairedRatios, rateAccessLog } from '../../bench/log-run.ts';
import type { LoadResult } from '../../bench/types.ts';

const RUN = join(import.meta.dirname, '..', '..', 'bench', 'run.ts');

describe('access log bench scenarios', () => {
  it('are named log-* and selected by `log`, the run without a log always with them', () => {
    assert.deepEqual(logScenarios.map((s) => s.name), ['log-off', 'log-json', 'log-json-null', 'log-template', 'log-sampled']);
    assert.deepEqual(logScenariosByNames(['log']).map((s) => s.name), logScenarios.map((s) => s.name));
    assert.deepEqual(logScenariosByNames(['log-json']).map((s) => s.name), [LOG_BASELINE, 'log-json']);
    assert.deepEqual(logScenariosByNames(['small', 'pol']), []);
  });

  it('are listed by the harness usage', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', RUN, '--help'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    for (const s of logScenarios) assert.match(r.stdout, new RegExp(s.name));
  });

  it("pass flags serve accepts, the log file's path in place", async () => {
    for (const s of logScenarios) {
      const flags = logFlags(s, '/dev/null');
      const get = (name: string): string | undefined => flags[flags.indexOf(name) + 1];
      const log = accessLogFromFlags({ accessLog: get('--access-log') ?? 'off', accessLogFormat: get('--access-log-format') ?? 'json', ...(flags.includes('--access-log-sample-rate') ? { accessLogSampleRate: get('--access-log-sample-rate')! } : {}) });
      assert.equal(log === undefined, s.name === LOG_BASELINE, s.name);
      await log?.close();
    }
  });

  it('run A/B/A/B per log scenario (off, A, off, A, ..., off), the scenarios in reverse every other round, so each log window has the run without a log on both sides', () => {
    const names = (round: number): string[][] => pairedBlocks(logScenarios, round, 2).map((b) => b.map((s) => s.name));
    assert.deepEqual(names(0), [
      ['log-off', 'log-json', 'log-off', 'log-json', 'log-off'],
      ['log-off', 'log-json-null', 'log-off', 'log-json-null', 'log-off'],
      ['log-off', 'log-template', 'log-off', 'log-template', 'log-off'],
      ['log-off', 'log-sampled', 'log-off', 'log-sampled', 'log-off'],
    ]);
    assert.deepEqual(names(1).map((b) => b[1]), ['log-sampled', 'log-template', 'log-json-null', 'log-json']);
    assert.deepEqual(names(2), names(0));
    assert.deepEqual(pairedBlocks(logScenariosByNames(['log-json']), 0, 1).map((b) => b.map((s) => s.name)), [['log-off', 'log-json', 'log-off']]);
  });

  it('divide each log window by the mean of the windows without a log beside it, and give the median of those ratios and their quartiles', () => {
    const load = (rps: number): LoadResult => ({ generator: 'wrk', requests: rps, seconds: 1, rps, p50Ms: 1000 / rps, p99Ms: 4000 / rps, errors: 0, non2xx: 0 });
    const w = (name: LogScenarioName, cpuUs: number, rps: number): LogWindow => ({ name, cpuUs, load: load(rps) });
    // The machine slows through each block: paired with its neighbours, json costs 10% in every window.
    const sets = [0, 1].map((k) => {
      const slow = 1 + k / 10;
      return [w('log-off', 40 * slow, 1000), w('log-json', 46.2 * slow, 900), w('log-off', 44 * slow, 1000), w('log-json', 50.6 * slow, 900), w('log-off', 48 * slow, 1000)];
    });
    const ratios = pairedRatios(sets[0]!, (x) => x.cpuUs);
    assert.deepEqual(ratios.map(([name]) => name), ['log-json', 'log-json']);
    for (const [, r] of ratios) assert.ok(Math.abs(r - 1.1) < 1e-9);
    const rows = rateAccessLog(logScenariosByNames(['log-json', 'log-template']), sets, new Map([['log-template', 'every request failed']]));
    const json = rows.find((r) => r.scenario === 'log-json')!;
    assert.equal(json.status, 'ok');
    assert.ok(Math.abs(json.cpuPaired!.median - 1.1) < 1e-9);
    assert.ok(Math.abs(json.cpuPaired!.q3 - json.cpuPaired!.q1) < 1e-9, 'the same ratio in every set: no spread');
    assert.equal(json.cpuPaired!.n, 4);
    assert.ok(Math.abs(json.rpsPaired!.median - 0.9) < 1e-9);
    assert.equal(rows.find((r) => r.scenario === 'log-off')!.cpuPaired, null);
    const text = accessLogLines({ rows, windowSec: 2, loadAverage: [3.2, 4] }).join('\n');
    assert.match(text, /paired 2 s windows.*median \[quartiles\] of 4 pairs; load average 3\.2 -> 4\.0/);
    assert.match(text, /log-json\s+900 req\/s, [\d.]+ us CPU\/req.*÷log-off: CPU\/req 1\.100x \[1\.100–1\.100\], req\/s 0\.900x/);
    assert.match(text, /log-template\s+failed: every request failed/);
  });

  it('give the quartiles of the ratios as the spread, the median of an even count between the middle two', () => {
    const p = paired([1.2, 1.0, 1.1, 1.3])!;
    assert.ok(Math.abs(p.median - 1.15) < 1e-9);
    assert.ok(Math.abs(p.q1 - 1.075) < 1e-9);
    assert.ok(Math.abs(p.q3 - 1.225) < 1e-9);
    assert.equal(paired([]), null);
  });
});
