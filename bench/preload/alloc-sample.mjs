// `node --import bench/preload/alloc-sample.mjs …`: where a process allocates. Samples every
// allocation (V8's sampling heap profiler, one sample per 16 KiB on average), the ones the
// scavenger has already collected included: young garbage is what makes scavenges frequent. The
// first SIGUSR2 starts sampling, the second stops it and writes the top allocation sites by bytes
// as one `ALLOCSITES {json}` line on stdout. bench/profile.ts --alloc loads it and signals around
// the measured window. SLUICE_ALLOC_PROMOTED=1 leaves out what the scavenger collected: what reached
// the old generation (kept, or garbage only a full GC frees).
import { Session } from 'node:inspector';
import { constants, PerformanceObserver } from 'node:perf_hooks';

const session = new Session();
session.connect();
let started = 0;
// Scavenges in the window: how often the young garbage counted here makes one.
let scavenges = 0;
const gc = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges++;
});
process.on('SIGUSR2', () => {
  if (started === 0) {
    started = performance.now();
    gc.observe({ entryTypes: ['gc'] });
    session.post('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: process.env.SLUICE_ALLOC_PROMOTED !== '1' });
  } else report();
});

function report() {
  let profile;
  // An in-thread inspector session answers synchronously.
  session.post('HeapProfiler.stopSampling', (err, r) => {
    if (err === null) profile = r.profile;
  });
  gc.disconnect();
  if (profile === undefined) return;
  const bySite = new Map();
  let total = 0;
  const walk = (node, stack) => {
    const f = node.callFrame;
    const here = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(src|node_modules)\//, '$1/')}:${f.lineNumber + 1}`;
    const path = [here, ...stack].slice(0, 3).join(' < ');
    if (node.selfSize > 0) {
      bySite.set(path, (bySite.get(path) ?? 0) + node.selfSize);
      total += node.selfSize;
    }
    for (const c of node.children) walk(c, [here, ...stack]);
  };
  walk(profile.head, []);
  const top = [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 40).map(([site, bytes]) => ({ site, kib: Math.round(bytes / 1024) }));
  process.stdout.write(`ALLOCSITES ${JSON.stringify({ windowMs: Math.round(performance.now() - started), totalKiB: Math.round(total / 1024), scavenges, top })}\n`);
}
