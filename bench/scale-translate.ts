// In-process scale measurement of the control plane (no proxy, no load): cold parse of N generated
// apps, cold translate, one file edit to a published snapshot that routes the new host, heap and RSS.
//   npx tsx bench/scale-translate.ts [N=10000] [dir=/tmp/sluice-scale]
// Parse (reading + YAML + validation) and translate (Store + translate) are timed separately; the
// edit is timed from the rename to the compiled router answering the new host, through the real
// FileSource (fs.watch, 50 ms debounce) and Pipeline.
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigDir } from '../src/sources/config-dir.ts';
import { FileSource } from '../src/sources/file.ts';
import { Store } from '../src/store/store.ts';
import { translate } from '../src/translate/translate.ts';
import { TranslateCache } from '../src/translate/cache.ts';
import { defaultTranslateOptions } from '../src/translate/options.ts';
import { Pipeline } from '../src/pipeline.ts';
import { compileRouter } from '../src/proxy/router.ts';
import { appYaml, scaleApp, scaleAppName, writeScaleConfig } from './ingress-gen.ts';
import type { Logger } from '../src/log.ts';

const n = Number(process.argv[2] ?? 10_000);
const dir = process.argv[3] ?? `/tmp/sluice-scale-${n}`;
const mib = (b: number) => `${(b / 1048576).toFixed(0)} MiB`;
const gc = () => (globalThis as { gc?: () => void }).gc?.();
const ms = (t0: number) => `${(performance.now() - t0).toFixed(0)} ms`;

if (!existsSync(join(dir, 'apps', `${scaleAppName(n - 1)}.yaml`))) writeScaleConfig(dir, n, 9001, 9002);

// 1. cold parse and cold translate, separately
let t0 = performance.now();
const config = new ConfigDir(dir);
await config.scan('');
const state = config.state();
console.log(`cold parse (read+yaml+validate) ${n} apps: ${ms(t0)}, ${state.resources.length} resources`);
t0 = performance.now();
const store = new Store();
const set = store.update(state);
const t1 = performance.now();
const cache = new TranslateCache();
let result = translate(set, defaultTranslateOptions, cache);
console.log(`cold translate: ${ms(t0)} (store ${(t1 - t0).toFixed(0)} ms), ${result.snapshot.listeners.external.length} external vhosts`);
t0 = performance.now();
result = translate(store.update(config.state()), defaultTranslateOptions, cache);
console.log(`same state again, cached (store+translate): ${ms(t0)}`);
{
  // one edited file, stage by stage, without the watcher
  const i = Math.floor(n / 3);
  const file = join(dir, 'apps', `${scaleAppName(i)}.yaml`);
  const original = appYaml(scaleApp(i, 9001, 9002));
  writeFileSync(file, appYaml({ ...scaleApp(i, 9001, 9002), host: 'stage.example.com' }));
  let t = performance.now();
  await config.recheck(`apps/${scaleAppName(i)}.yaml`);
  const tParse = performance.now() - t;
  t = performance.now();
  const st = config.state();
  const tState = performance.now() - t;
  t = performance.now();
  const s2 = store.update(st);
  const tStore = performance.now() - t;
  t = performance.now();
  const r2 = translate(s2, defaultTranslateOptions, cache);
  const tTranslate = performance.now() - t;
  t = performance.now();
  compileRouter({ ...r2.snapshot, version: 1 });
  const tRouter = performance.now() - t;
  console.log(`one edit, stages: reparse ${tParse.toFixed(0)} ms, source merge ${tState.toFixed(0)} ms, store ${tStore.toFixed(0)} ms, translate ${tTranslate.toFixed(0)} ms, compileRouter ${tRouter.toFixed(0)} ms`);
  writeFileSync(file, original);
}
gc();
console.log(`heap after cold: ${mib(process.memoryUsage().heapUsed)}, rss ${mib(process.memoryUsage().rss)}`);

// 2. edit to served, through FileSource + Pipeline + compileRouter
const noop = () => {};
const log = { info: noop, warn: noop, error: noop, debug: noop, child: () => log } as unknown as Logger;
const pipeline = new Pipeline(new FileSource({ dir, rescanIntervalMs: 0 }), defaultTranslateOptions, log);
let router: ReturnType<typeof compileRouter> | undefined;
pipeline.feed.subscribe((s) => (router = compileRouter(s)));
t0 = performance.now();
await pipeline.start();
console.log(`pipeline cold start (parse+translate+router): ${ms(t0)}`);
gc();
console.log(`heap with pipeline running: ${mib(process.memoryUsage().heapUsed)}, rss ${mib(process.memoryUsage().rss)}`);
for (let round = 0; round < 3; round++) {
  const i = Math.floor(n / 2) + round;
  const host = `edited-${round}-${Date.now()}.bench.example.com`;
  const file = join(dir, 'apps', `${scaleAppName(i)}.yaml`);
  const original = appYaml(scaleApp(i, 9001, 9002));
  writeFileSync(`${file}.tmp`, appYaml({ ...scaleApp(i, 9001, 9002), host }));
  const start = performance.now();
  renameSync(`${file}.tmp`, file);
  while (!router?.hosts.external.has(host)) {
    if (performance.now() - start > 60_000) throw new Error('edit not served in 60 s');
    await new Promise((r) => setTimeout(r, 1));
  }
  console.log(`edit ${round} to served (router has the new host): ${ms(start)}`);
  writeFileSync(file, original);
  await new Promise((r) => setTimeout(r, 300));
}
await pipeline.stop();
console.log(`rss at end: ${mib(process.memoryUsage().rss)}`);
