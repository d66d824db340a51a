// `node --import tsx bench/log-perf-split.ts MARKS PERF_SCRIPT`: where the access log's CPU goes in
// a bench/log-paired.ts run, by window. A ratio of CPU per request moves by ±0.1 between runs on a
// loaded machine; the share of samples in the log's own frames, per request, holds still. Run:
//   node --perf-basic-prof --import tsx bench/log-paired.ts --marks /tmp/marks --before OLD_CHECKOUT \
//     --modes off,json,json-before,template,template-before --windows 6 &
//   perf record -k CLOCK_MONOTONIC -e cpu-clock -F 1999 -g -p PID -o /tmp/log.data   # until it ends
//   perf script -i /tmp/log.data -F pid,time,ip,sym > /tmp/log.txt
//   node --import tsx bench/log-perf-split.ts /tmp/marks /tmp/log.txt
// Only the gateway's process counts (perf -p follows the wrk it starts). Each sample goes to the
// window it fell in; "log" counts samples with any frame in
// src/observe/access-log* or the Immediates that made the lines (nothing else in the gateway's request
// path uses setImmediate); "rest" is the others. Samples are 1/1999 s of CPU.
import fs from 'node:fs';

const [marksFile, scriptFile] = process.argv.slice(2);
if (marksFile === undefined || scriptFile === undefined) throw new Error('usage: log-perf-split.ts MARKS PERF_SCRIPT');
const HZ = 1999;

interface Mark {
  readonly mode: string;
  readonly start: number;
  readonly end: number;
  readonly served: number;
}
const markLines = fs.readFileSync(marksFile, 'utf8').split('\n').filter(Boolean);
// The first line is `pid N`: the process whose samples count.
const pid = markLines.shift()?.split(' ')[1];
if (pid === undefined) throw new Error(`${marksFile}: no pid line`);
const marks: Mark[] = markLines.map((l) => {
    const [mode, start, end, served] = l.split(' ') as [string, string, string, string];
    return { mode, start: Number(start) / 1e9, end: Number(end) / 1e9, served: Number(served) };
  });
const LOG = /src\/observe\/access-log|setImmediate|processImmediate/;

const samples = new Map<string, { log: number; rest: number }>();
let at = 0;
for (const block of fs.readFileSync(scriptFile, 'utf8').split('\n\n')) {
  const lines = block.trim().split('\n');
  const [who, when] = (lines[0] ?? '').trim().split(/\s+/);
  const t = Number.parseFloat(when ?? '');
  if (who !== pid || !Number.isFinite(t)) continue;
  // perf script prints samples in time order.
  while (at < marks.length && marks[at]!.end < t) at++;
  const m = marks[at];
  if (m === undefined || t < m.start) continue;
  const s = samples.get(m.mode) ?? { log: 0, rest: 0 };
  if (lines.slice(1).some((f) => LOG.test(f))) s.log++;
  else s.rest++;
  samples.set(m.mode, s);
}
const served = new Map<string, number>();
for (const m of marks) served.set(m.mode, (served.get(m.mode) ?? 0) + m.served);
for (const [mode, n] of served) {
  const s = samples.get(mode) ?? { log: 0, rest: 0 };
  const us = (k: number): string => ((k * 1e6) / HZ / n).toFixed(2);
  process.stdout.write(`${mode.padEnd(16)} ${n} requests: ${us(s.log + s.rest)} us CPU/req, the log's own code ${us(s.log)} (${s.log} samples), the rest ${us(s.rest)}\n`);
}
