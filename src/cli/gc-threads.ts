// Whether V8 collects garbage on the main thread only. By default V8 spreads a scavenge over helper
// threads and marks and sweeps the old generation on them concurrently (Node's platform has four,
// whatever the CPUs). A gateway that can use only about one CPU gains nothing from them: pinned to one
// core, the main thread of a parallel scavenge waits for helpers that must take turns with it on that
// core, and a concurrent marker takes scheduler slices of several milliseconds from the requests in
// flight; under a CPU quota of one CPU, helper time on other cores is billed to the same quota and the
// whole process is throttled to the end of the period when it runs out. Alone, the main thread does
// the same work in shorter stops. The price is on a core other busy processes share: a thread that
// never sleeps on its helpers gets less of it from the scheduler, and quiet bench runs on a pinned
// core did not show a shorter tail: so it is opt-in (auto decides by the CPUs, 1 forces it; README).
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import v8 from 'node:v8';

/** The operator's override: 1 (or on) forces single-threaded GC, 0 (or off) or unset keeps V8's default, auto decides by the CPUs. */
export const GC_ENV = 'SLUICE_SINGLE_THREADED_GC';

export interface GcThreadsInput {
  readonly override: string | undefined;
  /** CPUs this process may run on (affinity) */
  readonly cpus: number;
  /** CPUs' worth of time the cgroup's quota allows; undefined without a quota */
  readonly quotaCpus: number | undefined;
  /** node was started with --single-threaded-gc (which nothing here can undo) */
  readonly nodeFlag?: boolean;
}

export interface GcThreads {
  readonly singleThreaded: boolean;
  /** why, for the start-up log */
  readonly reason: string;
}

/** The decision alone (no I/O); throws a message naming the variable for a value it does not know. */
export function decideGcThreads(i: GcThreadsInput): GcThreads {
  const o = (i.override ?? '').trim().toLowerCase();
  const on = o === '1' || o === 'on' || o === 'true';
  const off = o === '0' || o === 'off' || o === 'false';
  if (!on && !off && o !== '' && o !== 'auto') throw new Error(`${GC_ENV}: "${i.override}" must be 1 (on), 0 (off) or auto`);
  if (i.nodeFlag) return { singleThreaded: true, reason: 'node --single-threaded-gc' };
  if (on || off) return { singleThreaded: on, reason: `${GC_ENV}=${i.override}` };
  // Unset keeps V8's default even on one CPU: in quiet paired bench runs on a pinned core the
  // small-GET p99 was longer with GC on the main thread only (README, "One CPU per process").
  if (o === '') return { singleThreaded: false, reason: 'V8 default' };
  // Not for `--workers N` with N at least the CPUs: each worker then shares its core with the others,
  // and with whatever else runs there, where a single-threaded one gets less of it (README).
  if (i.cpus <= 1) return { singleThreaded: true, reason: 'one CPU (affinity)' };
  if (i.quotaCpus !== undefined && i.quotaCpus <= 1) return { singleThreaded: true, reason: `CPU quota of ${formatCpus(i.quotaCpus)} CPU` };
  return { singleThreaded: false, reason: `${formatCpus(Math.min(i.cpus, i.quotaCpus ?? Number.POSITIVE_INFINITY))} CPUs` };
}

const formatCpus = (n: number): string => String(Math.round(n * 100) / 100);

/**
 * The flags of V8's --single-threaded-gc that can be changed once V8 runs. --no-parallel-marking is left
 * out: set at run time it aborts the process at the next mark-compact (cppgc's marker then never joins
 * the concurrent job it started), and with concurrent marking off it matters only inside a full GC's
 * final pause. `node --single-threaded-gc` on the command line sets all of them.
 */
export const SINGLE_THREADED_GC_FLAGS = [
  '--no-parallel-scavenge',
  '--no-concurrent-marking',
  '--no-concurrent-sweeping',
  '--no-concurrent-array-buffer-sweeping',
  '--no-parallel-compaction',
  '--no-parallel-pointer-update',
] as const;

/** CPUs' worth of the cgroup CPU quota of this process (v2 cpu.max, v1 cfs_quota_us), undefined without one. */
export function cgroupQuotaCpus(read: (path: string) => string = (p) => readFileSync(p, 'utf8')): number | undefined {
  let cgroups: string;
  try {
    cgroups = read('/proc/self/cgroup');
  } catch {
    return undefined;
  }
  for (const line of cgroups.split('\n')) {
    const [, controllers, path] = line.split(':', 3) as [string, string | undefined, string | undefined];
    if (path === undefined) continue;
    // In a container without its own cgroup namespace the path is the host's, and the container's
    // cgroup is mounted at the root: then the root's files are its own.
    const dirs = path === '/' ? [''] : [path, ''];
    if (controllers === '') {
      const max = firstRead(read, dirs.map((d) => `/sys/fs/cgroup${d}/cpu.max`))?.trim().split(/\s+/);
      if (max && max[0] !== 'max') return quota(Number(max[0]), Number(max[1]));
    } else if (controllers?.split(',').includes('cpu')) {
      const dir = dirs.find((d) => tryRead(read, `/sys/fs/cgroup/cpu${d}/cpu.cfs_quota_us`) !== undefined);
      if (dir === undefined) continue;
      const q = Number(read(`/sys/fs/cgroup/cpu${dir}/cpu.cfs_quota_us`));
      if (q > 0) return quota(q, Number(tryRead(read, `/sys/fs/cgroup/cpu${dir}/cpu.cfs_period_us`) ?? Number.NaN));
    }
  }
  return undefined;
}

const quota = (q: number, period: number): number | undefined => (q > 0 && period > 0 ? q / period : undefined);

function firstRead(read: (path: string) => string, paths: readonly string[]): string | undefined {
  for (const p of paths) {
    const text = tryRead(read, p);
    if (text !== undefined) return text;
  }
  return undefined;
}

function tryRead(read: (path: string) => string, path: string): string | undefined {
  try {
    return read(path);
  } catch {
    return undefined;
  }
}

/** This process's inputs to the decision. */
export function gcThreadsInput(env: NodeJS.ProcessEnv = process.env): GcThreadsInput {
  const nodeFlag = process.execArgv.some((a) => a === '--single-threaded-gc' || a === '--single_threaded_gc');
  return { override: env[GC_ENV], cpus: availableParallelism(), quotaCpus: cgroupQuotaCpus(), nodeFlag };
}

/** What this process applied (the CLI applies it at start, v8-flags.ts); undefined in a process started otherwise. */
let applied: GcThreads | undefined;

/** Decides for this process and sets the flags; once, before the gateway allocates anything of its own. */
export function applyGcThreads(input: GcThreadsInput = gcThreadsInput()): GcThreads {
  applied = decideGcThreads(input);
  if (applied.singleThreaded) for (const flag of SINGLE_THREADED_GC_FLAGS) v8.setFlagsFromString(flag);
  return applied;
}

export const appliedGcThreads = (): GcThreads | undefined => applied;
