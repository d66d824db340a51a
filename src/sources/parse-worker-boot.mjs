// Starts the parse worker. Compiled (dist/), parse-worker.js sits next to this file and is loaded
// as is. From the sources, parse-worker.ts goes through tsx: a worker thread does not inherit the
// module hooks of the thread that starts it, however Sluice was started (bin/sluice.js, `--import
// tsx`, the tsx command).
import { existsSync } from 'node:fs';

const compiled = new URL('./parse-worker.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./parse-worker.ts');
}
