// Sluice's data plane: `sluice serve` on a generated file-mode config, ready when admin /ready answers 200.
// startSluice is also what the scale, workers and profile runs use.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, sleep, start, waitForPort, type Child } from '../proc.ts';
import { writeScenarioConfig } from '../ingress-gen.ts';
import { staleBuild } from '../stale-build.ts';
import type { Contender } from '../types.ts';

const BIN = fileURLToPath(new URL('../../bin/sluice.js', import.meta.url));

export interface SluiceOptions {
  readonly configDir: string;
  readonly cpus: string | undefined;
  /** `--workers N`; undefined: the flag is not passed */
  readonly workers?: number;
  /** write a V8 CPU profile here on exit (`node --cpu-prof`) */
  readonly cpuProfDir?: string;
  /** more `node` flags (`--trace-gc`, `--heap-prof`) */
  readonly nodeArgs?: readonly string[];
  /** how long the first snapshot may take (the scale run reads 10,000 ingresses) */
  readonly readyTimeoutMs: number;
  /** the `bin/sluice.js` to run (default: this checkout's) */
  readonly bin?: string;
  /** more `serve` flags (the gateway-route run's --gateway-address and --port-offset) */
  readonly extraArgs?: readonly string[];
}

export interface SluiceProcess {
  readonly httpPort: number;
  readonly adminPort: number;
  readonly pid: number;
  readonly child: Child;
  /** ms from spawn to admin /ready answering 200 */
  readonly readyMs: number;
  /** the `version` of admin /config */
  configVersion(): Promise<string>;
  stop(): Promise<void>;
}

let probe: string | undefined | null = null;
/** Why `sluice serve` cannot run here (not built yet, or the command fails), cached after the first look. */
export function sluiceUnavailable(): string | undefined {
  if (probe !== null) return probe;
  if (!existsSync(fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url)))) return (probe = 'src/cli/main.ts does not exist yet');
  const r = spawnSync(process.execPath, [BIN, 'serve', '--help'], { encoding: 'utf8', timeout: 30_000 });
  probe = r.status === 0 && /--config/.test(r.stdout) ? undefined : `\`sluice serve --help\` failed: ${(r.stderr || r.stdout).trim().split('\n')[0] ?? ''}`;
  return probe;
}

/** Does this build of `sluice serve` take `--workers`? */
export function sluiceHasWorkers(): boolean {
  const r = spawnSync(process.execPath, [BIN, 'serve', '--help'], { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0 && /--workers/.test(r.stdout);
}

export async function startSluice(o: SluiceOptions): Promise<SluiceProcess> {
  const stale = staleBuild(dirname(dirname(o.bin ?? BIN)));
  if (stale !== undefined) throw new Error(stale);
  const [httpPort, localPort, adminPort] = [await freePort(), await freePort(), await freePort()];
  const nodeArgs = [...(o.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${o.cpuProfDir}`] : []), ...(o.nodeArgs ?? [])];
  const args = [...nodeArgs, o.bin ?? BIN, 'serve', '--config', o.configDir, '--http', `127.0.0.1:${httpPort}`, '--local', `127.0.0.1:${localPort}`, '--admin', `127.0.0.1:${adminPort}`,
    // A port of its own: the default 0.0.0.0:8443 may be taken on a shared machine, and no scenario uses TLS.
    '--https', '127.0.0.1:0', '--log-level', 'warn'];
  if (o.workers !== undefined) args.push('--workers', String(o.workers));
  if (o.extraArgs !== undefined) args.push(...o.extraArgs);
  // This checkout's serve has a health port (default 0.0.0.0:9903, which parallel runs would share)
  // and a drain delay (5 s on every stop); a baseline checkout may predate both flags.
  if (o.bin === undefined) args.push('--health', '127.0.0.1:0', '--drain-delay', '0');
  const t0 = performance.now();
  const child = start(process.execPath, args, { cpus: o.cpus, env: { ...process.env, NODE_ENV: 'production' }, captureStdout: o.nodeArgs !== undefined });
  const stop = (): Promise<void> => child.stop('SIGTERM', 15_000);
  try {
    await waitForPort(adminPort, o.readyTimeoutMs, child);
    await waitReady(adminPort, t0 + o.readyTimeoutMs, child);
  } catch (e) {
    await stop();
    throw e;
  }
  const readyMs = performance.now() - t0;
  const configVersion = async (): Promise<string> => {
    const r = await fetch(`http://127.0.0.1:${adminPort}/config`);
    const j = (await r.json()) as { version?: unknown };
    return String(j.version);
  };
  return { httpPort, adminPort, pid: child.pid, child, readyMs, configVersion, stop };
}

async function waitReady(adminPort: number, deadline: number, child: Child): Promise<void> {
  for (;;) {
    try {
      const r = await fetch(`http://127.0.0.1:${adminPort}/ready`);
      await r.arrayBuffer();
      if (r.status === 200) return;
    } catch {
      // admin not answering yet
    }
    if (child.proc.exitCode !== null || child.proc.signalCode !== null) throw new Error(`sluice exited before ready: ${child.stderr().trim().slice(-2000)}`);
    if (performance.now() > deadline) throw new Error(`sluice was not ready in time: ${child.stderr().trim().slice(-2000)}`);
    await sleep(50);
  }
}

function sluiceContender(name: 'sluice' | 'sluice-baseline', bin: string | undefined, unavailable: () => string | undefined): Contender {
  return {
    name,
    nodePeer: false,
    unavailable,
    unsupported: () => undefined,
    async start(upstream, scenario, opts) {
      const configDir = join(opts.workDir, `${name}-config`);
      mkdirSync(configDir, { recursive: true });
      const host = writeScenarioConfig(configDir, scenario.split, upstream.portA, upstream.portB);
      const s = await startSluice({ configDir, cpus: opts.cpus, readyTimeoutMs: 60_000, ...(bin ? { bin } : {}) });
      await waitForPort(s.httpPort, 5_000, s.child);
      return { url: `http://127.0.0.1:${s.httpPort}${scenario.path}`, headers: { host }, pid: s.pid, stop: s.stop };
    },
  };
}

export const sluice: Contender = sluiceContender('sluice', undefined, sluiceUnavailable);

/**
 * Another checkout of Sluice (`SLUICE_BASELINE=DIR`, e.g. a `git worktree` of the last release), run
 * in the same rounds as this one: before/after numbers from one run instead of two runs' noise.
 */
const baselineDir = process.env.SLUICE_BASELINE;
export const sluiceBaseline: Contender = sluiceContender('sluice-baseline', baselineDir ? join(baselineDir, 'bin/sluice.js') : undefined, () =>
  baselineDir === undefined ? 'set SLUICE_BASELINE=DIR (another checkout of Sluice, with its node_modules) to compare against it' : existsSync(join(baselineDir, 'bin/sluice.js')) ? undefined : `${baselineDir}/bin/sluice.js does not exist`,
);
