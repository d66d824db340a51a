// Profiles edits at scale. `translate`: in-process, parse once, translate once, then `rounds`
// one-HTTPRoute edits (recheck the file, translate with the cache). `gateway`: the same with the
// Gateway and ReferenceGrant edits of bench/scale-gateway-edits.ts, in turn. `served`: through FileSource,
// Pipeline and the router, as `sluice serve` runs them, each edit until its host is routed. Under
// `node --cpu-prof` skip the cold part (cpuprofile.ts SKIP_FIRST_MS, printed below).
//   node --cpu-prof --import tsx bench/scale-gateway-profile.ts [N=10000] [rounds=20] [translate|gateway|served]
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../src/log.ts';
import { Pipeline } from '../src/pipeline.ts';
import type { Router } from '../src/proxy/router.ts';
import { RouterBuilder } from '../src/proxy/router-builder.ts';
import { ConfigDir } from '../src/sources/config-dir.ts';
import { FileSource } from '../src/sources/file.ts';
import { Store } from '../src/store/store.ts';
import { TranslateCache } from '../src/translate/cache.ts';
import { defaultTranslateOptions } from '../src/translate/options.ts';
import { translate } from '../src/translate/translate.ts';
import { gatewayEdits, prepareGatewayEdits, type FileEdit } from './scale-gateway-edits.ts';
import { GATEWAY_LISTENER_PORT, routeYaml, scaleRoute, scaleRouteName, writeRouteScaleConfig } from './httproute-gen.ts';

const n = Number(process.argv[2] ?? 10_000);
const rounds = Number(process.argv[3] ?? 20);
const mode = process.argv[4] ?? 'translate';
const dir = `/tmp/sluice-scale-gw-${n}`;
const options = { ...defaultTranslateOptions, gatewayAddress: '127.0.0.1' };
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
if (!existsSync(join(dir, 'routes', `${scaleRouteName(n - 1)}.yaml`))) writeRouteScaleConfig(dir, n, 9001, 9002);
prepareGatewayEdits(dir);
const start = performance.now();
const edited = (round: number): { rel: string; host: string; text: string } => {
  const i = Math.floor(n / 2) + (round % 5);
  const route = round % 2 === 0 ? { ...scaleRoute(i, 9001, 9002), host: `p${round}.example.com` } : scaleRoute(i, 9001, 9002);
  return { rel: `routes/${scaleRouteName(i)}.yaml`, host: route.host, text: routeYaml(route) };
};
let editCpu = 0;
if (mode === 'translate' || mode === 'gateway') {
  const config = new ConfigDir(dir);
  await config.scan('');
  const store = new Store();
  const cache = new TranslateCache();
  translate(store.update(config.state()), options, cache);
  console.log(`cold part done at ${(performance.now() - start).toFixed(0)} ms (SKIP_FIRST_MS)`);
  for (let round = 0; round < rounds; round++) {
    if (mode === 'gateway') await config.recheck((gatewayEdits()[round % gatewayEdits().length] as FileEdit).apply(dir));
    else {
      const e = edited(round);
      writeFileSync(join(dir, e.rel), e.text);
      await config.recheck(e.rel);
    }
    const c0 = cpu();
    translate(store.update(config.state()), options, cache);
    editCpu += cpu() - c0;
  }
} else {
  const noop = (): void => {};
  const log = { info: noop, warn: noop, error: noop, debug: noop, child: () => log } as unknown as Logger;
  const pipeline = new Pipeline(new FileSource({ dir, rescanIntervalMs: 0 }), options, log);
  let router: Router | undefined;
  const routers = new RouterBuilder();
  pipeline.feed.subscribe((c) => (router = routers.next(c)));
  await pipeline.start();
  console.log(`cold part done at ${(performance.now() - start).toFixed(0)} ms (SKIP_FIRST_MS)`);
  const portName = `gateway/127.0.0.1:${GATEWAY_LISTENER_PORT}`;
  for (let round = 0; round < rounds; round++) {
    const e = edited(round);
    const file = join(dir, e.rel);
    writeFileSync(`${file}.tmp`, e.text);
    const t0 = performance.now();
    const c0 = cpu();
    renameSync(`${file}.tmp`, file);
    while (router?.hosts[portName]?.has(e.host) !== true) {
      if (performance.now() - t0 > 60_000) throw new Error('edit not served in 60 s');
      await new Promise((r) => setTimeout(r, 1));
    }
    editCpu += cpu() - c0;
  }
  await pipeline.stop();
}
for (let i = 0; i < 5; i++) writeFileSync(join(dir, 'routes', `${scaleRouteName(Math.floor(n / 2) + i)}.yaml`), routeYaml(scaleRoute(Math.floor(n / 2) + i, 9001, 9002)));
prepareGatewayEdits(dir);
console.log(`edit (${mode === 'served' ? 'file write to routed' : 'store.update + translate'}): ${(editCpu / rounds).toFixed(0)} ms cpu per round`);
