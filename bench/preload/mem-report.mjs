// `node --expose-gc --import bench/preload/mem-report.mjs …`: where a process's RSS goes, as the process
// sees it. On each SIGWINCH it prints one `MEM {json}` line on stdout: RSS, V8's heap used and committed
// (by space), external memory, and the same after two full GCs (what is live; the difference is garbage
// the old generation held). bench/scale-k8s.ts --mem signals it at ready and after the status writes.
import v8 from 'node:v8';

const mib = (b) => Math.round((b / 1048576) * 10) / 10;

function sample() {
  const m = process.memoryUsage();
  const spaces = {};
  for (const s of v8.getHeapSpaceStatistics()) spaces[s.space_name.replace(/_space$/, '')] = { used: mib(s.space_used_size), committed: mib(s.physical_space_size) };
  return { rss: mib(m.rss), heapUsed: mib(m.heapUsed), heapTotal: mib(m.heapTotal), external: mib(m.external), arrayBuffers: mib(m.arrayBuffers), spaces };
}

process.on('SIGWINCH', () => {
  const before = sample();
  const gc = globalThis.gc;
  let after;
  if (typeof gc === 'function') {
    gc();
    gc();
    after = sample();
  }
  process.stdout.write(`MEM ${JSON.stringify({ before, after })}\n`);
});
