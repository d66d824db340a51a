// Profiles the translator alone at scale: `node --cpu-prof --import tsx bench/scale-profile.ts [N] [cold|edit]`.
// Parses once (not profiled work of interest), then runs cold translates or cached one-edit translates.
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { ConfigDir } from '../src/sources/config-dir.ts';
import { Store } from '../src/store/store.ts';
import { translate } from '../src/translate/translate.ts';
import { TranslateCache } from '../src/translate/cache.ts';
import { defaultTranslateOptions } from '../src/translate/options.ts';
import { appYaml, scaleApp, scaleAppName, writeScaleConfig } from './ingress-gen.ts';
import { existsSync } from 'node:fs';

const n = Number(process.argv[2] ?? 10_000);
const mode = process.argv[3] ?? 'cold';
const rounds = Number(process.argv[4] ?? 5);
const dir = `/tmp/sluice-scale-${n}`;
if (!existsSync(join(dir, 'apps', `${scaleAppName(n - 1)}.yaml`))) writeScaleConfig(dir, n, 9001, 9002);
const tp = performance.now();
const config = new ConfigDir(dir);
await config.scan('');
// (pass this as cpuprofile.ts's SKIP_FIRST_MS to look at the translation alone)
console.log(`parse: ${(performance.now() - tp).toFixed(0)} ms`);
const store = new Store();
const cache = new TranslateCache();
(globalThis as { gc?: () => void }).gc?.();
const tf = performance.now();
translate(store.update(config.state()), defaultTranslateOptions, cache);
console.log(`first translate: ${(performance.now() - tf).toFixed(0)} ms`);
const t0 = performance.now();
for (let round = 0; round < rounds; round++) {
  if (mode === 'cold') {
    translate(store.update(config.state()), defaultTranslateOptions);
  } else {
    const i = 100 + round;
    const rel = `apps/${scaleAppName(i)}.yaml`;
    writeFileSync(join(dir, rel), appYaml({ ...scaleApp(i, 9001, 9002), host: `p${round}.example.com` }));
    await config.recheck(rel);
    translate(store.update(config.state()), defaultTranslateOptions, cache);
    writeFileSync(join(dir, rel), appYaml(scaleApp(i, 9001, 9002)));
    await config.recheck(rel);
  }
}
console.log(`${mode}: ${((performance.now() - t0) / rounds).toFixed(0)} ms per round`);
