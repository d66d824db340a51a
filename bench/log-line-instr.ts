// `node --import tsx bench/log-line-instr.ts [--formats json,template,sampled] [--lines 100000]`: machine
// instructions per access log line (record() and the line made and buffered, to /dev/null), counted
// by `valgrind --tool=callgrind`, which a busy machine does not move. This file is bundled (esbuild)
// and run under valgrind twice per format: warm-up lines only, then warm-up and `--lines` more; the
// difference divided by `--lines` is the steady state's cost per line (start-up and JIT cancel out).
// `sampled` is JSON at `--access-log-sample-rate 0.01`: per request, not per line.
// The exchange is bench/log-line-cost.ts's small GET, its time, ids and byte counts changing per line.
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
    formats: { type: 'string', default: 'json,template' },
    lines: { type: 'string', default: '100000' },
    warmup: { type: 'string', default: '30000' },
    child: { type: 'string' },
  },
});

/** Each measured log: its format, and the sample rate (`--access-log-sample-rate`) of `sampled`. */
const FORMATS: Record<string, { readonly spec: string; readonly sampleRate?: string }> = {
  json: { spec: 'json' },
  template: { spec: ENVOY_DEFAULT_FORMAT },
  sampled: { spec: 'json', sampleRate: '0.01' },
};

async function child(format: { readonly spec: string; readonly sampleRate?: string }, lines: number): Promise<void> {
  const x = {
    listener: 'http', from: 0, method: 'GET', authority: 'bench.example.com', target: '/small',
    raw: ['host', 'bench.example.com', 'user-agent', 'wrk/4.2.0', 'accept', '*/*'],
    clientAddress: '127.0.0.1', grpcType: undefined, replyGrpc: false, ingress: 'bench/bench', clusterName: 'bench/bench-a:80',
    endpoint: { address: '127.0.0.1', port: 38705 } as LoggedExchange['endpoint'], decided: 'forward', requestId: '',
    startedAt: 0, bytesIn: 0, bytesOut: 20, firstByteAt: 0, split: 0,
  };
  const ids = Array.from({ length: 64 }, (_, i) => `33375048-f498-40cc-9c38-45496bed7${(0x100 + i).toString(16)}`);
  const filter = format.sampleRate === undefined ? undefined : accessLogFilter({ sampleRate: format.sampleRate });
  const log = new AccessLog(compileFormat(format.spec), fs.openSync(devNull, 'a'), true, { intervalMs: 600_000, ...(filter && { filter }) });
  let t = performance.now();
  for (let i = 0; i < lines; i++) {
    if (i % 1024 === 1023) {
      log.flush();
      await new Promise((r) => setImmediate(r));
    }
    t += 0.01;
    x.startedAt = t;
    x.firstByteAt = t + 0.4;
    x.requestId = ids[i & 63]!;
    x.bytesOut = 20 + (i & 7);
    log.record(x, 200, undefined, t + 0.9);
  }
  await log.close();
  if (log.dropped > 0) throw new Error(`${log.dropped} lines dropped: the count is wrong`);
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
    for (const f of values.formats!.split(',')) {
      if (FORMATS[f] === undefined) throw new Error(`--formats: unknown format ${f}`);
      const base = instructions(f, warmup);
      const all = instructions(f, warmup + lines);
      process.stdout.write(`${f}: ${Math.round((all - base) / lines)} instructions per ${FORMATS[f]!.sampleRate === undefined ? 'line' : 'request'} (${lines} past ${warmup})\n`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
