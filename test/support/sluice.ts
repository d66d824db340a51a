// Starts the real `sluice` CLI as a child process and reads the addresses it logs.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const mainTs = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/**
 * Node's arguments that start the CLI: the build scripts/run-tests.mjs compiled from src/ once
 * ($SLUICE_TEST_CLI, with source maps so stacks name src/), or, when that is unset or empty (a file
 * run on its own, or a test of which src/ files load), the sources through tsx.
 */
export function sluiceCommand(env: NodeJS.ProcessEnv = process.env): string[] {
  const built = env.SLUICE_TEST_CLI;
  return built ? ['--enable-source-maps', built] : ['--import', 'tsx', mainTs];
}

export interface SluiceProcess {
  readonly child: ChildProcess;
  /** listener name -> host:port, from the `listening` log lines */
  readonly addresses: Record<string, string>;
  /** every stdout line so far (JSON logs) */
  readonly lines: string[];
  stderr(): string;
  /** sends SIGTERM and waits for exit (SIGKILL after the bound) */
  stop(signal?: NodeJS.Signals, boundMs?: number): Promise<number | null>;
  /** resolves with the first log line whose message matches */
  waitForLog(pred: (entry: Record<string, unknown>) => boolean, boundMs?: number): Promise<Record<string, unknown>>;
}

/**
 * `serve` without --health or --drain-delay gets a free loopback health port (never the shared
 * 0.0.0.0:9903) and no drain delay, so SIGTERM stops it at once as before.
 */
function serveTestDefaults(args: string[]): string[] {
  if (args[0] !== 'serve') return args;
  const out = [...args];
  if (!out.includes('--health')) out.push('--health', '127.0.0.1:0');
  if (!out.includes('--drain-delay')) out.push('--drain-delay', '0');
  return out;
}

/** Runs `sluice <args>` to completion and returns its output and exit code. */
export async function runSluice(args: string[], opts: { boundMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  args = serveTestDefaults(args);
  const env = { ...process.env, ...opts.env };
  const child = spawn(process.execPath, [...sluiceCommand(env), ...args], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d));
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  const timer = setTimeout(() => child.kill("SIGKILL"), opts.boundMs ?? 60_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/**
 * Starts `sluice <args>` and waits until every listener in `expect` has logged its address.
 * Always stop() it in a finally/after hook.
 */
export async function startSluice(args: string[], expect: string[] = ['http', 'local', 'admin'], opts: { boundMs?: number; env?: NodeJS.ProcessEnv; /** node flags before the script (V8 tracing) */ nodeArgs?: readonly string[]; /** run under `taskset -c CPUS` (the caller checks that taskset exists) */ cpus?: string; /** a script to run instead of sluiceCommand()'s (bin/sluice.js: the package's build, as deployed) */ entry?: string } = {}): Promise<SluiceProcess> {
  // Tests run in parallel: a gateway that does not ask for an HTTPS port gets a free one, never 8443.
  if (args[0] === 'serve' && !args.includes('--https')) args = [...args, '--https', '127.0.0.1:0'];
  args = serveTestDefaults(args);
  const env = { ...process.env, SLUICE_LOG_LEVEL: 'debug', ...opts.env };
  const node = [process.execPath, ...(opts.nodeArgs ?? []), ...(opts.entry === undefined ? sluiceCommand(env) : [opts.entry]), ...args];
  // taskset execs node: the child's pid is the gateway's
  const [file, ...argv] = opts.cpus === undefined ? node : ['taskset', '-c', opts.cpus, ...node];
  const child = spawn(file!, argv, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const addresses: Record<string, string> = {};
  const lines: string[] = [];
  const waiters = new Set<{ pred: (e: Record<string, unknown>) => boolean; resolve: (e: Record<string, unknown>) => void }>();
  let err = '';
  let buf = '';
  child.stderr!.on('data', (d: Buffer) => (err += d));
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      lines.push(line);
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      if (entry.msg === 'listening' && typeof entry.listener === 'string') addresses[entry.listener] = String(entry.address);
      for (const w of waiters) if (w.pred(entry)) { waiters.delete(w); w.resolve(entry); }
    }
  });
  const proc: SluiceProcess = {
    child,
    addresses,
    lines,
    stderr: () => err,
    async stop(signal = 'SIGTERM', boundMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), boundMs);
      const [code] = (await once(child, 'exit')) as [number | null];
      clearTimeout(timer);
      return code;
    },
    waitForLog(pred, boundMs = 10_000) {
      for (const l of lines) {
        try {
          const e = JSON.parse(l) as Record<string, unknown>;
          if (pred(e)) return Promise.resolve(e);
        } catch { /* not JSON */ }
      }
      return new Promise((resolve, reject) => {
        const w = { pred, resolve: (e: Record<string, unknown>) => { clearTimeout(t); resolve(e); } };
        const t = setTimeout(() => { waiters.delete(w); reject(new Error(`no matching log line within ${boundMs} ms; stderr: ${err}`)); }, boundMs);
        waiters.add(w);
      });
    },
  };
  const bound = opts.boundMs ?? 60_000;
  const deadline = Date.now() + bound;
  while (!expect.every((l) => addresses[l])) {
    if (child.exitCode !== null) throw new Error(`sluice exited with ${child.exitCode}: ${err}`);
    if (Date.now() > deadline) {
      await proc.stop('SIGKILL');
      throw new Error(`sluice did not log ${expect.join(', ')} within ${bound} ms; stderr: ${err}; stdout: ${lines.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return proc;
}
