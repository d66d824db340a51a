// `node --import bench/preload/loop-delay.mjs …`: where a process's latency tail comes from. Records
// the event loop's delay (perf_hooks.monitorEventLoopDelay, 1 ms resolution) and every GC pause by
// kind (PerformanceObserver 'gc'), from SLUICE_LOOP_DELAY_AFTER_MS (default 2000: past start-up)
// on until SIGTERM, and prints one `LOOPDELAY {json}` line on stdout when the process exits. bench/profile.ts
// --loop-delay loads it into the profiled gateway.
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

const after = Number(process.env.SLUICE_LOOP_DELAY_AFTER_MS ?? 2000);
const h = monitorEventLoopDelay({ resolution: 1 });
const kinds = { [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge', [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact', [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental', [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak-callbacks' };
const gc = {};
let started = 0;
const obs = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if (started === 0) continue;
    const kind = kinds[e.detail?.kind] ?? 'other';
    const g = (gc[kind] ??= { count: 0, totalMs: 0, maxMs: 0, over1ms: 0 });
    g.count++;
    g.totalMs += e.duration;
    g.maxMs = Math.max(g.maxMs, e.duration);
    if (e.duration > 1) g.over1ms++;
  }
});
setTimeout(() => {
  started = performance.now();
  h.enable();
  obs.observe({ entryTypes: ['gc'] });
}, after).unref();
// The window ends at SIGTERM (bench/profile.ts stops the gateway right after the load): shutdown is not load.
let ended = 0;
const end = () => {
  if (ended !== 0) return;
  ended = performance.now();
  h.disable();
  obs.disconnect();
};
process.once('SIGTERM', end);
process.on('exit', () => {
  end();
  const ms = (ns) => Math.round(ns / 1e4) / 100;
  const out = {
    windowMs: started === 0 ? 0 : Math.round(ended - started),
    loopDelayMs: { p50: ms(h.percentile(50)), p90: ms(h.percentile(90)), p99: ms(h.percentile(99)), p999: ms(h.percentile(99.9)), max: ms(h.max), count: h.count },
    gc: Object.fromEntries(Object.entries(gc).map(([k, g]) => [k, { ...g, totalMs: Math.round(g.totalMs * 100) / 100, maxMs: Math.round(g.maxMs * 100) / 100 }])),
  };
  process.stdout.write(`LOOPDELAY ${JSON.stringify(out)}\n`);
});
