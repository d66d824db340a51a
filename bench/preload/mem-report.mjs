// `node --import bench/preload/mem-report.mjs …`: where a process's memory goes, seen from inside. Two
// reports, on two signals, from one sampling of V8's heap spaces:
// - SIGUSR2 prints one `MEMREPORT {json}` line on stdout: RSS split into anonymous and file-backed
//   (smaps_rollup), threads, worker threads started, the V8 heap's spaces (resident vs used), external
//   and array buffers, malloc's share (anonymous RSS not in the V8 heap nor array buffers; of it, glibc's
//   main arena), modules
//   loaded. bench/scale-rss.ts signals it at ready, after load, after edits, idle. MEMREPORT_GC=1 (with
//   node --expose-gc): a full collection before each report, which then waits 1 s for V8 to give back
//   the freed pages.
// - SIGWINCH prints one `MEM {json}` line on stdout: RSS, V8's heap used and committed (by space),
//   external memory, and the same after two full GCs when node runs with --expose-gc (what is live; the
//   difference is garbage the old generation held). bench/scale-k8s.ts --mem signals it at ready and
//   after the status writes.
import { readFileSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import workerThreads from 'node:worker_threads';
import v8 from 'node:v8';

const MiB = 1048576;
const mib = (b) => Math.round((b / MiB) * 10) / 10;

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

/** V8's heap spaces: bytes resident (committed pages in memory) and used, by space name. */
function heapSpaces() {
  return v8.getHeapSpaceStatistics().map((s) => ({ name: s.space_name, resident: s.physical_space_size, used: s.space_used_size }));
}

/** Resident bytes of glibc's main malloc arena (the brk heap, `[heap]` in smaps): where freed chunks that fragment it stay. */
function mainArena() {
  const smaps = readFileSync('/proc/self/smaps', 'utf8');
  const at = smaps.search(/ \[heap\]\n/);
  return at < 0 ? 0 : kb(smaps.slice(at, smaps.indexOf('VmFlags', at)), 'Rss');
}

const kb = (text, field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;

function memReport() {
  const rollup = readFileSync('/proc/self/smaps_rollup', 'utf8');
  const status = readFileSync('/proc/self/status', 'utf8');
  const m = process.memoryUsage();
  const spaces = {};
  let heapResident = 0;
  for (const s of heapSpaces()) {
    spaces[s.name] = { resident: mib(s.resident), used: mib(s.used) };
    heapResident += s.resident;
  }
  const anon = kb(rollup, 'Anonymous');
  const rss = kb(rollup, 'Rss');
  const require = createRequire(import.meta.url);
  return {
    rss: mib(rss),
    anon: mib(anon),
    file: mib(rss - anon),
    workers,
    ...(firstWorkerAt !== undefined && { firstWorkerAt }),
    threads: Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? 0),
    heapTotal: mib(m.heapTotal),
    heapUsed: mib(m.heapUsed),
    heapResident: mib(heapResident),
    external: mib(m.external),
    arrayBuffers: mib(m.arrayBuffers),
    // what anonymous memory the V8 heap and buffers do not explain: malloc (V8's own tables, zones,
    // compiled code metadata, ICU, libuv), thread stacks
    otherAnon: mib(anon - heapResident - m.arrayBuffers),
    mainArena: mib(mainArena()),
    spaces,
    cjsModules: Object.keys(require.cache ?? {}).length,
    builtinsLoaded: process.moduleLoadList?.length ?? 0,
  };
}

function memSample() {
  const m = process.memoryUsage();
  const spaces = {};
  for (const s of heapSpaces()) spaces[s.name.replace(/_space$/, '')] = { used: mib(s.used), committed: mib(s.resident) };
  return { rss: mib(m.rss), heapUsed: mib(m.heapUsed), heapTotal: mib(m.heapTotal), external: mib(m.external), arrayBuffers: mib(m.arrayBuffers), spaces };
}

process.on('SIGUSR2', () => {
  const print = () => process.stdout.write(`MEMREPORT ${JSON.stringify(memReport())}\n`);
  if (process.env.MEMREPORT_GC !== '1' || typeof globalThis.gc !== 'function') return print();
  globalThis.gc();
  setTimeout(print, 1000);
});

process.on('SIGWINCH', () => {
  const before = memSample();
  const gc = globalThis.gc;
  let after;
  if (typeof gc === 'function') {
    gc();
    gc();
    after = memSample();
  }
  process.stdout.write(`MEM ${JSON.stringify({ before, after })}\n`);
});
