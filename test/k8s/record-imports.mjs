// Loaded with `node --import` by serve-module-graph.test.ts: registers a resolve hook that appends
// every resolved module URL to $SLUICE_IMPORT_LOG, so the test can see what a process loaded.
import { register } from 'node:module';

register('./record-imports-hook.mjs', import.meta.url, { data: { log: process.env.SLUICE_IMPORT_LOG } });
