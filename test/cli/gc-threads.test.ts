// V8's GC on the main thread only when the gateway has about one CPU: the decision (affinity, CPU
// quota, the SLUICE_SINGLE_THREADED_GC override), the flags taking effect in a real
// process (its helper threads' CPU time), and `sluice serve` reporting it at start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cgroupQuotaCpus, decideGcThreads } from '../../src/cli/gc-threads.ts';
import { runSluice, startSluice } from '../support/sluice.ts';

const run = promisify(execFile);
const hasTaskset = await run('taskset', ['-p', String(process.pid)]).then(() => true, () => false);
const noTaskset = hasTaskset ? false : 'taskset is not installed: cannot pin a child to one CPU';

test('single-threaded GC: off unless asked; auto turns it on for one CPU by affinity or quota; the override wins', () => {
  // Unset keeps V8's default even on one CPU: quiet paired bench runs had a longer small-GET p99 with it on.
  assert.deepEqual(decideGcThreads({ override: undefined, cpus: 1, quotaCpus: 0.5 }), { singleThreaded: false, reason: 'V8 default' });
  assert.deepEqual(decideGcThreads({ override: '', cpus: 1, quotaCpus: undefined }), { singleThreaded: false, reason: 'V8 default' });
  const d = (o: Partial<Parameters<typeof decideGcThreads>[0]>) => decideGcThreads({ override: 'auto', cpus: 4, quotaCpus: undefined, ...o });
  assert.deepEqual(d({ cpus: 1 }), { singleThreaded: true, reason: 'one CPU (affinity)' });
  assert.deepEqual(d({ quotaCpus: 1 }), { singleThreaded: true, reason: 'CPU quota of 1 CPU' });
  assert.deepEqual(d({ quotaCpus: 0.5 }), { singleThreaded: true, reason: 'CPU quota of 0.5 CPU' });
  assert.equal(d({ quotaCpus: 1.5 }).singleThreaded, false);
  assert.equal(d({}).singleThreaded, false);
  assert.deepEqual(d({ quotaCpus: 2 }), { singleThreaded: false, reason: '2 CPUs' });
  assert.deepEqual(d({ cpus: 1, override: '0' }), { singleThreaded: false, reason: 'SLUICE_SINGLE_THREADED_GC=0' });
  assert.deepEqual(d({ override: 'on' }), { singleThreaded: true, reason: 'SLUICE_SINGLE_THREADED_GC=on' });
  assert.equal(d({ cpus: 1, override: 'auto' }).singleThreaded, true);
  // started as `node --single-threaded-gc`: so it is, whatever was asked
  assert.deepEqual(d({ nodeFlag: true, override: '0' }), { singleThreaded: true, reason: 'node --single-threaded-gc' });
  assert.throws(() => d({ override: 'yes please' }), /SLUICE_SINGLE_THREADED_GC: "yes please" must be 1 \(on\), 0 \(off\) or auto/);
});

test('the CPU quota is read from cgroup v2 cpu.max or v1 cfs_quota_us of the process\'s own cgroup, or of the mount\'s root in a container without a cgroup namespace', () => {
  const files = (m: Record<string, string>) => (p: string) => {
    if (m[p] === undefined) throw new Error(`ENOENT ${p}`);
    return m[p];
  };
  assert.equal(cgroupQuotaCpus(files({ '/proc/self/cgroup': '0::/kubepods/pod1/c1\n', '/sys/fs/cgroup/kubepods/pod1/c1/cpu.max': '100000 100000\n' })), 1);
  assert.equal(cgroupQuotaCpus(files({ '/proc/self/cgroup': '0::/\n', '/sys/fs/cgroup/cpu.max': '50000 100000\n' })), 0.5);
  assert.equal(cgroupQuotaCpus(files({ '/proc/self/cgroup': '0::/\n', '/sys/fs/cgroup/cpu.max': 'max 100000\n' })), undefined);
  assert.equal(cgroupQuotaCpus(files({ '/proc/self/cgroup': '4:memory:/x\n2:cpu,cpuacct:/docker/abc\n0::/\n', '/sys/fs/cgroup/cpu/docker/abc/cpu.cfs_quota_us': '200000\n', '/sys/fs/cgroup/cpu/docker/abc/cpu.cfs_period_us': '100000\n' })), 2);
  assert.equal(cgroupQuotaCpus(files({ '/proc/self/cgroup': '2:cpu,cpuacct:/\n', '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1\n' })), undefined);
  // no cgroup namespace: the host's path in /proc/self/cgroup, the container's cgroup mounted at the root
  assert.equal(cgroupQuotaCpus(files({ '/proc/self/cgroup': '0::/system.slice/docker-abc.scope\n', '/sys/fs/cgroup/cpu.max': '150000 100000\n' })), 1.5);
  assert.equal(cgroupQuotaCpus(files({ '/proc/self/cgroup': '2:cpu,cpuacct:/docker/abc\n', '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '100000\n', '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n' })), 1);
  assert.equal(cgroupQuotaCpus(files({})), undefined);
});

/** The churn fixture's report: CPU time of its main thread and of its other threads, scavenges. */
async function churn(override: string): Promise<{ mainNs: number; otherNs: number; scavenges: number }> {
  const fixture = new URL('./fixtures/gc-churn.ts', import.meta.url).pathname;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', fixture], { env: { ...process.env, SLUICE_SINGLE_THREADED_GC: override }, timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as { mainNs: number; otherNs: number; scavenges: number };
}

test('forced on, the flags set at run time take effect: scavenges run on the main thread, the helper threads stay idle', async () => {
  // CPU time, not wall time: the same work whatever else runs on the machine.
  const [on, off] = await Promise.all([churn('1'), churn('0')]);
  assert.ok(on.scavenges >= 20 && off.scavenges >= 20, `scavenges: ${on.scavenges} on, ${off.scavenges} off`);
  // By default V8 shares each scavenge with its helper threads (a large part of the GC's CPU time).
  assert.ok(off.otherNs > 4 * on.otherNs, `helper threads: ${off.otherNs / 1e6} ms by default, ${on.otherNs / 1e6} ms single-threaded`);
  // What other threads still run single-threaded is V8's compiler and Node's loader, more of it on a
  // busy machine (57 ms beside 650 seen in CI), never the scavenges' share.
  assert.ok(on.otherNs < 0.2 * on.mainNs, `single-threaded: helpers ${on.otherNs / 1e6} ms beside the main thread's ${on.mainNs / 1e6} ms`);
});

test('a bad SLUICE_SINGLE_THREADED_GC ends the command with one line naming it', async () => {
  const r = await runSluice(['version'], { env: { SLUICE_SINGLE_THREADED_GC: 'sometimes' } });
  assert.equal(r.code, 2);
  assert.equal(r.stderr, 'sluice: SLUICE_SINGLE_THREADED_GC: "sometimes" must be 1 (on), 0 (off) or auto\n');
});

/** `sluice serve` on an empty config, pinned or not; the start-up log line about V8's GC. */
async function serveGcLine(opts: { cpus?: string; env?: NodeJS.ProcessEnv; args?: string[]; lines?: number } = {}): Promise<Record<string, unknown>[]> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-gc-'));
  const s = await startSluice(['serve', '--config', dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', ...(opts.args ?? [])], ['admin'], {
    env: { SLUICE_SINGLE_THREADED_GC: '', ...opts.env },
    ...(opts.cpus !== undefined && { cpus: opts.cpus }),
  });
  try {
    const want = opts.lines ?? 1;
    const deadline = Date.now() + 30_000;
    const gcLines = () => s.lines.flatMap((l) => (l.includes('"V8 garbage collection"') ? [JSON.parse(l) as Record<string, unknown>] : []));
    while (gcLines().length < want && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return gcLines();
  } finally {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('sluice serve pinned to one CPU with auto collects garbage single-threaded; unset or unpinned it keeps V8\'s default unless forced', { skip: noTaskset }, async () => {
  const [pinned, pinnedOff, unpinned, forced, pinnedUnset] = await Promise.all([
    serveGcLine({ cpus: '0', env: { SLUICE_SINGLE_THREADED_GC: 'auto' } }),
    serveGcLine({ cpus: '0', env: { SLUICE_SINGLE_THREADED_GC: '0' } }),
    serveGcLine(),
    serveGcLine({ env: { SLUICE_SINGLE_THREADED_GC: '1' } }),
    serveGcLine({ cpus: '0' }),
  ]);
  assert.deepEqual(pick(pinned), [{ gc: 'single-threaded', reason: 'one CPU (affinity)' }]);
  assert.deepEqual(pick(pinnedUnset), [{ gc: 'parallel', reason: 'V8 default' }]);
  assert.deepEqual(pick(pinnedOff), [{ gc: 'parallel', reason: 'SLUICE_SINGLE_THREADED_GC=0' }]);
  assert.deepEqual(pick(forced), [{ gc: 'single-threaded', reason: 'SLUICE_SINGLE_THREADED_GC=1' }]);
  // Unset: V8's default, whatever the CPUs.
  assert.deepEqual(pick(unpinned), [{ gc: 'parallel', reason: 'V8 default' }]);
});

test('sluice serve --workers 2 with auto: each worker decides by its own CPUs (pinned: single-threaded), and the override reaches every worker', async () => {
  const [pinned, forced] = await Promise.all([
    noTaskset ? Promise.resolve(undefined) : serveGcLine({ cpus: '0', args: ['--workers', '2'], lines: 3, env: { SLUICE_SINGLE_THREADED_GC: 'auto' } }),
    serveGcLine({ args: ['--workers', '2'], lines: 3, env: { SLUICE_SINGLE_THREADED_GC: '1' } }),
  ]);
  // the primary and both workers
  if (pinned) assert.deepEqual(pick(pinned), Array(3).fill({ gc: 'single-threaded', reason: 'one CPU (affinity)' }));
  assert.deepEqual(pick(forced), Array(3).fill({ gc: 'single-threaded', reason: 'SLUICE_SINGLE_THREADED_GC=1' }));
});

const pick = (lines: Record<string, unknown>[]) => lines.map((l) => ({ gc: l.gc, reason: l.reason }));
