// Profiles the edits alone of a scale config directory, read in this thread as the parse worker
// reads it (document by document): a cold scan first (not profiled), then EDITS edits of one app's
// file, each re-read and taken in (ConfigDir.recheck and state()), then (with `translate`) put in
// the Store and translated as the pipeline does, under the inspector's profiler.
//   node --import tsx bench/scale-edit-profile.ts [N=10000] [P=all|100|1] [EDITS=10] [OUT=/tmp/scale-edit.cpuprofile] [source|translate]
// then `tsx bench/cpuprofile.ts OUT`. EDIT_EACH=1 prints each edit's CPU (the first edits show the
// JIT's warm-up).
import { Session } from 'node:inspector/promises';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigDir } from '../src/sources/config-dir.ts';
import { DocReuse } from '../src/sources/doc-reuse.ts';
import { InlineParser } from '../src/sources/file-parser.ts';
import { defaultLimits } from '../src/sources/read-file.ts';
import { Store } from '../src/store/store.ts';
import { TranslateCache } from '../src/translate/cache.ts';
import { defaultTranslateOptions } from '../src/translate/options.ts';
import { translate } from '../src/translate/translate.ts';
import { scaleApp, scaleFileOf, scaleFileText, writeScaleConfig } from './ingress-gen.ts';

const n = Number(process.argv[2] ?? 10_000);
const perFile = process.argv[3] === 'all' || process.argv[3] === undefined ? Number.POSITIVE_INFINITY : Number(process.argv[3]);
const edits = Number(process.argv[4] ?? 10);
const out = process.argv[5] ?? '/tmp/scale-edit.cpuprofile';
const withTranslate = process.argv[6] === 'translate';
const dir = `/tmp/sluice-scale-${n}${perFile === 1 ? '' : `-p${perFile === Number.POSITIVE_INFINITY ? 'all' : perFile}`}`;
if (!existsSync(join(dir, scaleFileOf(n - 1, perFile)))) writeScaleConfig(dir, n, 9001, 9002, perFile);
const limits = perFile === Number.POSITIVE_INFINITY ? { maxFileBytes: 1 << 30, maxDocuments: 10_000_000 } : defaultLimits;
const config = new ConfigDir(dir, { limits, parser: new InlineParser(limits, new DocReuse()) });
await config.scan('');
const store = new Store();
const cache = new TranslateCache();
const take = (): void => {
  const state = config.state();
  if (withTranslate) translate(store.update(state), defaultTranslateOptions, cache);
};
take();
const i = Math.floor(n / 2);
const rel = scaleFileOf(i, perFile);
const texts = [scaleFileText(i, n, perFile, 9001, 9002, { i, app: { ...scaleApp(i, 9001, 9002), host: 'profiled.example.com' } }), scaleFileText(i, n, perFile, 9001, 9002)];
const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.start');
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
let spent = 0;
for (let e = 0; e < edits; e++) {
  writeFileSync(join(dir, rel), texts[e % 2] as string);
  const c = cpu();
  await config.recheck(rel);
  take();
  const d = cpu() - c;
  spent += d;
  if (process.env.EDIT_EACH) console.log(`edit ${e}: ${d.toFixed(1)} ms cpu`);
}
const { profile } = await session.post('Profiler.stop');
writeFileSync(out, JSON.stringify(profile));
writeFileSync(join(dir, rel), texts[1] as string);
console.log(`${edits} edits of ${rel}: ${(spent / edits).toFixed(1)} ms cpu each (re-read and taken in${withTranslate ? ', translated' : ''}); profile in ${out}`);
