// Heap kept by each stage of the control plane at scale, after full GCs:
//   node --expose-gc --import tsx bench/scale-memory.ts [N=10000] [dir=/tmp/sluice-scale-N]
// source (parsed files), Store, translator state and snapshot, compiled router; then the V8 heap
// spaces and RSS. The parts RSS has beyond the heap are the binary, code and V8's young generation.
import v8 from 'node:v8';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigDir } from '../src/sources/config-dir.ts';
import { Store } from '../src/store/store.ts';
import { translate } from '../src/translate/translate.ts';
import { TranslateCache } from '../src/translate/cache.ts';
import { defaultTranslateOptions } from '../src/translate/options.ts';
import { compileRouter } from '../src/proxy/router.ts';
import { scaleAppName, writeScaleConfig } from './ingress-gen.ts';

const n = Number(process.argv[2] ?? 10_000);
const dir = process.argv[3] ?? `/tmp/sluice-scale-${n}`;
if (!existsSync(join(dir, 'apps', `${scaleAppName(n - 1)}.yaml`))) writeScaleConfig(dir, n, 9001, 9002);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');
const mib = (b: number) => `${(b / 1048576).toFixed(1)} MiB`;
const used = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

const h0 = used();
const config = new ConfigDir(dir);
await config.scan('');
const state = config.state();
const h1 = used();
const set = new Store().update(state);
const h2 = used();
const result = translate(set, defaultTranslateOptions, new TranslateCache());
const h3 = used();
const router = compileRouter({ ...result.snapshot, version: 1 });
const h4 = used();
console.log(`${n} apps, heap kept: source ${mib(h1 - h0)}, store ${mib(h2 - h1)}, translate ${mib(h3 - h2)}, router ${mib(h4 - h3)}`);
const m = process.memoryUsage();
console.log(`rss ${mib(m.rss)}, heap total ${mib(m.heapTotal)}, used ${mib(m.heapUsed)}, external ${mib(m.external)} (array buffers ${mib(m.arrayBuffers)})`);
// RSS beyond the heap: file-backed pages (the node binary, libraries) and anonymous ones (the heap, buffers, malloc, stacks).
const rollup = readFileSync('/proc/self/smaps_rollup', 'utf8');
const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? 0) * 1024;
console.log(`smaps: anonymous ${mib(kb('Anonymous'))}, file-backed ${mib(kb('Rss') - kb('Anonymous'))}`);
for (const s of v8.getHeapSpaceStatistics()) if (s.physical_space_size > 0) console.log(`  ${s.space_name.padEnd(24)} ${mib(s.physical_space_size).padStart(10)} resident, ${mib(s.space_used_size)} used`);
void [config, router];
