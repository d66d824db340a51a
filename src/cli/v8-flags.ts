// V8 settings for a gateway process, applied by the CLI before any of its own code runs (the first
// import of main.ts; bin/sluice.js does the same before loading anything).
//
// Allocation-site pretenuring off: V8 may decide, from objects that happen to survive a scavenge
// (start-up's, or a burst of requests in flight during a slow spell), that a site's objects are
// long-lived and allocate them straight in the old generation. A proxy's per-request objects from
// such a site then keep whatever young objects they point to (streams, header arrays, exchanges)
// alive through every scavenge until the next full GC: all of a request was promoted, and GC took
// a fifth of the CPU under HTTP/2 load. Here per-request objects die young, and the few long-lived
// ones are promoted by the scavenger anyway.
//
// GC on the main thread only when the process has about one CPU (why: gc-threads.ts).
import v8 from 'node:v8';
import { applyGcThreads } from './gc-threads.ts';

v8.setFlagsFromString('--no-allocation-site-pretenuring');
try {
  applyGcThreads();
} catch (err) {
  // a bad SLUICE_SINGLE_THREADED_GC: one line naming it, as for a bad flag
  process.stderr.write(`sluice: ${(err as Error).message}\n`);
  process.exit(2);
}
