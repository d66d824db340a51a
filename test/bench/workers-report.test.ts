// The workers run puts Sluice's `--workers N` next to nginx with N worker processes: the configs
// and the report (pure parts; the run itself needs the machine's cores and is not a test).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nginxProxyConf } from '../../bench/contenders/nginx.ts';
import { textTable, type Report, type WorkersReport } from '../../bench/report.ts';
import { scenarioByName } from '../../bench/scenarios.ts';
import type { LoadResult } from '../../bench/types.ts';

const load = (rps: number, p99Ms: number): LoadResult => ({ generator: 'wrk', requests: rps, seconds: 1, rps, p50Ms: 1, p99Ms, errors: 0, non2xx: 0 });

test('nginx gets as many worker processes as the run asks for (one by default)', () => {
  const small = scenarioByName('small');
  assert.match(nginxProxyConf('/tmp/x', 40001, { portA: 40002, portB: 40003 }, small), /^worker_processes 1;$/m);
  assert.match(nginxProxyConf('/tmp/x', 40001, { portA: 40002, portB: 40003 }, small, 2), /^worker_processes 2;$/m);
});

test('the workers section shows Sluice and nginx at each worker count, with Sluice ÷ nginx and each one scaling', () => {
  const workers: WorkersReport = {
    runs: [
      { workers: 1, load: load(30000, 2) },
      { workers: 2, load: load(45000, 3) },
    ],
    nginx: [
      { workers: 1, load: load(60000, 1) },
      { workers: 2, load: load(90000, 1.5) },
    ],
    scaling: 1.5,
    nginxScaling: 1.5,
    note: 'pinned',
  };
  const report: Report = {
    schema: 1,
    date: '2026-12-06T00:00:00.000Z',
    meta: { node: '20', cpus: 2, cpuModel: 'x', generator: 'wrk', upstream: 'nginx', pinning: null, durationSec: 1, warmupSec: 0, rounds: 1, connections: 50 },
    results: [],
    scale: null,
    workers,
  };
  const text = textTable(report);
  assert.match(text, /2 worker\(s\): sluice 45000 req\/s \(p99 3\.00 ms\), nginx 90000 req\/s \(p99 1\.50 ms\): req\/s 0\.50x nginx, p99 2\.00x/);
  assert.match(text, /1 worker\(s\): sluice 30000 req\/s \(p99 2\.00 ms\), nginx 60000 req\/s \(p99 1\.00 ms\): req\/s 0\.50x nginx, p99 2\.00x/);
  assert.match(text, /scaling 1 -> 2 workers: sluice 1\.50x, nginx 1\.50x/);
});
