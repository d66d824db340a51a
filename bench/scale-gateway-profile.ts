// Profiles one-HTTPRoute edits at scale, in-process: parse once, translate once, then `rounds`
// edits (recheck the file, translate with the cache). Under `node --cpu-prof` the edits dominate
// once the cold part is skipped (cpuprofile.ts SKIP_FIRST_MS, printed below).
//   node --cpu-prof --import tsx bench/scale-gateway-profile.ts [N=10000] [rounds=20]
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigDir } from '../src/sources/config-dir.ts';
import { Store } from '../src/store/store.ts';
import { TranslateCache } from '../src/translate/cache.ts';
import { defaultTranslateOptions } from '../src/translate/options.ts';
import { translate } from '../src/translate/translate.ts';
import { routeYaml, scaleRoute, scaleRouteName, writeRouteScaleConfig } from './httproute-gen.ts';

const n = Number(process.argv[2] ?? 10_000);
const rounds = Number(process.argv[3] ?? 20);
const dir = `/tmp/sluice-scale-gw-${n}`;
const options = { ...defaultTranslateOptions, gatewayAddress: '127.0.0.1' };
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
if (!existsSync(join(dir, 'routes', `${scaleRouteName(n - 1)}.yaml`))) writeRouteScaleConfig(dir, n, 9001, 9002);
const start = performance.now();
const config = new ConfigDir(dir);
await config.scan('');
const store = new Store();
const cache = new TranslateCache();
translate(store.update(config.state()), options, cache);
console.log(`cold part done at ${(performance.now() - start).toFixed(0)} ms (SKIP_FIRST_MS)`);
let translateCpu = 0;
for (let round = 0; round < rounds; round++) {
  const i = Math.floor(n / 2) + (round % 5);
  const rel = `routes/${scaleRouteName(i)}.yaml`;
  const edited = round % 2 === 0 ? { ...scaleRoute(i, 9001, 9002), host: `p${round}.example.com` } : scaleRoute(i, 9001, 9002);
  writeFileSync(join(dir, rel), routeYaml(edited));
  await config.recheck(rel);
  const c0 = cpu();
  translate(store.update(config.state()), options, cache);
  translateCpu += cpu() - c0;
}
for (let i = 0; i < 5; i++) writeFileSync(join(dir, 'routes', `${scaleRouteName(Math.floor(n / 2) + i)}.yaml`), routeYaml(scaleRoute(Math.floor(n / 2) + i, 9001, 9002)));
console.log(`edit (store.update + translate): ${(translateCpu / rounds).toFixed(0)} ms cpu per round`);
