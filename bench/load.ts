// Load generators: wrk (HTTP/1.1, with a Lua script for bodies and a JSON summary), autocannon when wrk
// is absent, and h2load for HTTP/2. Each run is preceded by a discarded warm-up run of the same shape.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { runToEnd, which } from './proc.ts';
import type { LatencyTail, LoadOptions, LoadResult } from './types.ts';

export function defaultGenerator(): 'wrk' | 'autocannon' {
  return which('wrk') ? 'wrk' : 'autocannon';
}

/** Streams per HTTP/2 connection; h2load opens connections/H2_STREAMS connections so in-flight requests match. */
export const H2_STREAMS = 10;

export async function measure(o: LoadOptions): Promise<LoadResult> {
  if (o.scenario.h2) {
    if (o.warmupSec > 0) await h2load(o, o.warmupSec);
    return h2load(o, o.durationSec);
  }
  const run = o.generator === 'wrk' ? wrk : autocannon;
  if (o.warmupSec > 0) await run(o, o.warmupSec);
  return run(o, o.durationSec);
}

/** Pure: the Lua script that sets method, body and headers, and prints the summary as one JSON line. */
export function wrkScript(method: string, bodyBytes: number, headers: Readonly<Record<string, string>>): string {
  const lines = [`wrk.method = "${method}"`];
  if (bodyBytes > 0) {
    lines.push(`wrk.body = string.rep("x", ${bodyBytes})`, `wrk.headers["Content-Type"] = "application/octet-stream"`);
  }
  // wrk sets "Host" itself; a lower-case "host" would be sent as a second Host header
  for (const [k, v] of Object.entries(headers)) lines.push(`wrk.headers[${JSON.stringify(k.toLowerCase() === 'host' ? 'Host' : k)}] = ${JSON.stringify(v)}`);
  lines.push(
    'done = function(summary, latency, requests)',
    '  local e = summary.errors',
    '  io.write(string.format("WRKJSON {\\"requests\\":%d,\\"duration_us\\":%d,\\"p50_us\\":%d,\\"p99_us\\":%d,\\"errors\\":%d,\\"non2xx\\":%d}\\n",',
    '    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),',
    '    e.connect + e.read + e.write + e.timeout, e.status))',
    // More of the distribution (the tail is what issue 12 is about): more percentiles, and the share
    // of requests over each bound, found by bisecting wrk's own percentile function.
    '  local function over(us)',
    '    local lo, hi = 0, 100',
    '    if latency.max <= us then return 0 end',
    '    for _ = 1, 30 do',
    '      local mid = (lo + hi) / 2',
    '      if latency:percentile(mid) > us then hi = mid else lo = mid end',
    '    end',
    '    return 100 - hi',
    '  end',
    '  local s = {}',
    `  for i, b in ipairs({${TAIL_BOUNDS_US.join(', ')}}) do s[i] = string.format("%.4f", over(b)) end`,
    '  io.write(string.format("WRKTAIL {\\"p90_us\\":%d,\\"p999_us\\":%d,\\"p9999_us\\":%d,\\"max_us\\":%d,\\"over_pct\\":[%s]}\\n",',
    '    latency:percentile(90), latency:percentile(99.9), latency:percentile(99.99), latency.max, table.concat(s, ",")))',
    'end',
  );
  return lines.join('\n') + '\n';
}

/** The bounds (µs) wrk reports the share of requests over. */
export const TAIL_BOUNDS_US: readonly number[] = [500, 1000, 2000, 4000, 8000];

/** Pure: the WRKTAIL line, when the script printed one. */
export function parseWrkTail(stdout: string): LatencyTail | undefined {
  const line = stdout.split('\n').find((l) => l.startsWith('WRKTAIL '));
  if (line === undefined) return undefined;
  const j = JSON.parse(line.slice('WRKTAIL '.length)) as Record<string, unknown>;
  const over = Array.isArray(j.over_pct) ? j.over_pct.map(Number) : [];
  const us = (k: string): number => num(j as Record<string, number>, k) / 1000;
  return {
    p90Ms: us('p90_us'),
    p999Ms: us('p999_us'),
    p9999Ms: us('p9999_us'),
    maxMs: us('max_us'),
    over: TAIL_BOUNDS_US.map((b, i) => ({ ms: b / 1000, percent: over[i] ?? 0 })),
  };
}

/** Pure: a tail as one line (percentiles, and the share of requests over 1, 2 and 4 ms). */
export function formatTail(r: LoadResult): string {
  const t = r.tail;
  if (t === undefined) return '';
  const share = (ms: number): string => `>${ms} ms ${(t.over.find((o) => o.ms === ms)?.percent ?? 0).toFixed(2)}%`;
  return `p50 ${r.p50Ms.toFixed(3)} p90 ${t.p90Ms.toFixed(3)} p99 ${r.p99Ms.toFixed(3)} p99.9 ${t.p999Ms.toFixed(3)} p99.99 ${t.p9999Ms.toFixed(3)} max ${t.maxMs.toFixed(2)} ms; ${[1, 2, 4].map(share).join(', ')}`;
}

/** Pure: reads the JSON line the wrk script prints. */
export function parseWrk(stdout: string): LoadResult {
  const line = stdout.split('\n').find((l) => l.startsWith('WRKJSON '));
  if (!line) throw new Error(`wrk printed no summary:\n${stdout.slice(-2000)}`);
  const j = JSON.parse(line.slice('WRKJSON '.length)) as Record<string, number>;
  const seconds = num(j, 'duration_us') / 1e6;
  const tail = parseWrkTail(stdout);
  return {
    generator: 'wrk',
    requests: num(j, 'requests'),
    seconds,
    rps: seconds > 0 ? num(j, 'requests') / seconds : 0,
    p50Ms: num(j, 'p50_us') / 1000,
    p99Ms: num(j, 'p99_us') / 1000,
    errors: num(j, 'errors'),
    non2xx: num(j, 'non2xx'),
    ...(tail === undefined ? {} : { tail }),
  };
}

async function wrk(o: LoadOptions, seconds: number): Promise<LoadResult> {
  const script = join(o.workDir, 'wrk.lua');
  writeFileSync(script, wrkScript(o.scenario.method, o.scenario.bodyBytes, o.headers));
  const secs = Math.max(1, Math.round(seconds));
  const out = await runToEnd(which('wrk') ?? 'wrk', ['-t1', `-c${o.connections}`, `-d${secs}s`, '--timeout', '10s', '-s', script, o.url], {
    cpus: o.cpus,
    timeoutMs: secs * 1000 + 30_000,
  });
  return parseWrk(out);
}

/** Pure: reads autocannon's --json output (latencies in ms). */
export function parseAutocannon(stdout: string): LoadResult {
  const start = stdout.indexOf('{');
  if (start < 0) throw new Error(`autocannon printed no JSON:\n${stdout.slice(-2000)}`);
  const j = JSON.parse(stdout.slice(start)) as {
    requests: { total: number };
    latency: { p50: number; p99: number };
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
  };
  return {
    generator: 'autocannon',
    requests: j.requests.total,
    seconds: j.duration,
    rps: j.duration > 0 ? j.requests.total / j.duration : 0,
    p50Ms: j.latency.p50,
    p99Ms: j.latency.p99,
    errors: j.errors + j.timeouts,
    non2xx: j.non2xx,
  };
}

async function autocannon(o: LoadOptions, seconds: number): Promise<LoadResult> {
  const bin = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
  const args = [bin, '-c', String(o.connections), '-d', String(Math.max(1, Math.round(seconds))), '-j', '-t', '10'];
  args.push('-m', o.scenario.method);
  if (o.scenario.bodyBytes > 0) {
    const body = join(o.workDir, 'body.bin');
    writeFileSync(body, Buffer.alloc(o.scenario.bodyBytes, 'x'));
    args.push('-i', body, '-H', 'content-type=application/octet-stream');
  }
  for (const [k, v] of Object.entries(o.headers)) args.push('-H', `${k}=${v}`);
  args.push(o.url);
  const out = await runToEnd(process.execPath, args, { cpus: o.cpus, timeoutMs: seconds * 1000 + 30_000 });
  return parseAutocannon(out);
}

/** Pure: reads h2load's summary and its per-request log (start, status, duration in µs) for percentiles. */
export function parseH2load(stdout: string, log: string): LoadResult {
  const fin = /finished in ([\d.]+)(m?s), ([\d.]+) req\/s/.exec(stdout);
  const reqs = /requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/.exec(stdout);
  const codes = /status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/.exec(stdout);
  if (!fin || !reqs || !codes) throw new Error(`h2load printed no summary:\n${stdout.slice(-2000)}`);
  const durations = log
    .split('\n')
    .map((l) => Number(l.split('\t')[2]))
    .filter((n) => Number.isFinite(n) && n > 0)
    .sort((a, b) => a - b);
  const pct = (p: number): number => (durations.length ? durations[Math.min(durations.length - 1, Math.floor((p / 100) * durations.length))]! / 1000 : 0);
  const seconds = Number(fin[1]) / (fin[2] === 'ms' ? 1000 : 1);
  return {
    generator: 'h2load',
    requests: Number(reqs[4]),
    seconds,
    rps: Number(fin[3]),
    p50Ms: pct(50),
    p99Ms: pct(99),
    // "failed" counts errored and timed-out requests (and streams that never finished)
    errors: Number(reqs[5]),
    non2xx: Number(codes[3]) + Number(codes[4]),
  };
}

async function h2load(o: LoadOptions, seconds: number): Promise<LoadResult> {
  const bin = which('h2load');
  if (!bin) throw new Error('h2load is not installed (Debian package nghttp2-client; run `npm run bench:setup`)');
  const log = join(o.workDir, 'h2load.log');
  writeFileSync(log, '');
  const clients = Math.max(1, Math.round(o.connections / H2_STREAMS));
  const args = ['-t', '1', '-c', String(clients), '-m', String(H2_STREAMS), '-D', String(Math.max(1, Math.round(seconds))), `--log-file=${log}`];
  if (o.h2Body !== undefined) {
    const body = join(o.workDir, 'h2-body.bin');
    writeFileSync(body, o.h2Body);
    args.push('-d', body);
  }
  for (const [k, v] of Object.entries(o.headers)) args.push('-H', `${k.toLowerCase() === 'host' ? ':authority' : k}: ${v}`);
  args.push(o.url);
  const out = await runToEnd(bin, args, { cpus: o.cpus, timeoutMs: seconds * 1000 + 30_000 });
  return parseH2load(out, readFileSync(log, 'utf8'));
}

function num(j: Record<string, number>, k: string): number {
  const v = j[k];
  if (typeof v !== 'number') throw new Error(`load summary lacks "${k}"`);
  return v;
}
