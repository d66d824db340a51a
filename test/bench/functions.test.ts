// The function scenarios run for a moment through the real harness (sluice serve, the petstore, the
// grpc-js bookstore, the fake Lambda, wrk/h2load or autocannon) and each comes back with a
// measurement and its ratio to the plain route. Not a performance test: no timing is asserted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fnScenarios, getBookFrame } from '../../bench/fn-config.ts';
import { rateFunctions, type FunctionsReport } from '../../bench/fn-run.ts';
import { which } from '../../bench/proc.ts';
import type { Report } from '../../bench/report.ts';
import type { LoadResult } from '../../bench/types.ts';

const RUN = join(import.meta.dirname, '..', '..', 'bench', 'run.ts');

test('--scenarios fn measures every function route and divides it by its plain route', { timeout: 150_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'sluice-bench-fn-'));
  try {
    const args = ['--import', 'tsx', RUN, '--scenarios', 'fn', '--contenders', 'sluice', '--duration', '1', '--warmup', '0', '--connections', '4', '--out', out];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), 120_000);
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    clearTimeout(timer);
    assert.equal(code, 0, `harness exited ${code}:\n${stderr}\n${stdout}`);
    const report = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as Report;
    assert.deepEqual(report.results, [], 'no contender scenario was asked for');
    assert.equal(report.scale, null, 'a functions-only run has no scale run');
    assert.equal(report.workers, null, 'nor a workers run');
    const f = report.functions as FunctionsReport;
    assert.ok(f && !('skipped' in f), `functions: ${JSON.stringify(report.functions)}`);
    assert.deepEqual(f.rows.map((r) => r.scenario), fnScenarios.map((s) => s.name));
    for (const r of f.rows) {
      if (r.scenario === 'fn-grpc' && !which('h2load')) {
        assert.equal(r.status, 'skipped');
        continue;
      }
      assert.equal(r.status, 'ok', `${r.scenario}: ${r.reason}`);
      assert.ok(r.load!.requests > 0 && r.load!.rps > 0, `${r.scenario} served requests`);
      assert.equal(r.load!.non2xx, 0, `${r.scenario}: no error answers`);
      if (r.baseline !== null) assert.ok(r.vsBaseline.rps !== null && r.vsBaseline.rps > 0, `${r.scenario} has a ratio to ${r.baseline}`);
    }
    assert.match(stdout, /fn-rest\s+\d+ req\/s.*÷fn-plain: req\/s [\d.]+x/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

const load = (rps: number): LoadResult => ({ generator: 'wrk', requests: rps, seconds: 1, rps, p50Ms: 1000 / rps, p99Ms: 4000 / rps, errors: 0, non2xx: 0 });

test('transcoding is divided by the plain HTTP route when the plain gRPC route did not run', () => {
  const best = new Map([['fn-plain', load(1000)], ['fn-grpc-json', load(250)]] as const);
  const rows = rateFunctions(fnScenarios, best, new Map(), new Map([['fn-grpc', 'h2load is not installed']]));
  const json = rows.find((r) => r.scenario === 'fn-grpc-json')!;
  assert.equal(json.baseline, 'fn-plain');
  assert.deepEqual(json.vsBaseline, { rps: 0.25, p50: 4, p99: 4 });
  assert.equal(rows.find((r) => r.scenario === 'fn-grpc')!.status, 'skipped');
  assert.equal(rows.find((r) => r.scenario === 'fn-rest')!.status, 'failed', 'not measured');
});

test('the gRPC frame is GetBookRequest{name: "shelves/8", book: 21} behind its 5-byte prefix', () => {
  const f = getBookFrame();
  assert.equal(f[0], 0, 'not compressed');
  assert.equal(f.readUInt32BE(1), f.length - 5);
  assert.equal(f.subarray(7, 16).toString(), 'shelves/8');
  assert.deepEqual([...f.subarray(16)], [0x18, 21]);
});
