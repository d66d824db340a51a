// Starts the parse worker (parse-worker.ts) through tsx: a worker thread does not inherit the
// module hooks of the thread that starts it, however Sluice was started (bin/sluice.js, `--import
// tsx`, the tsx command).
import { register } from 'tsx/esm/api';

register();
await import('./parse-worker.ts');
