// Child processes of the harness: spawn (pinned with taskset where it exists), wait for ports,
// and stop every process that was started, also on SIGINT/SIGTERM.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const running = new Set<ChildProcess>();

/** Finds an executable on PATH (and in the sbin dirs, where Debian puts nginx and haproxy). */
export function which(cmd: string): string | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter).concat(['/usr/sbin', '/sbin', '/usr/local/sbin']);
  for (const d of dirs) {
    if (!d) continue;
    const p = join(d, cmd);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here; try the next directory
    }
  }
  return undefined;
}

/** taskset only helps when there are at least two CPUs to keep the generator and the proxy apart. */
export function pinningAvailable(cpuCount: number): boolean {
  return cpuCount >= 2 && which('taskset') !== undefined;
}

export interface SpawnOptions {
  readonly cpus: string | undefined;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** keep stdout in memory (for load generators); otherwise it is discarded */
  readonly captureStdout?: boolean;
}

export interface Child {
  readonly proc: ChildProcess;
  readonly pid: number;
  /** stdout so far (when captured) */
  stdout(): string;
  /** stderr so far (last 64 KiB), for error messages */
  stderr(): string;
  /** resolves with the exit code (or signal name) */
  readonly exited: Promise<number | string>;
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

export function start(cmd: string, args: readonly string[], opts: SpawnOptions): Child {
  const [file, argv] = opts.cpus !== undefined && which('taskset') ? ['taskset', ['-c', opts.cpus, cmd, ...args]] : [cmd, [...args]];
  const proc = spawn(file, argv, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', opts.captureStdout ? 'pipe' : 'ignore', 'pipe'] });
  running.add(proc);
  let out = '';
  let err = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
    if (err.length > 65536) err = err.slice(-65536);
  });
  const exited = new Promise<number | string>((resolve) => {
    proc.on('exit', (code, signal) => {
      running.delete(proc);
      resolve(code ?? signal ?? 'unknown');
    });
    proc.on('error', (e) => {
      running.delete(proc);
      err += String(e);
      resolve('spawn-error');
    });
  });
  const stop = async (signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<void> => {
    if (proc.exitCode !== null || proc.signalCode !== null || proc.pid === undefined) return;
    proc.kill(signal);
    const t = setTimeout(() => proc.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(t);
  };
  return { proc, pid: proc.pid ?? -1, stdout: () => out, stderr: () => err, exited, stop };
}

/**
 * Pins this harness to `cpu`: this process, the npm/npx/tsx launchers that started it, and what they
 * run beside it (tsx's esbuild service), each with all its threads. Unpinned, they share the proxy's
 * core with it (bench/README.md, "Where the small-GET tail comes from"). Processes started later
 * inherit the pinning; contenders and generators are pinned by `start` to their own CPUs anyway.
 */
export function pinHarness(cpu: string): number[] {
  const taskset = which('taskset');
  if (taskset === undefined) return [];
  const parentOf = (pid: number): number | undefined => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      return undefined;
    }
  };
  // A launcher above the harness: npm/npx (retitled "npm exec …", or node running npm-cli.js) or the
  // tsx CLI. Not any node process: a test that runs the harness must not pin itself.
  const isLauncher = (pid: number): boolean => {
    try {
      const [exe = '', script = ''] = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (/^(\S*\/)?(npm|npx|tsx)( |$)/.test(exe)) return true;
      return /(^|\/)node$/.test(exe) && /(\/\.bin\/(tsx|npm|npx)|\/tsx\/dist\/cli\.m?js|np[mx]-cli\.js)$/.test(script);
    } catch {
      return false;
    }
  };

  const chain = [process.pid];
  for (let p = parentOf(process.pid); p !== undefined && p > 1 && isLauncher(p); p = parentOf(p)) chain.push(p);
  const pids = new Set(chain);
  // what the chain runs beside this process (tsx's esbuild service), but not other work of the shell above
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const parent = parentOf(Number(e));
    if (parent !== undefined && chain.includes(parent) && ![...running].some((c) => c.pid === Number(e))) pids.add(Number(e));
  }
  const done: number[] = [];
  for (const pid of pids) if (spawnSync(taskset, ['-a', '-p', '-c', cpu, String(pid)], { stdio: 'ignore' }).status === 0) done.push(pid);
  return done;
}

/** Runs a command to completion (bounded), returning stdout; throws with stderr on failure. */
export async function runToEnd(cmd: string, args: readonly string[], opts: SpawnOptions & { timeoutMs: number }): Promise<string> {
  const c = start(cmd, args, { ...opts, captureStdout: true });
  const timer = setTimeout(() => void c.stop('SIGKILL'), opts.timeoutMs);
  const code = await c.exited;
  clearTimeout(timer);
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${code}: ${c.stderr().trim().slice(-2000)}`);
  return c.stdout();
}

/** Synchronous kill of everything still running: the last resort on exit and signals. */
export function killAll(): void {
  for (const p of running) {
    try {
      p.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  running.clear();
}

/**
 * SIGTERM first, so an nginx or HAProxy master takes its workers down with it (SIGKILL would orphan them),
 * then SIGKILL whatever is left after two seconds.
 */
async function stopAllThenExit(code: number): Promise<void> {
  const children = [...running];
  for (const p of children) p.kill('SIGTERM');
  const deadline = Date.now() + 2000;
  while (Date.now() < deadline && children.some((p) => p.exitCode === null && p.signalCode === null)) await sleep(50);
  killAll();
  process.exit(code);
}

let hooked = false;
/** Installs exit and signal handlers once, so no child outlives the harness. */
export function stopChildrenOnExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => void stopAllThenExit(130));
  }
}

/** A free TCP port on 127.0.0.1 (bound then released; the small race is acceptable for a bench). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Waits until a TCP connect to 127.0.0.1:port succeeds, or throws after timeoutMs. */
export async function waitForPort(port: number, timeoutMs: number, child?: Child): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (child && (child.proc.exitCode !== null || child.proc.signalCode !== null)) {
      throw new Error(`process exited before listening on ${port}: ${child.stderr().trim().slice(-2000)}`);
    }
    if (Date.now() > deadline) throw new Error(`nothing listened on 127.0.0.1:${port} within ${timeoutMs} ms`);
    await sleep(50);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Resident set size of a process in bytes (Linux /proc), plus its direct children when asked. */
export function rssBytes(pid: number, withChildren = false): number | undefined {
  const own = rssOf(pid);
  if (own === undefined || !withChildren) return own;
  let total = own;
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      // field 4 of /proc/PID/stat is the parent pid; the command name (field 2) may hold spaces, so split after ")"
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) total += rssOf(Number(e)) ?? 0;
    } catch {
      // the process ended while we looked
    }
  }
  return total;
}

function rssOf(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
