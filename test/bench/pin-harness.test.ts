// The bench harness takes itself off the proxy's core (bench/proc.ts pinHarness): the process, the
// node/npm/tsx processes that started it, and what those run beside it, but nothing above the first
// process that is not one of them (the shell, the test runner here). A harness here: sh → node
// (the "npm"), which runs a sibling (the "esbuild service") and the harness proper.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { which } from '../../bench/proc.ts';

const PROC = fileURLToPath(new URL('../../bench/proc.ts', import.meta.url));
const allowed = (pid: number): string => /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '?';

test('pinHarness pins the harness, the node processes above it up to the shell, and their other children; not the shell', { skip: which('taskset') === undefined ? 'no taskset' : false }, async () => {
  const mine = allowed(process.pid);
  // the "npm": starts a long-lived sibling, then the harness, and reports all pids once it has pinned
  const npm = `
    const { spawn, spawnSync } = require('node:child_process');
    const sibling = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], { stdio: 'ignore' });
    const harness = spawnSync(process.execPath, ['--import', 'tsx', '-e', "import('${PROC}').then((p) => p.pinHarness('0'))"], { stdio: 'inherit' });
    process.stdout.write(JSON.stringify({ npm: process.pid, sibling: sibling.pid, shell: process.ppid, status: harness.status }) + '\\n');
    setTimeout(() => { sibling.kill(); process.exit(0); }, 20000);
    process.stdin.on('data', () => { sibling.kill(); process.exit(0); });
  `;
  // a command after node, so the shell cannot exec it and stays its parent
  const sh = spawn('sh', ['-c', '"$1" -e "$0"; exit 0', npm, process.execPath], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the harness did not report within 20 s')), 20_000);
      let out = '';
      sh.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) {
          clearTimeout(timer);
          resolve(out);
        }
      });
    });
    const pids = JSON.parse(line) as { npm: number; sibling: number; shell: number; status: number };
    assert.equal(pids.status, 0);
    assert.equal(allowed(pids.npm), '0', 'the node process that started the harness');
    assert.equal(allowed(pids.sibling), '0', 'what it runs beside the harness');
    assert.equal(allowed(pids.shell), mine, 'the shell above is not the harness');
    assert.equal(allowed(process.pid), mine, 'nor is the test runner');
  } finally {
    sh.stdin.end('x');
    sh.kill();
  }
});
