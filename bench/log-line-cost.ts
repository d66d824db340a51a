// `tsx bench/log-line-cost.ts [--lines 200000] [--rounds 7]`: the CPU time one access log line costs
// in-process, formatted and put in the writer's buffers (the write itself is one writev per MiB, on
// libuv's threads), for a bench-like small GET: JSON and Envoy's default template, each written
// straight into the buffer as bytes (what the log does) and built as a string then encoded into the
// buffer (the road a line with anything to escape takes; every line before). The variants run in turn,
// round after round in one process (A/B/C/A/B/C...), so a busy machine's slow spells hit them alike;
// CPU time (process.cpuUsage), median of the rounds.
import { devNull } from 'node:os';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import type { AccessEntry, LoggedExchange } from '../src/observe/access-log-entry.ts';
import { compileFormat, ENVOY_DEFAULT_FORMAT, jsonLine, lineBytesOf } from '../src/observe/access-log-format.ts';
import { LineWriter } from '../src/observe/access-log-writer.ts';

const { values } = parseArgs({ options: { lines: { type: 'string', default: '200000' }, rounds: { type: 'string', default: '7' } } });
const lines = Number(values.lines);
const rounds = Number(values.rounds);

const x = {
  listener: 'http', from: 0, method: 'GET', authority: 'bench.example.com', target: '/small',
  raw: ['host', 'bench.example.com', 'user-agent', 'wrk/4.2.0', 'accept', '*/*'],
  clientAddress: '127.0.0.1', grpcType: undefined, replyGrpc: false, ingress: 'bench/bench', clusterName: 'bench/bench-a:80',
  endpoint: { address: '127.0.0.1', port: 38705 } as LoggedExchange['endpoint'], decided: 'forward', requestId: '33375048-f498-40cc-9c38-45496bed71f6',
  startedAt: 0, bytesIn: 0, bytesOut: 20, firstByteAt: 0, split: 0,
};

type Write = (w: LineWriter, e: AccessEntry) => void;
const template = compileFormat(ENVOY_DEFAULT_FORMAT);
const jsonBytes = lineBytesOf(jsonLine)!;
const templateBytes = lineBytesOf(template)!;
const variants: [string, Write][] = [
  ['json, bytes into the buffer', (w, e) => void (jsonBytes(w, e) || w.push(jsonLine(e)))],
  ['json, string then encoded', (w, e) => w.push(jsonLine(e))],
  ['template, bytes into the buffer', (w, e) => void (templateBytes(w, e) || w.push(template(e)))],
  ['template, string then encoded', (w, e) => w.push(template(e))],
];

async function usPerLine(write: Write): Promise<number> {
  const fd = fs.openSync(devNull, 'a');
  const w = new LineWriter(fd, true, { intervalMs: 600_000 });
  let t = performance.now();
  const c0 = process.cpuUsage();
  for (let i = 0; i < lines; i++) {
    // Writes complete now and then, as a gateway's do, and their buffers come back (in one long
    // loop every line past 4 MiB was dropped before it cost anything: the measure was too low).
    if (i % 1000 === 999) await w.settled();
    t += 0.01;
    x.startedAt = t;
    x.firstByteAt = t + 0.4;
    write(w, { x, status: 200, outcome: undefined, endedAt: t + 0.9 });
  }
  const c = process.cpuUsage(c0);
  await w.close();
  if (w.dropped > 0) throw new Error(`the writer dropped ${w.dropped} lines: the measure is wrong`);
  return (c.user + c.system) / lines;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const took = variants.map((): number[] => []);
for (let r = 0; r < rounds; r++) for (const [i, [, write]] of variants.entries()) took[i]!.push(await usPerLine(write));
for (const [i, [name]] of variants.entries()) process.stdout.write(`${name}: ${median(took[i]!).toFixed(2)} us CPU per line (rounds: ${took[i]!.map((u) => u.toFixed(2)).join(' ')})\n`);
