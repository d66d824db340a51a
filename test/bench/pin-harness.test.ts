// The bench harness takes itself off the proxy's core (bench/proc.ts pinHarness): the process, the
// launchers that started it (npm, npx, the tsx CLI), and what those run beside it (tsx's esbuild
// service), but no other process above: not a shell, and not a node process that is no launcher
// (this test, which runs a harness as the bench smoke test does). Here: this test → node
// …/.bin/tsx (a launcher) → a sibling, and the harness.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { which } from '../../bench/proc.ts';

const PROC = fileURLToPath(new URL('../../bench/proc.ts', import.meta.url));
const allowed = (pid: number): string => /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '?';

test('pinHarness pins the harness, the launcher above it and its other child; not the node process above the launcher', { skip: which('taskset') === undefined ? 'no taskset' : false }, async () => {
  const mine = allowed(process.pid);
  const dir = mkdtempSync(join(tmpdir(), 'sluice-pin-'));
  const launcher = join(dir, 'node_modules', '.bin', 'tsx');
  mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
  // starts a long-lived sibling, then the harness, and reports the pids once the harness has pinned
  writeFileSync(
    launcher,
    `const { spawn, spawnSync } = require('node:child_process');
const sibling = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], { stdio: 'ignore' });
const harness = spawnSync(process.execPath, ['--import', 'tsx', '-e', ${JSON.stringify(`import(${JSON.stringify(PROC)}).then((p) => p.pinHarness('0'))`)}], { stdio: 'inherit' });
process.stdout.write(JSON.stringify({ launcher: process.pid, sibling: sibling.pid, status: harness.status }) + '\\n');
const end = () => { sibling.kill(); process.exit(0); };
setTimeout(end, 20000);
process.stdin.on('data', end);
`,
  );
  const child = spawn(process.execPath, [launcher], { stdio: ['pipe', 'pipe', 'inherit'], cwd: fileURLToPath(new URL('../..', import.meta.url)) });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the launcher did not report within 20 s')), 20_000);
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) {
          clearTimeout(timer);
          resolve(out);
        }
      });
    });
    const pids = JSON.parse(line) as { launcher: number; sibling: number; status: number };
    assert.equal(pids.status, 0);
    assert.equal(allowed(pids.launcher), '0', 'the launcher that started the harness');
    assert.equal(allowed(pids.sibling), '0', 'what it runs beside the harness');
    assert.equal(allowed(process.pid), mine, 'the node process above the launcher (this test)');
  } finally {
    child.stdin.end('x');
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
