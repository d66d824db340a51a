// `node --import tsx bench/log-line-instr.ts [--formats off,json,template,sampled] [--lines 100000]`: machine
// instructions per access log line (record() and the line made and buffered, to /dev/null: a format's
// count above `off`, the same requests without a log), counted
// by `valgrind --tool=callgrind`, which a busy machine does not move. This file is bundled (esbuild)
// and run under valgrind twice per format: warm-up lines only, then warm-up and `--lines` more; the
// difference divided by `--lines` is the steady state's cost per line (start-up and JIT cancel out).
// `sampled` is JSON at `--access-log-sample-rate 0.01`: per request, not per line.
// The exchange is bench/log-line-cost.ts's small GET, its time, ids and byte counts changing per line,
// and its request's strings (target, authority, header list, request id) new per request as a
// parser makes them (young objects: what a copy of them into an old object pays the remembered set for).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { devNull, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AccessLog } from '../src/observe/access-log.ts';
import type { LoggedExchange } from '../src/observe/access-log-entry.ts';
import { accessLogFilter } from '../src/observe/access-log-filter.ts';
import { compileFormat, ENVOY_DEFAULT_FORMAT } from '../src/observe/access-log-format.ts';

const { values } = parseArgs({
  options: {
    formats: { type: 'string', default: 'off,json,template' },
    lines: { type: 'string', default: '100000' },
    warmup: { type: 'string', default: '30000' },
    child: { type: 'string' },
  },
});

/** Each measured log: its format, and the sample rate (`--access-log-sample-rate`) of `sampled`. */
const FORMATS: Record<string, { readonly spec: string; readonly sampleRate?: string }> = {
  // The same requests made, no log: what every other format's count has besides record() and its line.
  off: { spec: 'off' },
  json: { spec: 'json' },
  template: { spec: ENVOY_DEFAULT_FORMAT },
  sampled: { spec: 'json', sampleRate: '0.01' },
};

async function child(format: { readonly spec: string; readonly sampleRate?: string }, lines: number): Promise<void> {
  const x = {
    listener: 'http', from: 0, method: 'GET', authority: 'bench.example.com', target: '/small',
    raw: [] as string[],
    clientAddress: '127.0.0.1', grpcType: undefined, replyGrpc: false, ingress: 'bench/bench', clusterName: 'bench/bench-a:80',
    endpoint: { address: '127.0.0.1', port: 38705 } as LoggedExchange['endpoint'], decided: 'forward', requestId: '',
    startedAt: 0, bytesIn: 0, bytesOut: 20, firstByteAt: 0, split: 0,
  };
  const filter = format.sampleRate === undefined ? undefined : accessLogFilter({ sampleRate: format.sampleRate });
  const log = format.spec === 'off' ? undefined : new AccessLog(compileFormat(format.spec), fs.openSync(devNull, 'a'), true, { intervalMs: 600_000, ...(filter && { filter }) });
  // The request's bytes, its strings cut from them per request as the fast path's parser cuts them.
  const head = Buffer.from('/smallbench.example.comhostuser-agentwrk/4.2.0accept*/*', 'latin1');
  const cut = (a: number, b: number): string => head.toString('latin1', a, b);
  let t = performance.now();
  for (let i = 0; i < lines; i++) {
    if (i % 1024 === 1023) {
      log?.flush();
      await new Promise((r) => setImmediate(r));
    }
    t += 0.01;
    x.target = cut(0, 6);
    x.authority = cut(6, 23);
    x.raw = [cut(23, 27), x.authority, cut(27, 37), cut(37, 46), cut(46, 52), cut(52, 55)];
    x.startedAt = t;
    x.firstByteAt = t + 0.4;
    x.requestId = `33375048-f498-40cc-9c38-45496be${(0x100000 + (i & 0xfffff)).toString(16)}`;
    x.bytesOut = 20 + (i & 7);
    log?.record(x, 200, undefined, t + 0.9);
  }
  await log?.close();
  if (log !== undefined && log.dropped > 0) throw new Error(`${log.dropped} lines dropped: the count is wrong`);
}

if (values.child !== undefined) {
  await child(FORMATS[values.child]!, Number(values.lines));
} else {
  const lines = Number(values.lines);
  const warmup = Number(values.warmup);
  const dir = fs.mkdtempSync(join(tmpdir(), 'sluice-log-instr-'));
  const bundle = join(dir, 'log-line-instr.mjs');
  const built = spawnSync('npx', ['esbuild', import.meta.filename, '--bundle', '--platform=node', '--format=esm', `--outfile=${bundle}`, '--log-level=error',
    '--banner:js=import { createRequire } from "node:module"; const require = createRequire(import.meta.url);'], { stdio: 'inherit' });
  if (built.status !== 0) throw new Error('esbuild failed');
  const instructions = (format: string, n: number): number => {
    const out = join(dir, `callgrind.${format}.${n}`);
    const r = spawnSync('valgrind', ['--tool=callgrind', '--smc-check=all-non-file', `--callgrind-out-file=${out}`, process.execPath, '--single-threaded', bundle, '--child', format, '--lines', String(n)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`valgrind ${format} ${n}: ${r.stderr.slice(-2000)}`);
    const m = /Collected : (\d+)/.exec(r.stderr);
    if (m === null) throw new Error(`valgrind ${format} ${n}: no count in ${r.stderr.slice(-2000)}`);
    return Number(m[1]);
  };
  try {
    let off: number | undefined;
    for (const f of values.formats!.split(',')) {
      if (FORMATS[f] === undefined) throw new Error(`--formats: unknown format ${f}`);
      const base = instructions(f, warmup);
      const all = instructions(f, warmup + lines);
      const per = (all - base) / lines;
      if (f === 'off') off = per;
      const what = f === 'off' ? 'request without a log' : FORMATS[f]!.sampleRate === undefined ? 'line' : 'request';
      const above = off === undefined || f === 'off' ? '' : `, ${Math.round(per - off)} above off: record() and the line`;
      process.stdout.write(`${f}: ${Math.round(per)} instructions per ${what}${above} (${lines} past ${warmup})\n`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
