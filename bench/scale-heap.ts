// What holds the heap of `sluice serve`'s control and data plane at scale, by owner: the pipeline
// (FileSource, Store, translator caches) and a DataPlane on its feed, as the gateway runs them (no
// listeners, no load), once ready; then a heap snapshot, read back and walked from the owners in
// order (bench/heap-owners.ts): the IR snapshot, the compiled router, the pipeline, the rest of
// the data plane. An owner's figure is what it holds beyond the owners before it.
//   node --expose-gc --import tsx bench/scale-heap.ts [N=10000] [knative|gateway] [dir]
// knative: the one-per-file Knative apps of the scale section; gateway: bench/scale-gateway.ts's routes.
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import type { Logger } from '../src/log.ts';
import { Metrics } from '../src/metrics.ts';
import { Pipeline } from '../src/pipeline.ts';
import { DataPlane } from '../src/proxy/dataplane.ts';
import { Upstreams } from '../src/proxy/upstreams.ts';
import { FileSource } from '../src/sources/file.ts';
import { defaultTranslateOptions } from '../src/translate/options.ts';
import { duplicateStrings, ownersOf, readHeapSnapshot } from './heap-owners.ts';
import { scaleRouteName, writeRouteScaleConfig } from './httproute-gen.ts';
import { scaleAppName, writeScaleConfig } from './ingress-gen.ts';

const n = Number(process.argv[2] ?? 10_000);
const mode = process.argv[3] === 'gateway' ? 'gateway' : 'knative';
const dir = process.argv[4] ?? (mode === 'gateway' ? `/tmp/sluice-scale-gw-${n}` : `/tmp/sluice-scale-${n}`);
if (mode === 'gateway' && !existsSync(join(dir, 'routes', `${scaleRouteName(n - 1)}.yaml`))) writeRouteScaleConfig(dir, n, 9001, 9002, 'HTTPRoute');
if (mode === 'knative' && !existsSync(join(dir, 'apps', `${scaleAppName(n - 1)}.yaml`))) writeScaleConfig(dir, n, 9001, 9002);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');
const mib = (b: number): string => (b / 1048576).toFixed(1);

const noop = (): void => {};
const log = { info: noop, warn: noop, error: noop, debug: noop, child: () => log } as unknown as Logger;
const options = mode === 'gateway' ? { ...defaultTranslateOptions, gatewayAddress: '127.0.0.1' } : defaultTranslateOptions;
const pipeline = new Pipeline(new FileSource({ dir, rescanIntervalMs: 0 }), options, log);
const plane = new DataPlane(pipeline.feed, new Upstreams(), new Metrics(), log);
await pipeline.start();
if (plane.router === undefined) throw new Error('no router after start');

/** The owners, found by this class's name in the snapshot; the order of its fields is the walk's. */
class HeapOwners {
  constructor(
    readonly snapshot: object,
    readonly router: object,
    readonly pipeline: object,
    readonly dataplane: object,
  ) {}
}
const owners = new HeapOwners(plane.router.snapshot, plane.router, pipeline, plane);
gc();
gc();
const m = process.memoryUsage();
console.log(`${n} ${mode === 'gateway' ? 'HTTPRoutes' : 'Knative apps (one per file)'}: heap used ${mib(m.heapUsed)} MiB, rss ${mib(m.rss)} MiB`);
const file = join(tmpdir(), `sluice-heap-${process.pid}.heapsnapshot`);
v8.writeHeapSnapshot(file);
await pipeline.stop();
plane.stop();
void owners;

const graph = await readHeapSnapshot(file);
rmSync(file, { force: true });
const snapshotParts = {
  clusters: 'clusters',
  endpoints: 'endpoints',
  listeners: 'virtual hosts',
  ports: 'virtual hosts',
  virtualHosts: 'virtual hosts',
  routes: 'routes',
  splits: 'splits',
  filters: 'route filters',
  edits: 'header edits',
  headers: 'header matches',
  domains: 'host names',
  ingresses: 'ingress infos',
  tls: 'certificates',
};
const parts = {
  snapshot: snapshotParts,
  router: { hosts: 'host tables', routes: 'compiled route lists', splits: 'compiled splits', request: 'header edits', response: 'header edits', path: 'matchers', headers: 'matchers', query: 'matchers', clusters: 'resolved-cluster lists', mirrors: 'mirrors' },
  dataplane: { live: 'live origins', '#served': 'served index', metrics: 'metrics', backends: 'backend guards', '#routers': 'router builder indexes', upstreams: 'pools', fast: 'pools', functions: 'functions' },
  pipeline: {
    '#store': 'store',
    '#cache': 'translate cache',
    '#source': 'source (parsed files)',
    '#lastResult': 'last translate result',
    '#diffs': 'diffs since published',
    // The Gateway API part's state, inside the translate cache.
    routeRules: 'translate cache: route rules',
    reads: 'translate cache: what each route read',
    grantReads: 'translate cache: what each route read',
    index: 'translate cache: route index',
    deps: 'translate cache: what each route read',
    state: 'translate cache: translator state',
  },
};
const rows = ownersOf(graph, 'HeapOwners', ['snapshot', 'router', 'pipeline', 'dataplane'], parts);
console.log('| owner | part | MiB | objects |\n|---|---|---:|---:|');
for (const r of rows) if (r.bytes >= 256 * 1024) console.log(`| ${r.owner} | ${r.part} | ${mib(r.bytes)} | ${r.objects} |`);
if (process.env.HEAP_KINDS !== undefined) {
  for (const r of rows) {
    if (r.bytes < 1048576) continue;
    const kinds = [...r.kinds].sort((a, b) => b[1] - a[1]).slice(0, 5);
    console.log(`  ${r.owner} / ${r.part}: ${kinds.map(([k, b]) => `${k} ${mib(b)}`).join(', ')}`);
  }
}
const byOwner = new Map<string, number>();
for (const r of rows) byOwner.set(r.owner, (byOwner.get(r.owner) ?? 0) + r.bytes);
console.log(`by owner: ${[...byOwner].map(([o, b]) => `${o} ${mib(b)} MiB`).join(', ')}`);
const dups = duplicateStrings(graph);
console.log(`strings held more than once: ${mib(dups.excess)} MiB beyond one copy each; largest:`);
for (const d of dups.top) console.log(`  ${d.copies} x ${JSON.stringify(d.text)}: ${mib(d.bytes)} MiB`);
