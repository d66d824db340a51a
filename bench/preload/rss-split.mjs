// `node --import bench/preload/rss-split.mjs …`: where a process's RSS is, seen from inside. Each
// SIGUSR2 prints one `MEMREPORT {json}` line on stdout: RSS split into anonymous and file-backed
// (smaps_rollup), threads, the V8 heap's spaces (resident vs used), external and array buffers,
// malloc's share (anonymous RSS not in the V8 heap nor array buffers), and the modules loaded.
// bench/scale-rss.ts loads it into the gateway and signals at ready, after load, after edits, idle.
import { readFileSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import workerThreads from 'node:worker_threads';
import v8 from 'node:v8';

const MiB = 1048576;

// Worker threads started (each has an isolate of its own, outside this one's heap figures), and
// where the first was started from.
let workers = 0;
let firstWorkerAt;
const OriginalWorker = workerThreads.Worker;
workerThreads.Worker = class extends OriginalWorker {
  constructor(...args) {
    super(...args);
    workers++;
    firstWorkerAt ??= new Error().stack?.split('\n').slice(2, 8).map((l) => l.trim()).join(' < ');
  }
};
syncBuiltinESMExports();
const r1 = (b) => Math.round((b / MiB) * 10) / 10;
const kb = (text, field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;

function report() {
  const rollup = readFileSync('/proc/self/smaps_rollup', 'utf8');
  const status = readFileSync('/proc/self/status', 'utf8');
  const m = process.memoryUsage();
  const spaces = {};
  let heapResident = 0;
  for (const s of v8.getHeapSpaceStatistics()) {
    spaces[s.space_name] = { resident: r1(s.physical_space_size), used: r1(s.space_used_size) };
    heapResident += s.physical_space_size;
  }
  const anon = kb(rollup, 'Anonymous');
  const rss = kb(rollup, 'Rss');
  const require = createRequire(import.meta.url);
  const cache = Object.keys(require.cache ?? {}).length;
  const line = {
    rss: r1(rss),
    anon: r1(anon),
    file: r1(rss - anon),
    workers,
    ...(firstWorkerAt !== undefined && { firstWorkerAt }),
    threads: Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? 0),
    heapTotal: r1(m.heapTotal),
    heapUsed: r1(m.heapUsed),
    heapResident: r1(heapResident),
    external: r1(m.external),
    arrayBuffers: r1(m.arrayBuffers),
    // what anonymous memory the V8 heap and buffers do not explain: malloc (V8's own tables, zones,
    // compiled code metadata, ICU, libuv), thread stacks
    otherAnon: r1(anon - heapResident - m.arrayBuffers),
    spaces,
    cjsModules: cache,
    builtinsLoaded: process.moduleLoadList?.length ?? 0,
  };
  process.stdout.write(`MEMREPORT ${JSON.stringify(line)}\n`);
}
// MEMREPORT_GC=1 (with node --expose-gc): a full collection before each report, to see what of
// the heap is garbage not yet collected; the report waits for V8 to give back the freed pages.
process.on('SIGUSR2', () => {
  if (process.env.MEMREPORT_GC !== '1' || typeof globalThis.gc !== 'function') return report();
  globalThis.gc();
  setTimeout(report, 1000);
});
