// In-process scale measurement of the control plane on Gateway API input (no proxy, no load): one
// Gateway and N routes (one hostname each, four rules with a header match, a request header
// filter and a 90/10 split, two Services with EndpointSlices), spread over 100 namespaces (each a
// Namespace labelled `team: bench`): cold parse, cold translate, an edit of one route to its new
// hostname being served by the router, Gateway, Namespace and ReferenceGrant edits (in process:
// translator CPU and how many routes each re-translates and attaches again), heap and RSS. The
// Knative counterpart is bench/scale-translate.ts; the targets are the same (README "Performance").
// GRPCRoute: the same routes as GRPCRoutes (a method match per rule instead of a path); mixed:
// HTTPRoutes and GRPCRoutes in turn (N/2 each) on the one Gateway.
//   node --expose-gc --import tsx bench/scale-gateway.ts [N=10000] [dir=/tmp/sluice-scale-KIND-ns100-N] [HTTPRoute|GRPCRoute|mixed]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import v8 from 'node:v8';
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
import { gatewayEdits, prepareGatewayEdits } from './scale-gateway-edits.ts';
import { GATEWAY_LISTENER_PORT, scaleRoute, scaleRouteName, scaleRouteText, writeRouteScaleConfig, type ScaleLayout } from './httproute-gen.ts';

const n = Number(process.argv[2] ?? 10_000);
const shape = process.argv[4] === 'GRPCRoute' || process.argv[4] === 'mixed' ? process.argv[4] : 'HTTPRoute';
const layout: ScaleLayout = { shape, namespaces: 100 };
const dir = process.argv[3] ?? `/tmp/sluice-scale-${shape === 'GRPCRoute' ? 'grpc' : shape === 'mixed' ? 'mixed' : 'gw'}-ns100-${n}`;
const options = { ...defaultTranslateOptions, gatewayAddress: '127.0.0.1' };
const portName = `gateway/127.0.0.1:${GATEWAY_LISTENER_PORT}`;
const mib = (b: number): string => `${(b / 1048576).toFixed(0)} MiB`;
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
const since = (t0: number): number => performance.now() - t0;
// What RSS holds besides the live heap: the heap's committed spaces, memory outside it, and file-backed pages (the binary).
const rssParts = (): string => {
  const m = process.memoryUsage();
  const rollup = readFileSync('/proc/self/smaps_rollup', 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? 0) * 1024;
  const space = (name: string): number => v8.getHeapSpaceStatistics().find((s) => s.space_name === name)?.physical_space_size ?? 0;
  const heap = v8.getHeapSpaceStatistics().reduce((n, s) => n + s.physical_space_size, 0);
  return `rss ${mib(m.rss)}: heap resident ${mib(heap)} (new ${mib(space('new_space'))}, old ${mib(space('old_space'))}, large objects ${mib(space('large_object_space'))}; used ${mib(m.heapUsed)}), anonymous beyond the heap ${mib(kb('Anonymous') - heap)}, file-backed ${mib(kb('Rss') - kb('Anonymous'))}`;
};
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

// The in-process part runs in a child process of its own (this script again), so the pipeline's
// heap and RSS below are those of a process that did nothing else, as `sluice serve`'s are: in one
// process, the in-process part's leftovers (old-space pages and malloc arenas it grew) were 60-95 MiB
// of the RSS read after it. SAME_PROCESS=1 runs both in one process, as before.
const inProcessChild = process.env.SCALE_GATEWAY_PART === 'in-process';
if (!inProcessChild) {
  if (!existsSync(join(dir, 'routes', `${scaleRouteName(n - 1)}.yaml`))) writeRouteScaleConfig(dir, n, 9001, 9002, layout);
  prepareGatewayEdits(dir, layout);
  console.log(`${n} routes (${shape === 'mixed' ? 'HTTPRoutes and GRPCRoutes in turn' : `${shape}s`}) over ${layout.namespaces} namespaces, in ${dir}`);
}

// 1. cold parse and cold translate, separately (wall and CPU: the machine is shared), then the
// Gateway and ReferenceGrant edits; in a function, so none of it is alive when the pipeline's RSS is read.
async function inProcess(): Promise<void> {
  const config = new ConfigDir(dir);
  let t0 = performance.now();
  let c0 = cpu();
  await config.scan('');
  const state = config.state();
  console.log(`cold parse (read+yaml+validate) ${n} routes: ${since(t0).toFixed(0)} ms wall, ${(cpu() - c0).toFixed(0)} ms cpu, ${state.resources.length} resources, ${state.rejections.length} rejected`);
  gc();
  const parsedHeap = process.memoryUsage().heapUsed;
  t0 = performance.now();
  c0 = cpu();
  const store = new Store();
  const cache = new TranslateCache();
  const result = translate(store.update(state), options, cache);
  const vhosts = result.snapshot.ports.find((p) => p.name === portName)?.virtualHosts.length ?? 0;
  console.log(`cold translate (store+translate): ${since(t0).toFixed(0)} ms wall, ${(cpu() - c0).toFixed(0)} ms cpu; ${vhosts} virtual hosts on ${portName}`);
  if (vhosts < n) throw new Error(`expected ${n} virtual hosts, got ${vhosts}`);
  gc();
  console.log(`heap: parsed config ${mib(parsedHeap)}, + store and translation ${mib(process.memoryUsage().heapUsed - parsedHeap)}`);

  // 1b. Gateway and ReferenceGrant edits, in process: what one costs the translator (CPU of
  // store.update + translate with the cache), and how many routes it translated and attached again.
  let translated = 0;
  let attached = 0;
  let built = 0;
  cache.onTranslate = () => translated++;
  cache.onCompose = (what) => (what.startsWith('attach ') ? attached++ : built++);
  for (const edit of gatewayEdits(layout)) {
    const rel = edit.apply(dir);
    await config.recheck(rel);
    [translated, attached, built] = [0, 0, 0];
    const e0 = cpu();
    translate(store.update(config.state()), options, cache);
    console.log(`${edit.name}: ${(cpu() - e0).toFixed(0)} ms cpu; ${translated} routes translated, ${attached} attached, ${built} virtual hosts built`);
  }
  await config.close();
}
if (inProcessChild || process.env.SAME_PROCESS === '1') {
  await inProcess();
  gc();
  if (inProcessChild) process.exit(0);
  console.log(`before the pipeline (the in-process part done, in this process): ${rssParts()}`);
} else {
  const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, SCALE_GATEWAY_PART: 'in-process' } });
  if (child.status !== 0) throw new Error(`the in-process part failed: ${child.status ?? child.signal}`);
}

// 2. edit to served, through FileSource + Pipeline + the router, as `sluice serve` runs them
const noop = (): void => {};
const log = { info: noop, warn: noop, error: noop, debug: noop, child: () => log } as unknown as Logger;
const pipeline = new Pipeline(new FileSource({ dir, rescanIntervalMs: 0 }), options, log);
let router: Router | undefined;
const routers = new RouterBuilder();
pipeline.feed.subscribe((c) => (router = routers.next(c)));
const t0 = performance.now();
await pipeline.start();
console.log(`pipeline cold start (parse+translate+router): ${since(t0).toFixed(0)} ms`);
gc();
console.log(`heap with pipeline running: ${mib(process.memoryUsage().heapUsed)}, rss ${mib(process.memoryUsage().rss)}`);
console.log(rssParts());
const edits: number[] = [];
// CPU time per edit as well as wall: on a shared, loaded machine wall time mostly measures the queue.
const editsCpu: number[] = [];
for (let round = 0; round < 5; round++) {
  const i = Math.floor(n / 2) + round;
  const host = `edited-${round}-${Date.now()}.bench.example.com`;
  const file = join(dir, 'routes', `${scaleRouteName(i)}.yaml`);
  const original = scaleRouteText(layout, i, 9001, 9002);
  writeFileSync(`${file}.tmp`, scaleRouteText(layout, i, 9001, 9002, host));
  const start = performance.now();
  const startCpu = cpu();
  renameSync(`${file}.tmp`, file);
  while (router?.hosts[portName]?.has(host) !== true) {
    if (since(start) > 60_000) throw new Error('edit not served in 60 s');
    await new Promise((r) => setTimeout(r, 1));
  }
  edits.push(since(start));
  editsCpu.push(cpu() - startCpu);
  writeFileSync(file, original);
  // The restore is served before the next edit is timed.
  const back = scaleRoute(i, 9001, 9002).host;
  while (router?.hosts[portName]?.has(back) !== true) {
    if (since(start) > 120_000) throw new Error('restore not served in 60 s');
    await new Promise((r) => setTimeout(r, 5));
  }
}
const sorted = [...edits].sort((a, b) => a - b);
const sortedCpu = [...editsCpu].sort((a, b) => a - b);
console.log(`edit to served (router has the new host): median ${sorted[2]!.toFixed(0)} ms wall, ${sortedCpu[2]!.toFixed(0)} ms cpu (${edits.map((e) => e.toFixed(0)).join(', ')} ms wall; ${editsCpu.map((e) => e.toFixed(0)).join(', ')} ms cpu)`);
await pipeline.stop();
console.log(`rss at end: ${mib(process.memoryUsage().rss)}`);
gc();
console.log(`at end, after a full collection: ${rssParts()}`);
