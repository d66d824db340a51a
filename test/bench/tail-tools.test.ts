// The latency-tail tools' pure parts (bench/tail.ts): wrk's distribution line, /proc's CPU, process
// and scheduler counters, and `perf sched timehist` slices matched against the proxy's waits.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatTail, parseWrk } from '../../bench/load.ts';
import { between, parseCpuTimes, parseProcStat, parseSchedStat, type Sample } from '../../bench/proc-sample.ts';
import { delays, parseTimehist } from '../../bench/sched-trace.ts';

test('parseWrk takes the rest of the distribution from the WRKTAIL line when the script printed one', () => {
  const out = [
    'WRKJSON {"requests":10000,"duration_us":1000000,"p50_us":200,"p99_us":3000,"errors":0,"non2xx":0}',
    'WRKTAIL {"p90_us":400,"p999_us":5000,"p9999_us":9000,"max_us":11000,"over_pct":[20.0,5.0,2.5,0.5,0.0]}',
  ].join('\n');
  const r = parseWrk(out);
  assert.deepEqual(r.tail, {
    p90Ms: 0.4,
    p999Ms: 5,
    p9999Ms: 9,
    maxMs: 11,
    over: [
      { ms: 0.5, percent: 20 },
      { ms: 1, percent: 5 },
      { ms: 2, percent: 2.5 },
      { ms: 4, percent: 0.5 },
      { ms: 8, percent: 0 },
    ],
  });
  assert.match(formatTail(r), /p99\.9 5\.000 .* >1 ms 5\.00%, >2 ms 2\.50%, >4 ms 0\.50%/);
});

test('/proc counters: per-CPU busy and steal time, a process whose name holds spaces and parentheses, a thread\'s schedstat', () => {
  const cpus = parseCpuTimes('cpu  1 2 3 4\ncpu0 100 0 50 800 10 0 20 5 0 0\ncpu1 1 1 1 1 0 0 0 0 0 0\n');
  assert.deepEqual(cpus.get('cpu0'), { busyMs: 1700, softirqMs: 200, stealMs: 50, idleMs: 8100 });
  assert.equal(cpus.size, 2);
  const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
  fields[1] = '77'; // ppid
  fields[11] = '30'; // utime
  fields[12] = '12'; // stime
  fields[36] = '1'; // processor
  assert.deepEqual(parseProcStat(9, `9 (npm exec (tsx) x) ${fields.join(' ')}`), { pid: 9, comm: 'npm exec (tsx) x', ppid: 77, cpuMs: 420, lastCpu: 1 });
  assert.deepEqual(parseSchedStat('4830000000 140000000 1322\n'), { runMs: 4830, waitMs: 140, slices: 1322 });
});

test('between two samples: CPU and thread deltas, and only the processes that ran, busiest first', () => {
  const cpu = (busyMs: number) => new Map([['cpu0', { busyMs, softirqMs: 0, stealMs: 0, idleMs: 0 }]]);
  const proc = (pid: number, cpuMs: number) => [pid, { pid, comm: 'x', ppid: 1, cpuMs, lastCpu: 0, allowed: '0', args: `p${pid}` }] as const;
  const a: Sample = { cpus: cpu(100), procs: new Map([proc(1, 10), proc(2, 10)]), threads: new Map([[5, { pid: 1, name: 'node', runMs: 1, waitMs: 1, slices: 1 }]]) };
  const b: Sample = { cpus: cpu(600), procs: new Map([proc(1, 10), proc(2, 40), proc(3, 90)]), threads: new Map([[5, { pid: 1, name: 'node', runMs: 401, waitMs: 21, slices: 11 }]]) };
  const w = between(a, b, 1);
  assert.equal(w.cpus[0]!.busyMs, 500);
  assert.deepEqual(w.procs.map((p) => [p.pid, p.cpuMs]), [[3, 90], [2, 30]]);
  assert.deepEqual(w.threads, [{ tid: 5, pid: 1, name: 'node', runMs: 400, waitMs: 20, slices: 10 }]);
});

test('perf sched timehist: the main thread\'s run-queue delays, and what held the core while it waited', () => {
  const text = [
    '           time    cpu  task name                       wait time  sch delay   run time',
    '                        [tid/pid]                          (msec)     (msec)     (msec)',
    '--------------- ------  ------------------------------  ---------  ---------  ---------',
    '     100.001000 [0000]  node[42]                            0.000      0.000      1.000',
    '     100.003000 [0000]  npm exec tsx be[7/7]                0.000      0.000      2.000',
    '     100.004000 [0000]  node[42]                            0.000      2.000      1.000',
    '     100.004100 [0000]  <idle>                              0.000      0.000      0.100',
    '     100.004200 [0000]  node[43/42]                         0.000      0.000      0.100',
    '     100.006200 [0000]  node[43/42]                         0.000      0.000      2.000',
    '     100.007000 [0000]  node[42]                            0.000      2.000      0.800',
  ].join('\n');
  const slices = parseTimehist(text);
  // idle time is no task's slice
  assert.equal(slices.length, 6);
  assert.deepEqual(slices[1], { end: 100.003, tid: 7, pid: 7, comm: 'npm exec tsx be', delayMs: 0, runMs: 2 });
  assert.equal(slices[3]!.pid, 42);
  const r = delays(slices, 42);
  assert.equal(r.slices, 3);
  assert.equal(r.delayMs.max, 2);
  assert.deepEqual(r.over, [{ ms: 0.5, count: 2 }, { ms: 1, count: 2 }, { ms: 2, count: 0 }]);
  // another process by its name; the proxy's own other thread by its id
  assert.deepEqual(r.ranInstead.map((o) => [o.comm, Math.round(o.ms * 1000) / 1000]), [['npm exec tsx be', 2], ['own thread 43', 2]]);
  assert.deepEqual(r.others.map((o) => o.comm), ['node', 'npm exec tsx be']);
  // a thread perf names by its id alone is the proxy's when the caller says so
  const bare = parseTimehist(text.replace('node[43/42]', 'node[43]').replace('node[43/42]', 'node[43]'));
  assert.deepEqual(delays(bare, 42).ranInstead.map((o) => o.comm), ['npm exec tsx be', 'node']);
  assert.deepEqual(delays(bare, 42, new Set([42, 43])).ranInstead.map((o) => o.comm), ['npm exec tsx be', 'own thread 43']);
});
