// Smoke run of the benchmark harness itself: one contender (direct to the upstream), one scenario,
// one second, checked for a live measurement and the JSON report's shape. Not a performance test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Report } from '../../bench/report.ts';

const RUN = join(import.meta.dirname, '..', '..', 'bench', 'run.ts');

/** Runs bench/run.ts with extra flags into a temp dir, bounded; returns the parsed latest.json. */
async function runHarness(extra: string[]): Promise<{ report: Report; files: string[]; stdout: string }> {
  const out = mkdtempSync(join(tmpdir(), 'sluice-bench-smoke-'));
  try {
    const args = ['--import', 'tsx', RUN, '--contenders', 'direct', '--scenarios', 'small', '--duration', '1', '--warmup', '0', '--connections', '4', '--scale', '0', '--no-workers', '--out', out, ...extra];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    clearTimeout(timer);
    assert.equal(code, 0, `harness exited ${code}:\n${stderr}\n${stdout}`);
    const report = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as Report;
    return { report, files: readdirSync(out).sort(), stdout };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function checkShape(report: Report, files: string[], stdout: string): void {
  assert.equal(report.schema, 1);
  assert.ok(!Number.isNaN(Date.parse(report.date)), 'date is ISO');
  assert.equal(report.meta.durationSec, 1);
  assert.equal(report.meta.connections, 4);
  assert.equal(report.results.length, 1);
  const row = report.results[0]!;
  assert.equal(row.scenario, 'small');
  assert.equal(row.contender, 'direct');
  assert.equal(row.status, 'ok', `row failed: ${row.reason}`);
  assert.ok(row.load, 'row has a measurement');
  assert.ok(row.load.rps > 0, `req/s > 0, got ${row.load.rps}`);
  assert.ok(row.load.requests > 0);
  assert.ok(row.load.p99Ms >= row.load.p50Ms, 'p99 >= p50');
  assert.equal(row.load.errors, 0);
  assert.equal(row.load.non2xx, 0);
  // no nginx or Node peer ran, so there is nothing to take a ratio against
  assert.deepEqual(row.vsNginx, { rps: null, p50: null, p99: null });
  assert.equal(row.vsBestNode.peer, null);
  assert.equal(report.scale, null);
  assert.equal(report.workers, null);
  // dated JSON, latest.json and the markdown table
  assert.equal(files.length, 3, files.join(', '));
  assert.ok(files.includes('latest.md'));
  assert.ok(files.some((f) => /^\d{4}-\d\d-\d\dT.*\.json$/.test(f)));
  assert.match(stdout, /small\s+direct\s+\d+/);
}

test('harness measures the direct contender with the installed tools (nginx/wrk when present)', { timeout: 90_000 }, async () => {
  const { report, files, stdout } = await runHarness([]);
  checkShape(report, files, stdout);
});

test('harness falls back to a Node upstream and autocannon', { timeout: 90_000 }, async () => {
  const { report, files, stdout } = await runHarness(['--upstream', 'node', '--generator', 'autocannon']);
  checkShape(report, files, stdout);
  assert.equal(report.meta.generator, 'autocannon');
  assert.equal(report.meta.upstream, 'Node http');
  assert.equal(report.results[0]!.load!.generator, 'autocannon');
});
