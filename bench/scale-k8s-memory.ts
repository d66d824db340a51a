// Heap kept by each stage of Kubernetes mode's read side at scale, after full GCs, in one process with
// the fake API server (whose own heap is measured first and left out):
//   node --expose-gc --import tsx bench/scale-k8s-memory.ts [N=10000]
// the source (watch caches, and the validated resources it pushes), the Store, the translator state
// and snapshot; then how long the source took to list everything and push its first state.
import { FakeApiServer } from '../test/support/fake-apiserver.ts';
import { KubeClient } from '../src/k8s/client.ts';
import { KubernetesSource } from '../src/k8s/source.ts';
import { DEFAULT_INGRESS_CLASS } from '../src/api/types.ts';
import type { SourceState } from '../src/sources/types.ts';
import { Store } from '../src/store/store.ts';
import { translate } from '../src/translate/translate.ts';
import { TranslateCache } from '../src/translate/cache.ts';
import { defaultTranslateOptions } from '../src/translate/options.ts';
import { loadApps } from './scale-k8s-apps.ts';

const n = Number(process.argv[2] ?? 10_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');
const mib = (b: number) => `${(b / 1048576).toFixed(1)} MiB`;
const used = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

const api = await FakeApiServer.start();
loadApps(api, n);
const h0 = used();
const source = new KubernetesSource(KubeClient.load(api.kubeconfigPath, { qps: 1000, burst: 1000 }), { ingressClass: DEFAULT_INGRESS_CLASS });
let state: SourceState | undefined;
const t0 = performance.now();
await source.start((s) => (state = s));
const listed = performance.now() - t0;
const h1 = used();
const set = new Store().update(state!);
const h2 = used();
const t1 = performance.now();
const result = translate(set, defaultTranslateOptions, new TranslateCache());
const translated = performance.now() - t1;
const h3 = used();
console.log(`${n} apps: listed and first state pushed in ${Math.round(listed)} ms, translated in ${Math.round(translated)} ms`);
console.log(`heap kept: source ${mib(h1 - h0)}, store ${mib(h2 - h1)}, translate ${mib(h3 - h2)} (${state!.resources.length} resources)`);
await source.stop();
await api.close();
void result;
