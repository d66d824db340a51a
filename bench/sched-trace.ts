// The scheduler's view of the proxy's core (Linux `perf sched`, as root): every slice that ran on the
// CPU, so each time the proxy's main thread was runnable but waited for the CPU (its "sch delay") can
// be matched with what ran instead. Where perf is missing or not permitted, nothing is traced.
import { spawn, spawnSync } from 'node:child_process';
import { which } from './proc.ts';

export interface Slice {
  /** when the slice ended (s) */
  readonly end: number;
  readonly tid: number;
  readonly pid: number;
  readonly comm: string;
  /** how long it waited runnable before this slice (ms) */
  readonly delayMs: number;
  readonly runMs: number;
}

/** Pure: `perf sched timehist` lines ("time [cpu] comm[tid/pid] wait delay run"; idle has no id). */
export function parseTimehist(text: string): Slice[] {
  const out: Slice[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*([\d.]+)\s+\[(\d+)\]\s+(.*?)\[(\d+)(?:\/(\d+))?\]\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)/.exec(line);
    if (!m) continue;
    const tid = Number(m[4]);
    out.push({ end: Number(m[1]), tid, pid: m[5] === undefined ? tid : Number(m[5]), comm: m[3]!.trim(), delayMs: Number(m[7]), runMs: Number(m[8]) });
  }
  return out;
}

export interface DelayReport {
  /** the main thread's slices, and their run-queue delays */
  readonly slices: number;
  readonly delayMs: { readonly p50: number; readonly p99: number; readonly max: number; readonly total: number };
  /** main-thread delays over 0.5, 1 and 2 ms */
  readonly over: ReadonlyArray<{ readonly ms: number; readonly count: number }>;
  /** what ran on the core while the main thread waited over 0.5 ms, by command (ms, most first) */
  readonly ranInstead: ReadonlyArray<{ readonly comm: string; readonly ms: number }>;
  /** every other command's time on the core (ms), and its longest slice */
  readonly others: ReadonlyArray<{ readonly comm: string; readonly ms: number; readonly slices: number; readonly maxMs: number }>;
}

/**
 * Pure: the main thread `tid`'s waits for the core, and who held the core meanwhile. `own`: the
 * proxy's other thread ids (perf names a thread that existed before the recording by its id alone).
 */
export function delays(slices: readonly Slice[], tid: number, own: ReadonlySet<number> = new Set()): DelayReport {
  const mine = slices.filter((s) => s.tid === tid);
  const pid = mine[0]?.pid ?? tid;
  const d = mine.map((s) => s.delayMs).sort((a, b) => a - b);
  const at = (p: number): number => (d.length === 0 ? 0 : d[Math.min(d.length - 1, Math.floor((p / 100) * d.length))]!);
  const ranInstead = new Map<string, number>();
  for (const s of mine) {
    if (s.delayMs <= 0.5) continue;
    const from = s.end - (s.runMs + s.delayMs) / 1000;
    const to = s.end - s.runMs / 1000;
    for (const o of slices) {
      if (o.tid === tid) continue;
      const oFrom = o.end - o.runMs / 1000;
      const overlap = Math.min(to, o.end) - Math.max(from, oFrom);
      // the proxy's own other threads (GC helpers, a worker) by thread id: their comm is the same
      const who = o.pid === pid || own.has(o.tid) ? `own thread ${o.tid}` : o.comm;
      if (overlap > 0) ranInstead.set(who, (ranInstead.get(who) ?? 0) + overlap * 1000);
    }
  }
  const others = new Map<string, { ms: number; slices: number; maxMs: number }>();
  for (const s of slices) {
    if (s.tid === tid || s.comm === '<idle>') continue;
    const o = others.get(s.comm) ?? { ms: 0, slices: 0, maxMs: 0 };
    o.ms += s.runMs;
    o.slices++;
    o.maxMs = Math.max(o.maxMs, s.runMs);
    others.set(s.comm, o);
  }
  return {
    slices: mine.length,
    delayMs: { p50: at(50), p99: at(99), max: d.at(-1) ?? 0, total: d.reduce((a, b) => a + b, 0) },
    over: [0.5, 1, 2].map((ms) => ({ ms, count: d.filter((x) => x > ms).length })),
    ranInstead: [...ranInstead].map(([comm, ms]) => ({ comm, ms })).sort((a, b) => b.ms - a.ms),
    others: [...others].map(([comm, o]) => ({ comm, ...o })).sort((a, b) => b.ms - a.ms),
  };
}

/** Pure: the report as text. */
export function formatDelays(r: DelayReport, seconds: number, top = 8): string {
  const f = (n: number): string => n.toFixed(3);
  return [
    `  main thread on its core (perf sched, ${seconds} s): ${r.slices} slices; run-queue delay p50 ${f(r.delayMs.p50)} p99 ${f(r.delayMs.p99)} max ${f(r.delayMs.max)} ms, total ${r.delayMs.total.toFixed(1)} ms; ${r.over.map((o) => `>${o.ms} ms: ${o.count}`).join(', ')}`,
    `  ran instead while it waited >0.5 ms: ${r.ranInstead.slice(0, top).map((o) => `${o.comm} ${o.ms.toFixed(1)} ms`).join(', ') || 'nothing'}`,
    `  others on the core: ${r.others.slice(0, top).map((o) => `${o.comm} ${o.ms.toFixed(1)} ms (${o.slices} slices, longest ${o.maxMs.toFixed(2)})`).join(', ') || 'nothing'}`,
  ].join('\n');
}

/** Whether `perf sched` can trace here (perf installed and permitted). */
export function perfSchedAvailable(): boolean {
  if (which('perf') === undefined) return false;
  const r = spawnSync('perf', ['sched', 'record', '-o', '/dev/null', '--', 'true'], { stdio: 'ignore', timeout: 10_000 });
  return r.status === 0;
}

/** Records CPU `cpu`'s scheduling for `seconds` into `file`; resolves when done. */
export function recordSched(cpu: string, seconds: number, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn('perf', ['sched', 'record', '-C', cpu, '-o', file, '--', 'sleep', String(seconds)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`perf sched record exited with ${code}: ${err.slice(-500)}`))));
  });
}

/** The recorded slices (perf sched timehist). */
export function readSched(file: string): Slice[] {
  const r = spawnSync('perf', ['sched', 'timehist', '-i', file], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, timeout: 120_000 });
  if (r.status !== 0) throw new Error(`perf sched timehist failed: ${r.stderr.slice(-500)}`);
  return parseTimehist(r.stdout);
}
