// runWorkers: N cluster workers share one listener, a crashed worker is replaced, SIGTERM stops them all,
// and a worker that fails before it is ready stops the whole group with a clear error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const FIXTURE = new URL('./fixtures/workers-app.ts', import.meta.url).pathname;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

/** GET / on a fresh connection; the body is the pid of the worker that answered (or undefined). */
function pidOf(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(Number(body) || undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

/** Collects the pids that answer `count` requests, waiting (bounded) until `want` distinct ones are seen. */
async function pidsUntil(port: number, want: (pids: Set<number>) => boolean, timeoutMs: number): Promise<Set<number>> {
  const pids = new Set<number>();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const pid = await pidOf(port);
    if (pid) pids.add(pid);
    if (want(pids)) return pids;
    await new Promise((r) => setTimeout(r, 20));
  }
  return pids;
}

function run(port: number, n: number, mode = '', ...more: string[]): { child: ChildProcess; exited: Promise<number | null>; out: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, String(port), String(n), mode, ...more], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, out: () => out };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('two workers share the listener, a killed worker is replaced, SIGTERM stops them all', { timeout: 60_000 }, async () => {
  const port = await freePort();
  const app = run(port, 2);
  try {
    const first = await pidsUntil(port, (p) => p.size >= 2, 20_000);
    assert.equal(first.size, 2, `both workers answer (saw ${[...first].join(', ')}; output: ${app.out()})`);
    assert.ok(!first.has(app.child.pid!), 'the primary does not answer requests itself');

    const [victim] = [...first];
    process.kill(victim!, 'SIGKILL');
    const after = await pidsUntil(port, (p) => [...p].some((pid) => !first.has(pid)), 20_000);
    assert.ok([...after].some((pid) => !first.has(pid)), `a replacement worker answers (output: ${app.out()})`);
    assert.match(app.out(), /worker \d \(pid \d+\) exited with signal SIGKILL; restarting/);

    app.child.kill('SIGTERM');
    const code = await Promise.race([app.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000))]);
    assert.equal(code, 0, app.out());
    assert.match(app.out(), /primary: all workers stopped/);
    for (const pid of after) assert.equal(alive(pid), false, `worker ${pid} is gone`);
  } finally {
    app.child.kill('SIGKILL');
  }
});

test('a worker that dies while the primary writes to it is restarted; the primary survives the broken pipe', { timeout: 60_000 }, async () => {
  const port = await freePort();
  const app = run(port, 2, 'die-after-message');
  try {
    const first = await pidsUntil(port, (p) => p.size >= 2, 20_000);
    assert.equal(first.size, 2, app.out());
    for (let round = 0; round < 3; round++) {
      await new Promise<void>((resolve) => {
        const req = request({ host: '127.0.0.1', port, path: '/die', agent: false, timeout: 2000 }, (res) => res.resume().on('end', resolve));
        req.on('error', () => resolve());
        req.on('timeout', () => req.destroy());
        req.end();
      });
      const seen = await pidsUntil(port, (p) => p.size >= 2, 20_000);
      assert.equal(app.child.exitCode, null, `the primary is still running: ${app.out()}`);
      assert.ok(seen.size >= 2, app.out());
    }
    assert.match(app.out(), /exited with signal SIGKILL; restarting/);
    app.child.kill('SIGTERM');
    assert.equal(await Promise.race([app.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000))]), 0, app.out());
  } finally {
    app.child.kill('SIGKILL');
  }
});

test('a replacement that fails before it is ready is restarted again, since its slot was ready before', { timeout: 60_000 }, async () => {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'sluice-workers-'));
  const marker = join(dir, 'fail');
  const app = run(port, 2, 'fail-while', marker);
  try {
    const first = await pidsUntil(port, (p) => p.size >= 2, 20_000);
    assert.equal(first.size, 2, app.out());
    writeFileSync(marker, '');
    const [victim] = [...first];
    process.kill(victim!, 'SIGKILL');
    const failing = Date.now() + 20_000;
    while (!/worker \d \(pid \d+\) exited with code 1; restarting/.test(app.out()) && Date.now() < failing) await new Promise((r) => setTimeout(r, 20));
    assert.match(app.out(), /worker \d \(pid \d+\) exited with code 1; restarting/);
    assert.equal(app.child.exitCode, null, `the primary keeps going: ${app.out()}`);
    rmSync(marker);
    const after = await pidsUntil(port, (p) => [...p].some((pid) => !first.has(pid)), 20_000);
    assert.ok([...after].some((pid) => !first.has(pid)), `a replacement serves once it can start: ${app.out()}`);
  } finally {
    app.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a worker that fails before it is ready is not restarted: the primary exits with an error', { timeout: 60_000 }, async () => {
  const port = await freePort();
  const app = run(port, 2, 'fail-start');
  try {
    const code = await Promise.race([app.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 20_000))]);
    assert.equal(code, 3, app.out());
    assert.match(app.out(), /worker \d exited with code 1 before it was ready; not restarting/);
    assert.doesNotMatch(app.out(), /restarting in/);
  } finally {
    app.child.kill('SIGKILL');
  }
});

test('--workers must be a whole number of at least 1', async () => {
  const { runWorkers } = await import('../../src/cli/workers.ts');
  await assert.rejects(runWorkers(0, async () => {}), /--workers: must be a whole number of at least 1, got 0/);
  await assert.rejects(runWorkers(1.5, async () => {}), { code: 'SLUICE_ERR_BAD_FLAG' });
});
