// `node --max-semi-space-size=64 --import tsx bench/log-alloc.ts [--modes off,json,json-file,json-string,template] [--rounds 4] [--requests 10000] [--sites] [--time-record]`:
// what the access log allocates per request, with measures a busy machine does not distort, and the
// CPU time per request (gateway and client: a busy machine does distort it, so compare the modes round by round). One
// in-process gateway (the real fast path, request ids on as `serve` has them) forwards small GETs
// from a real keep-alive client (raw sockets, 8 connections) to the bench upstream; rounds go
// through the modes in turn in the same process: no log, the JSON log (to /dev/null), the JSON
// log to a real file (json-file: the kernel's copy into the page cache counted), the JSON log kept on its string road (every line built as a string, as lines with something to escape
// are), Envoy's default template. Per round: heap bytes allocated per request (used-heap growth
// over windows of 200 requests in which no GC ran: the client's share is the same in every mode,
// so the difference is the log's) and scavenges per 100k requests (this depends on the young
// generation's size: run without --max-semi-space-size for the default's). --sites samples
// allocations (V8's sampling heap profiler, every ~128 bytes) with no log and with the second
// mode, and prints the sites whose bytes per request differ. --time-record times each record() call
// in the gateway (wall clock, two clock reads around it, which add ~45 B per request to the heap
// figure; percentiles per round): the line's cost where
// it runs, between the parser and the socket writes, against bench/log-line-cost.ts's loop.
import { Session } from 'node:inspector';
import fs from 'node:fs';
import net from 'node:net';
import { devNull, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver, constants as perfConstants } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import { Gateway } from '../src/gateway.ts';
import { silentLogger } from '../src/log.ts';
import { AccessLog } from '../src/observe/access-log.ts';
import { ENVOY_DEFAULT_FORMAT, compileFormat, jsonLine } from '../src/observe/access-log-format.ts';
import { RequestIds } from '../src/observe/request-id.ts';
import { FileSource } from '../src/sources/file.ts';
import { defaultTranslateOptions } from '../src/translate/options.ts';
import { writeScenarioConfig } from './ingress-gen.ts';
import { stopChildrenOnExit } from './proc.ts';
import { defaultUpstreamKind, startUpstream } from './upstream.ts';

const { values } = parseArgs({
  options: {
    modes: { type: 'string', default: 'off,json,json-string,template' },
    rounds: { type: 'string', default: '4' },
    requests: { type: 'string', default: '10000' },
    connections: { type: 'string', default: '8' },
    sites: { type: 'boolean', default: false },
    'time-record': { type: 'boolean', default: false },
  },
});
const rounds = Number(values.rounds);
const perRound = Number(values.requests);
const connections = Number(values.connections);
const WINDOW = 200;

stopChildrenOnExit();
const workDir = fs.mkdtempSync(join(tmpdir(), 'sluice-log-alloc-'));
const upstream = await startUpstream(defaultUpstreamKind(), undefined, workDir);
const host = writeScenarioConfig(join(workDir, 'config'), false, upstream.portA, upstream.portB);
const MODES = {
  off: () => undefined,
  json: () => new AccessLog(compileFormat('json'), fs.openSync(devNull, 'a'), true),
  // The same to a real file (the kernel's copy into the page cache counts too).
  'json-file': () => new AccessLog(compileFormat('json'), fs.openSync(join(workDir, 'access.log'), 'a'), true),
  // Not the JSON format itself, so the log takes the string road with every line.
  'json-string': () => new AccessLog((e) => jsonLine(e), fs.openSync(devNull, 'a'), true),
  template: () => new AccessLog(compileFormat(ENVOY_DEFAULT_FORMAT), fs.openSync(devNull, 'a'), true),
} satisfies Record<string, () => AccessLog | undefined>;
type Mode = keyof typeof MODES;
const modes = values.modes!.split(',') as Mode[];
const bad = modes.find((m) => !(m in MODES));
if (bad !== undefined) throw new Error(`--modes: unknown mode ${bad}`);
const logs = new Map(modes.map((m) => [m, MODES[m]()]));

/** record() call times (ms) of the round under way, for --time-record. */
const took = { n: 0, ms: new Float64Array(1 << 17) };
if (values['time-record']) {
  for (const l of logs.values()) {
    if (l === undefined) continue;
    const record = l.record.bind(l);
    l.record = (x, status, outcome, endedAt) => {
      const t0 = performance.now();
      record(x, status, outcome, endedAt);
      if (took.n < took.ms.length) took.ms[took.n++] = performance.now() - t0;
    };
  }
}

/** p10/p50/p90 of the round's record() times, less one clock read (the two reads' share), in µs. */
function recordTimes(): string {
  const a = took.ms.slice(0, took.n).sort();
  // The fastest of a few batches: a batch the machine interrupted says nothing about the clock.
  let clock = Infinity;
  for (let b = 0; b < 20; b++) {
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) performance.now();
    clock = Math.min(clock, (performance.now() - t0) / 1000);
  }
  const q = (f: number): string => ((a[Math.floor((a.length - 1) * f)]! - clock) * 1000).toFixed(2);
  return `record() ${q(0.1)}/${q(0.5)}/${q(0.9)} us (p10/p50/p90)`;
}
const gw = await Gateway.start({
  source: new FileSource({ dir: join(workDir, 'config'), watch: false }),
  translate: defaultTranslateOptions,
  http: { host: '127.0.0.1', port: 0 },
  log: silentLogger(),
  processMetrics: false,
  drainTimeout: 1000,
  requestIds: new RequestIds(true),
});

let gcs = 0;
let lastGcAt = 0;
const gcObserver = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    lastGcAt = Math.max(lastGcAt, e.startTime + e.duration);
    if ((e as unknown as { detail?: { kind?: number } }).detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MINOR) gcs++;
  }
});
gcObserver.observe({ entryTypes: ['gc'] });

/** One keep-alive connection sending GETs one after another; `next()` sends one and resolves on its whole response. */
class Client {
  readonly #sock: net.Socket;
  #buf: Buffer = Buffer.alloc(0);
  #done: (() => void) | undefined;
  static readonly REQUEST = Buffer.from(`GET / HTTP/1.1\r\nHost: ${host}\r\n\r\n`);

  constructor(addr: string) {
    const i = addr.lastIndexOf(':');
    this.#sock = net.connect(Number(addr.slice(i + 1)), addr.slice(0, i));
    this.#sock.setNoDelay(true);
    this.#sock.on('data', (d: Buffer) => this.#read(d));
    this.#sock.on('error', (e) => {
      throw e;
    });
  }

  next(): Promise<void> {
    return new Promise((resolve) => {
      this.#done = resolve;
      this.#sock.write(Client.REQUEST);
    });
  }

  #read(d: Buffer): void {
    this.#buf = this.#buf.length === 0 ? d : Buffer.concat([this.#buf, d]);
    const end = this.#buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = this.#buf.subarray(0, end).toString('latin1');
    const m = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (!head.startsWith('HTTP/1.1 200') || m === null) throw new Error(`unexpected response: ${head}`);
    const total = end + 4 + Number(m[1]);
    if (this.#buf.length < total) return;
    this.#buf = this.#buf.subarray(total);
    const done = this.#done!;
    this.#done = undefined;
    done();
  }

  close(): void {
    this.#sock.destroy();
  }
}

const clients = Array.from({ length: connections }, () => new Client(gw.addresses.http!));

/** `n` requests over every connection at once. */
async function drive(n: number): Promise<void> {
  let left = n;
  await Promise.all(
    clients.map(async (c) => {
      while (left > 0) {
        left--;
        await c.next();
      }
    }),
  );
}

const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

interface Round {
  /** --time-record's percentiles, or '' */
  record: string;
  bytesPerRequest: number;
  scavengesPer100k: number;
  /** the process's CPU time (gateway and client) per request */
  cpuUsPerRequest: number;
}

async function round(mode: Mode): Promise<Round> {
  gw.dataPlane.accessLog = logs.get(mode);
  await drive(1000);
  const perWindow: number[] = [];
  const gc0 = gcs;
  took.n = 0;
  const cpu0 = process.cpuUsage();
  for (let done = 0; done < perRound; done += WINDOW) {
    const t0 = performance.now();
    const h0 = v8.getHeapStatistics().used_heap_size;
    await drive(WINDOW);
    const h1 = v8.getHeapStatistics().used_heap_size;
    // GC entries come after the fact: a window counts only if none began since it started.
    await settle();
    if (lastGcAt < t0 && h1 > h0) perWindow.push((h1 - h0) / WINDOW);
  }
  const cpu = process.cpuUsage(cpu0);
  await settle();
  perWindow.sort((a, b) => a - b);
  return { record: took.n > 0 ? `, ${recordTimes()}` : '', bytesPerRequest: perWindow[Math.floor(perWindow.length / 2)] ?? NaN, scavengesPer100k: ((gcs - gc0) * 100_000) / perRound, cpuUsPerRequest: (cpu.user + cpu.system) / perRound };
}

/** Allocation sites by bytes per request over `n` requests (sampled), for --sites. */
async function sites(mode: Mode, n: number): Promise<Map<string, number>> {
  gw.dataPlane.accessLog = logs.get(mode);
  await drive(1000);
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object): Promise<unknown> =>
    new Promise((resolve, reject) => session.post(method, params ?? {}, (err, r) => (err ? reject(err) : resolve(r))));
  await post('HeapProfiler.startSampling', { samplingInterval: 128, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  await drive(n);
  const { profile } = (await post('HeapProfiler.stopSampling')) as { profile: { head: Node } };
  session.disconnect();
  interface Node {
    callFrame: { functionName: string; url: string; lineNumber: number };
    selfSize: number;
    children: Node[];
  }
  const out = new Map<string, number>();
  const walk = (node: Node, stack: string[]): void => {
    const f = node.callFrame;
    const here = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(src|bench|node_modules)\//, '$1/')}:${f.lineNumber + 1}`;
    const path = [here, ...stack].slice(0, 2).join(' < ');
    if (node.selfSize > 0) out.set(path, (out.get(path) ?? 0) + node.selfSize / n);
    for (const c of node.children) walk(c, [here, ...stack]);
  };
  walk(profile.head, []);
  return out;
}

try {
  const results = new Map<Mode, Round[]>(modes.map((m) => [m, []]));
  for (let r = 0; r < rounds; r++) {
    // Each round in another order, so no mode always follows the same one.
    const order = r % 2 === 0 ? modes : [...modes].reverse();
    for (const m of order) {
      const res = await round(m);
      results.get(m)!.push(res);
      process.stdout.write(`round ${r} ${m.padEnd(11)}: ${res.bytesPerRequest.toFixed(0)} B/request, ${res.scavengesPer100k.toFixed(0)} scavenges per 100k requests, ${res.cpuUsPerRequest.toFixed(1)} us CPU/request${res.record}\n`);
    }
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const base = results.has('off') ? median(results.get('off')!.map((r) => r.bytesPerRequest)) : NaN;
  process.stdout.write(`medians over ${rounds} rounds of ${perRound} requests:\n`);
  const cpuBase = results.has('off') ? median(results.get('off')!.map((r) => r.cpuUsPerRequest)) : NaN;
  for (const [m, rs] of results) {
    const b = median(rs.map((r) => r.bytesPerRequest));
    const us = median(rs.map((r) => r.cpuUsPerRequest));
    const cpuExtra = m === 'off' || Number.isNaN(cpuBase) ? '' : ` (${(us / cpuBase).toFixed(3)}x)`;
    const extra = m === 'off' || Number.isNaN(base) ? '' : ` (+${(b - base).toFixed(0)} B per logged request)`;
    process.stdout.write(`  ${m.padEnd(11)} ${b.toFixed(0)} B/request${extra}, ${median(rs.map((r) => r.scavengesPer100k)).toFixed(0)} scavenges per 100k requests, ${us.toFixed(2)} us CPU/request${cpuExtra}\n`);
  }
  if (values.sites) {
    const n = 5000;
    const on = modes.find((m) => m !== 'off') ?? 'json';
    const a = await sites('off', n);
    const b = await sites(on, n);
    const keys = new Set([...a.keys(), ...b.keys()]);
    const diff = [...keys].map((k) => [k, (b.get(k) ?? 0) - (a.get(k) ?? 0)] as const).filter(([, d]) => Math.abs(d) >= 8);
    diff.sort((x, y) => Math.abs(y[1]) - Math.abs(x[1]));
    process.stdout.write(`allocation sites, ${on} minus off (sampled every ~128 B, ${n} requests each; a few tens of bytes either way is noise):\n`);
    for (const [k, d] of diff.slice(0, 30)) process.stdout.write(`${d.toFixed(0).padStart(6)} B/req  ${k}\n`);
  }
} finally {
  for (const c of clients) c.close();
  gcObserver.disconnect();
  await gw.stop();
  for (const l of logs.values()) await l?.close();
  await upstream.stop();
  fs.rmSync(workDir, { recursive: true, force: true });
}
