// The access log bench scenarios (`npm run bench -- --scenarios log`) are registered, their flags
// are ones `sluice serve` accepts, and each is divided by the same route without a log, in req/s and
// in CPU per request. No load is run here: the machine is shared, and no timing is asserted.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { accessLogFromFlags } from '../../src/cli/serve.ts';
import { LOG_BASELINE, logFlags, logScenarios, logScenariosByNames } from '../../bench/log-config.ts';
import { accessLogLines, rateAccessLog, roundOrder } from '../../bench/log-run.ts';
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

  it('run in turn, every other round in reverse order, so no scenario always runs first or last', () => {
    const names = (round: number): string[] => roundOrder(logScenarios, round).map((s) => s.name);
    assert.deepEqual(names(0), logScenarios.map((s) => s.name));
    assert.deepEqual(names(1), [...logScenarios].reverse().map((s) => s.name));
    assert.deepEqual(names(2), names(0));
    // Over two rounds every scenario's mean position is the middle.
    for (const s of logScenarios) assert.equal(names(0).indexOf(s.name) + names(1).indexOf(s.name), logScenarios.length - 1, s.name);
  });

  it('are each divided by the run without a log, in CPU per request and req/s', () => {
    const load = (rps: number): LoadResult => ({ generator: 'wrk', requests: rps, seconds: 1, rps, p50Ms: 1000 / rps, p99Ms: 4000 / rps, errors: 0, non2xx: 0 });
    const best = new Map([['log-off', load(1000)], ['log-json', load(900)]] as const);
    const cpu = new Map([['log-off', [80, 100, 90]], ['log-json', [99, 110, 120]]] as const);
    const rows = rateAccessLog(logScenarios, best, cpu, new Map([['log-template', 'every request failed']]));
    const json = rows.find((r) => r.scenario === 'log-json')!;
    assert.equal(json.status, 'ok');
    assert.equal(json.cpuUsPerRequest, 110);
    assert.ok(Math.abs(json.cpuVsBaseline! - 110 / 90) < 1e-9);
    assert.equal(json.vsBaseline.rps, 0.9);
    assert.equal(rows.find((r) => r.scenario === 'log-off')!.cpuVsBaseline, null);
    const text = accessLogLines({ rows, loadAverage: [3.2, 4] }).join('\n');
    assert.match(text, /load average 3\.2 -> 4\.0/);
    assert.match(text, /log-json\s+900 req\/s, 110\.0 us CPU\/req.*÷log-off: CPU\/req 1\.22x, req\/s 0\.90x/);
    assert.match(text, /log-template\s+failed: every request failed/);
  });

  it('take the middle of an even number of rounds, not the higher of the two middle ones', () => {
    const load = (rps: number): LoadResult => ({ generator: 'wrk', requests: rps, seconds: 1, rps, p50Ms: 1, p99Ms: 2, errors: 0, non2xx: 0 });
    const best = new Map([['log-off', load(1000)], ['log-json', load(900)]] as const);
    // --rounds 2: one slow round must not decide the row
    const cpu = new Map([['log-off', [40, 44]], ['log-json', [42, 60]]] as const);
    const json = rateAccessLog(logScenarios, best, cpu, new Map()).find((r) => r.scenario === 'log-json')!;
    assert.equal(json.cpuUsPerRequest, 51);
    assert.ok(Math.abs(json.cpuVsBaseline! - 51 / 42) < 1e-9);
  });
});
