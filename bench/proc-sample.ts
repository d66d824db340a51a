// What the machine's CPUs did over a measured window, from /proc (Linux): each CPU's busy, softirq and
// steal time, every process's CPU time and the CPUs it may run on (who shared the proxy's core), and
// each thread's run and run-queue wait time (schedstat) for the processes under test.
import { readdirSync, readFileSync } from 'node:fs';

/** USER_HZ: /proc/stat and /proc/PID/stat count in ticks of 10 ms. */
const TICK_MS = 10;

export interface CpuTimes {
  readonly busyMs: number;
  readonly softirqMs: number;
  readonly stealMs: number;
  readonly idleMs: number;
}

/** Pure: the per-CPU lines of /proc/stat ("cpu0 user nice system idle iowait irq softirq steal …"). */
export function parseCpuTimes(stat: string): Map<string, CpuTimes> {
  const out = new Map<string, CpuTimes>();
  for (const line of stat.split('\n')) {
    const m = /^(cpu\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = m[2]!.trim().split(/\s+/).map(Number);
    out.set(m[1]!, { busyMs: (user + nice + system + irq + softirq) * TICK_MS, softirqMs: softirq * TICK_MS, stealMs: steal * TICK_MS, idleMs: (idle + iowait) * TICK_MS });
  }
  return out;
}

export interface ProcTimes {
  readonly pid: number;
  readonly comm: string;
  readonly ppid: number;
  /** user + system CPU time */
  readonly cpuMs: number;
  /** the CPU it last ran on */
  readonly lastCpu: number;
}

/** Pure: /proc/PID/stat (the command name, field 2, may hold spaces and parentheses). */
export function parseProcStat(pid: number, stat: string): ProcTimes | undefined {
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  const f = stat.slice(close + 2).split(' ');
  // fields after the name, from field 3 (state): ppid is 4, utime 14, stime 15, processor 39
  return { pid, comm: stat.slice(stat.indexOf('(') + 1, close), ppid: Number(f[1]), cpuMs: (Number(f[11]) + Number(f[12])) * TICK_MS, lastCpu: Number(f[36]) };
}

export interface SchedStat {
  readonly runMs: number;
  /** time runnable but waiting for a CPU (the run queue) */
  readonly waitMs: number;
  readonly slices: number;
}

/** Pure: /proc/PID/task/TID/schedstat ("run_ns wait_ns slices"). */
export function parseSchedStat(text: string): SchedStat {
  const [run = 0, wait = 0, slices = 0] = text.trim().split(/\s+/).map(Number);
  return { runMs: run / 1e6, waitMs: wait / 1e6, slices };
}

export interface Sample {
  readonly cpus: Map<string, CpuTimes>;
  readonly procs: Map<number, ProcTimes & { readonly allowed: string; readonly args: string }>;
  /** tid → schedstat, for the watched processes' threads (name: the thread's comm) */
  readonly threads: Map<number, SchedStat & { readonly pid: number; readonly name: string }>;
}

const read = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // gone meanwhile
  }
};

/** Reads /proc now; `watch` are the pids (with their children) whose threads' schedstat is taken. */
export function sample(watch: readonly number[]): Sample {
  const cpus = parseCpuTimes(read('/proc/stat') ?? '');
  const procs: Sample['procs'] = new Map();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const pid = Number(e);
    const p = parseProcStat(pid, read(`/proc/${e}/stat`) ?? '');
    if (p === undefined) continue;
    const allowed = /Cpus_allowed_list:\s*(\S+)/.exec(read(`/proc/${e}/status`) ?? '')?.[1] ?? '?';
    const args = (read(`/proc/${e}/cmdline`) ?? '').split('\0').join(' ').trim().slice(0, 100);
    procs.set(pid, { ...p, allowed, args });
  }
  const watched = new Set(watch);
  for (const p of procs.values()) if (watched.has(p.ppid)) watched.add(p.pid);
  const threads: Sample['threads'] = new Map();
  for (const pid of watched) {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const t of tids) {
      const s = read(`/proc/${pid}/task/${t}/schedstat`);
      if (s === undefined) continue;
      threads.set(Number(t), { ...parseSchedStat(s), pid, name: (read(`/proc/${pid}/task/${t}/comm`) ?? '').trim() });
    }
  }
  return { cpus, procs, threads };
}

export interface WindowReport {
  readonly seconds: number;
  readonly cpus: ReadonlyArray<{ readonly cpu: string } & CpuTimes>;
  /** processes that used CPU in the window, most first */
  readonly procs: ReadonlyArray<{ readonly pid: number; readonly comm: string; readonly args: string; readonly allowed: string; readonly cpuMs: number }>;
  readonly threads: ReadonlyArray<{ readonly tid: number; readonly pid: number; readonly name: string } & SchedStat>;
}

/** Pure: what happened between two samples. */
export function between(a: Sample, b: Sample, seconds: number): WindowReport {
  const cpus = [...b.cpus].map(([cpu, t]) => {
    const o = a.cpus.get(cpu) ?? { busyMs: 0, softirqMs: 0, stealMs: 0, idleMs: 0 };
    return { cpu, busyMs: t.busyMs - o.busyMs, softirqMs: t.softirqMs - o.softirqMs, stealMs: t.stealMs - o.stealMs, idleMs: t.idleMs - o.idleMs };
  });
  const procs = [...b.procs.values()]
    .map((p) => ({ pid: p.pid, comm: p.comm, args: p.args, allowed: p.allowed, cpuMs: p.cpuMs - (a.procs.get(p.pid)?.cpuMs ?? 0) }))
    .filter((p) => p.cpuMs > 0)
    .sort((x, y) => y.cpuMs - x.cpuMs);
  const threads = [...b.threads].map(([tid, t]) => {
    const o = a.threads.get(tid) ?? { runMs: 0, waitMs: 0, slices: 0 };
    return { tid, pid: t.pid, name: t.name, runMs: t.runMs - o.runMs, waitMs: t.waitMs - o.waitMs, slices: t.slices - o.slices };
  });
  return { seconds, cpus, procs, threads: threads.filter((t) => t.runMs > 0 || t.waitMs > 0).sort((x, y) => y.runMs - x.runMs) };
}

/** Pure: the report as text. */
export function formatWindow(r: WindowReport, top = 8): string {
  const pct = (ms: number): string => `${((100 * ms) / (r.seconds * 1000)).toFixed(1)}%`;
  const lines = [`  CPUs: ${r.cpus.map((c) => `${c.cpu} busy ${pct(c.busyMs)} (softirq ${pct(c.softirqMs)}) steal ${pct(c.stealMs)}`).join('; ')}`];
  lines.push('  threads under test (ms run / ms waiting in the run queue / slices):');
  for (const t of r.threads) lines.push(`    ${String(t.pid).padStart(7)}/${String(t.tid).padEnd(7)} ${t.name.padEnd(16)} ${t.runMs.toFixed(0).padStart(6)} / ${t.waitMs.toFixed(1).padStart(6)} / ${t.slices}`);
  lines.push(`  processes by CPU time in the window (top ${top}; allowed CPUs):`);
  for (const p of r.procs.slice(0, top)) lines.push(`    ${p.cpuMs.toFixed(0).padStart(6)} ms  cpus ${p.allowed.padEnd(4)} ${String(p.pid).padStart(7)} ${p.args || p.comm}`);
  return lines.join('\n');
}
