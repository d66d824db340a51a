// In-process scale measurement of the control plane (no proxy, no load): cold parse of N generated
// apps, cold translate, one file edit to a published snapshot that routes the new host, heap and RSS.
//   node --expose-gc --import tsx bench/scale-translate.ts [N=10000] [stages|served] [dir=/tmp/sluice-scale-N[-pP]] [P=1 apps per file, or `all`]
// `stages`: cold parse, cold translate and one edit stage by stage (wall and CPU time, as the shared
// machine makes wall time noisy); `served`: the pipeline alone, cold start, edits to served, RSS.
// Parse (reading + YAML + validation) and translate (Store + translate) are timed separately; the
// edit is timed from the rename to the compiled router answering the new host, through the real
// FileSource (fs.watch, 50 ms debounce) and Pipeline.
import { existsSync, renameSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigDir } from '../src/sources/config-dir.ts';
import { FileSource } from '../src/sources/file.ts';
import { DocReuse } from '../src/sources/doc-reuse.ts';
import { InlineParser } from '../src/sources/file-parser.ts';
import { defaultLimits } from '../src/sources/read-file.ts';
import { Store } from '../src/store/store.ts';
import { translate } from '../src/translate/translate.ts';
import { TranslateCache } from '../src/translate/cache.ts';
import { defaultTranslateOptions } from '../src/translate/options.ts';
import { Pipeline } from '../src/pipeline.ts';
import type { Router } from '../src/proxy/router.ts';
import { RouterBuilder } from '../src/proxy/router-builder.ts';
import { DiffsSincePublished } from '../src/snapshot/since-published.ts';
import type { Snapshot } from '../src/snapshot/types.ts';
import { scaleApp, scaleFileOf, scaleFileText, writeScaleConfig } from './ingress-gen.ts';
import type { Logger } from '../src/log.ts';

const n = Number(process.argv[2] ?? 10_000);
const mode = process.argv[3] ?? 'stages';
const perFile = process.argv[5] === 'all' ? Number.POSITIVE_INFINITY : Number(process.argv[5] ?? 1);
const dir = process.argv[4] && process.argv[4] !== '-' ? process.argv[4] : `/tmp/sluice-scale-${n}${perFile === 1 ? '' : `-p${process.argv[5]}`}`;
/** the text of app i's file, app i's host replaced by `host` when given */
const fileText = (i: number, host?: string) => scaleFileText(i, n, perFile, 9001, 9002, host === undefined ? undefined : { i, app: { ...scaleApp(i, 9001, 9002), host } });
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const timed = async <T>(fn: () => T | Promise<T>): Promise<[T, string]> => {
  const w = performance.now();
  const c = cpu();
  const out = await fn();
  return [out, `${(performance.now() - w).toFixed(0)} ms wall, ${(cpu() - c).toFixed(0)} ms cpu`];
};
// The one-file shape is 47.6 MB and 50,000 documents at 10,000 apps: over the default limits.
const limits = perFile === Number.POSITIVE_INFINITY ? { maxFileBytes: 1 << 30, maxDocuments: 10_000_000 } : defaultLimits;
const mib = (b: number) => `${(b / 1048576).toFixed(0)} MiB`;
const gc = () => (globalThis as { gc?: () => void }).gc?.();
const ms = (t0: number) => `${(performance.now() - t0).toFixed(0)} ms`;

if (!existsSync(join(dir, scaleFileOf(n - 1, perFile)))) writeScaleConfig(dir, n, 9001, 9002, perFile);

// 1. cold parse and cold translate, separately
if (mode === 'stages') {
  // Large files read document by document, as `sluice serve`'s parse worker reads them.
  const config = new ConfigDir(dir, { limits, parser: new InlineParser(limits, new DocReuse()) });
  const [state, parseT] = await timed(async () => { await config.scan(''); return config.state(); });
  console.log(`cold parse (read+yaml+validate) ${n} apps: ${parseT}, ${state.resources.length} resources`);
  const store = new Store();
  const cache = new TranslateCache();
  // The parser's garbage is collected here, so its cost is not counted as translation.
  gc();
  const [set, storeT] = await timed(() => store.update(state));
  const [result, trT] = await timed(() => translate(set, defaultTranslateOptions, cache));
  console.log(`cold translate: store ${storeT}; translate ${trT}; ${result.snapshot.listeners.external.length} external vhosts`);
  // Edits derive the router from the last one with the translator's diffs, as a data plane does.
  const routers = new RouterBuilder();
  const published = new DiffsSincePublished();
  published.translated(result);
  let served: Snapshot = { ...result.snapshot, version: 0 };
  const [, routerT] = await timed(() => routers.next({ snapshot: served, previous: undefined, diffs: published.publishing() }));
  console.log(`cold compileRouter: ${routerT}`);
  const [again, againT] = await timed(() => translate(store.update(config.state()), defaultTranslateOptions, cache));
  published.translated(again);
  console.log(`same state again, cached (store+translate): ${againT}`);
  for (let round = 0; round < 3; round++) {
    // one edited file, stage by stage, without the watcher
    const i = Math.floor(n / 3) + round;
    const rel = scaleFileOf(i, perFile);
    const file = join(dir, rel);
    const original = fileText(i);
    writeFileSync(file, fileText(i, 'stage.example.com'));
    const [, parse1] = await timed(() => config.recheck(rel));
    const [st, merge1] = await timed(() => config.state());
    const [s2, store1] = await timed(() => store.update(st));
    const [r2, tr1] = await timed(() => translate(s2, defaultTranslateOptions, cache));
    published.translated(r2);
    const next: Snapshot = { ...r2.snapshot, version: round + 1 };
    const [, router1] = await timed(() => routers.next({ snapshot: next, previous: served, diffs: published.publishing() }));
    served = next;
    console.log(`edit ${round} stages: reparse ${parse1} | source merge ${merge1} | store ${store1} | translate ${tr1} | compileRouter ${router1}`);
    writeFileSync(file, original);
    await config.recheck(rel);
  }
  gc();
  console.log(`heap after cold + edits: ${mib(process.memoryUsage().heapUsed)}, rss ${mib(process.memoryUsage().rss)}`);
  process.exit(0);
}

// 2. edit to served, through FileSource + Pipeline + compileRouter. Each edit's timeline (ms after
// the rename): the fs.watch event (a watcher of the bench's own on the same directory), the file
// parsed and taken in (FileSource's onParse), the translation's start and end (Pipeline's
// onTranslated), the router made; the gaps between them are the debounce and the hand-offs.
const noop = () => {};
const log = { info: noop, warn: noop, error: noop, debug: noop, child: () => log } as unknown as Logger;
let marks: Array<[string, number]> = [];
const mark = (what: string, at = performance.now()) => void marks.push([what, at]);
const pipeline = new Pipeline(new FileSource({ dir, rescanIntervalMs: 0, limits, onParse: () => mark('parsed') }), defaultTranslateOptions, log);
pipeline.onTranslated = (t) => { mark('translate start', t.startedAt); mark('published', t.endedAt); };
let router: Router | undefined;
const routers = new RouterBuilder();
pipeline.feed.subscribe((c) => { router = routers.next(c); mark('router'); });
const t0 = performance.now();
await pipeline.start();
console.log(`pipeline cold start (parse+translate+router): ${ms(t0)}`);
gc();
const memory = () => { const m = process.memoryUsage(); return `heap ${mib(m.heapUsed)} of ${mib(m.heapTotal)}, external ${mib(m.external)} (array buffers ${mib(m.arrayBuffers)}), rss ${mib(m.rss)}`; };
console.log(`with pipeline running (main thread's heap; rss is the process's): ${memory()}`);
// The parse worker's heap is its own: what it let go of after the cold parse is collected when it
// has been idle a while (V8's memory reducer), not by this thread's gc().
await new Promise((r) => setTimeout(r, 15_000));
gc();
console.log(`15 s later, idle: ${memory()}`);
const editDir = join(dir, scaleFileOf(0, perFile), '..');
const watcher = watch(editDir, { persistent: false }, () => { if (!marks.some(([w]) => w === 'fs event')) mark('fs event'); });
for (let round = 0; round < 3; round++) {
  const i = Math.floor(n / 2) + round;
  const host = `edited-${round}-${Date.now()}.bench.example.com`;
  const file = join(dir, scaleFileOf(i, perFile));
  const original = fileText(i);
  writeFileSync(`${file}.tmp`, fileText(i, host));
  // The bench's own garbage (the one file's text is 47.6 MB) is collected before the edit, not during it.
  gc();
  marks = [];
  const cpu0 = cpu();
  const start = performance.now();
  renameSync(`${file}.tmp`, file);
  while (!router?.hosts.external.has(host)) {
    if (performance.now() - start > 60_000) throw new Error('edit not served in 60 s');
    await new Promise((r) => setTimeout(r, 1));
  }
  const timeline = marks.map(([w, at]) => `${w} ${(at - start).toFixed(0)}`).join(', ');
  // CPU time of the whole process (the parse worker's included) from the rename to served: under
  // load, wall time is mostly waiting for a core.
  console.log(`edit ${round} to served (router has the new host): ${ms(start)}, ${(cpu() - cpu0).toFixed(0)} ms cpu (${timeline})`);
  // Restored, and served again without the host, before the next edit (the one file takes a while).
  writeFileSync(file, original);
  const restored = performance.now();
  while (router.hosts.external.has(host)) {
    if (performance.now() - restored > 60_000) throw new Error('restore not served in 60 s');
    await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise((r) => setTimeout(r, 200));
}
watcher.close();
await pipeline.stop();
gc();
console.log(`at end: ${memory()}`);
