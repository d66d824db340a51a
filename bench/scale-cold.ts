// One cold start of the control plane in a fresh process, as `sluice serve` starts: read and parse
// the config directory, then the Store and one translation from scratch. Prints one JSON line.
//   node --import tsx bench/scale-cold.ts DIR
// bench/scale.ts runs it in a new process each round (the JIT is as cold as at a real start) and
// keeps the fastest round, as the scenarios do.
import { ConfigDir } from '../src/sources/config-dir.ts';
import { Store } from '../src/store/store.ts';
import { defaultTranslateOptions } from '../src/translate/options.ts';
import { translate } from '../src/translate/translate.ts';

const dir = process.argv[2];
if (!dir) throw new Error('usage: scale-cold.ts DIR');
const t0 = performance.now();
// Limits high enough for the one-file shape (sluice serve gets them as flags): they cost nothing.
const config = new ConfigDir(dir, { limits: { maxFileBytes: 1 << 30, maxDocuments: 10_000_000 } });
await config.scan('');
const state = config.state();
const t1 = performance.now();
translate(new Store().update(state), defaultTranslateOptions);
const t2 = performance.now();
process.stdout.write(`${JSON.stringify({ parseMs: t1 - t0, translateMs: t2 - t1, resources: state.resources.length })}\n`);
