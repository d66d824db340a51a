// bench/profile.ts --alloc: the preload that samples allocation sites in a signalled window, run in
// a real node process, and the pure parts that read and show its report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { formatAllocSites, parseAllocSites } from '../../bench/alloc-sites.ts';

const PRELOAD = fileURLToPath(new URL('../../bench/preload/alloc-sample.mjs', import.meta.url));

// Allocates between two SIGUSR2s it sends itself, then exits (the sampler's window is between them).
// Its own listeners run after the preload's on each signal: it allocates once sampling has started
// (a timer could fire before the first signal was handled on a busy machine: an empty window) and
// stays up until the report is written.
const CHILD = `
const up = setTimeout(() => {}, 15000);
process.once('SIGUSR2', () => {
  const keep = [];
  for (let i = 0; i < 200000; i++) keep.push({ i, s: 'x' + i });
  globalThis.kept = keep.length;
  process.once('SIGUSR2', () => clearTimeout(up));
  process.kill(process.pid, 'SIGUSR2');
});
process.kill(process.pid, 'SIGUSR2');
`;

test('the allocation sampler reports the sites of what was allocated between its two signals', async () => {
  const child = spawn(process.execPath, ['--import', PRELOAD, '-e', CHILD], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('the sampled process did not exit within 20 s'));
    }, 20_000);
    child.on('exit', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  assert.equal(code, 0);
  const sites = parseAllocSites(out);
  assert.ok(sites !== undefined, `no ALLOCSITES line in: ${out}`);
  // 200,000 objects and strings: several MiB, most of it attributed to the loop (the -e script).
  assert.ok(sites.totalKiB > 1024, `total ${sites.totalKiB} KiB`);
  assert.ok(sites.top.length > 0 && sites.top[0]!.kib > 0);
  assert.match(sites.top.map((t) => t.site).join('\n'), /\[eval\]/);
});

test('allocation sites are shown in bytes per request of the window', () => {
  const text = formatAllocSites({ windowMs: 1000, totalKiB: 2000, top: [{ site: 'start src/proxy/h2-raw-h1.ts:1', kib: 100 }] }, 1024);
  assert.match(text, /~2000 bytes per request/);
  assert.match(text, /^ {4}100 B\/req {2}start src\/proxy\/h2-raw-h1\.ts:1$/m);
  assert.equal(parseAllocSites('noise\nmore'), undefined);
});
