// What holds the heap of Kubernetes mode's read side at scale, by owner: a KubernetesSource on the
// fake API server (scale-k8s-apps.ts, run in a child process so that none of it is in this heap:
// timer and socket lists would link its objects to the source's), then the Store and the translator
// on its first push, as the gateway runs them. A heap snapshot is read back and walked
// (bench/heap-owners.ts) from the source's fields in order (each cache before what is made from it),
// then from the Store, the translate cache and the result; an object counts for the first owner
// reaching it. Also prints process.memoryUsage() (external, arrayBuffers) and the heap's peak while
// the lists arrived (what decoding the pages cost beyond what is kept).
//   node --expose-gc --import tsx bench/scale-k8s-heap.ts [N=10000]
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { FakeApiServer } from '../test/support/fake-apiserver.ts';
import { KubeClient } from '../src/k8s/client.ts';
import { KubernetesSource } from '../src/k8s/source.ts';
import { DEFAULT_INGRESS_CLASS } from '../src/api/types.ts';
import type { SourceState } from '../src/sources/types.ts';
import { Store } from '../src/store/store.ts';
import { translate } from '../src/translate/translate.ts';
import { TranslateCache } from '../src/translate/cache.ts';
import { defaultTranslateOptions } from '../src/translate/options.ts';
import { ownersOf, readHeapSnapshot } from './heap-owners.ts';
import { loadApps } from './scale-k8s-apps.ts';

const n = Number(process.argv[2] ?? 10_000);
const mib = (b: number): string => (b / 1048576).toFixed(1);

/** The owners after the source, found by this class's name in the snapshot; the order of its fields is the walk's. */
class HeapOwners {
  constructor(
    readonly source: object,
    readonly store: object,
    readonly cache: object,
    readonly result: object,
  ) {}
}

async function fake(): Promise<void> {
  const api = await FakeApiServer.start();
  loadApps(api, n);
  process.stdout.write(`${api.kubeconfigPath}\n`);
  process.stdin.on('end', () => void api.close().then(() => process.exit(0)));
  process.stdin.resume();
}

async function main(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc');
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), String(n), '--fake'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const kubeconfig = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())));
  gc();
  gc();
  const before = process.memoryUsage();
  const source = new KubernetesSource(KubeClient.load(kubeconfig, { qps: 1000, burst: 1000 }), { ingressClass: DEFAULT_INGRESS_CLASS });
  let state: SourceState | undefined;
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 5);
  await source.start((s) => (state = s));
  clearInterval(sampler);
  const store = new Store();
  const cache = new TranslateCache();
  const result = translate(store.update(state!), defaultTranslateOptions, cache);
  const owners = new HeapOwners(source, store, cache, result);
  gc();
  gc();
  const m = process.memoryUsage();
  console.log(`${n} apps: heap used ${mib(m.heapUsed - before.heapUsed)} MiB beyond the start's, peak while listing ${mib(peak - before.heapUsed)} MiB; external ${mib(m.external)} MiB, arrayBuffers ${mib(m.arrayBuffers)} MiB, rss ${mib(m.rss)} MiB`);
  const file = join(tmpdir(), `sluice-k8s-heap-${process.pid}.heapsnapshot`);
  v8.writeHeapSnapshot(file);
  await source.stop();
  child.stdin.end();
  void owners;
  const graph = await readHeapSnapshot(file);
  rmSync(file, { force: true });
  const order = ['#ingresses', '#services', '#slices', '#secrets', '#namespaces', '#gatewayApi', '#gloo', '#policies', '#validated', '#pushed', '#refs', '#listeners', '#opts'];
  // A reflector's options (callbacks closing over the source) and the client it shares lead to every
  // other cache: not followed, so that each cache counts what it holds itself.
  const stop = new Set(['#opts', '#o', '#client', '#watch', '#timer', '#synced', '#settled']);
  const rows = [
    ...ownersOf(graph, 'KubernetesSource', order, {}, stop).filter((r) => r.owner !== '(rest of the heap)'),
    ...ownersOf(graph, 'HeapOwners', ['source', 'store', 'cache', 'result'], {}).filter((r) => r.owner !== 'source'),
  ];
  console.log('| owner | MiB | objects | largest kinds (MiB) |\n|---|---:|---:|---|');
  for (const r of rows) {
    if (r.bytes < 256 * 1024) continue;
    const kinds = [...r.kinds].sort((a, b) => b[1] - a[1]).slice(0, 4);
    console.log(`| ${r.owner} | ${mib(r.bytes)} | ${r.objects} | ${kinds.map(([k, b]) => `${k} ${mib(b)}`).join(', ')} |`);
  }
}

if (process.argv[3] === '--fake') await fake();
else await main();
