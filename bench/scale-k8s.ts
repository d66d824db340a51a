// Kubernetes mode at scale, against the fake API server (test/support): N apps (each an ingress of our
// class, two revisions' Services and Endpoints, all carrying a kubectl-sized managedFields), then
// `sluice serve --kubernetes` started on them:
//   node --import tsx bench/scale-k8s.ts [N=10000]
// prints the time from process start to /ready (every route served: list + watch warm-up), the RSS
// once ready and after 5 s idle, and how many list/watch requests the warm-up took.
import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { FakeApiServer, type KObject } from '../test/support/fake-apiserver.ts';
import { startSluice } from '../test/support/sluice.ts';
import { appYaml, scaleApp } from './ingress-gen.ts';

const n = Number(process.argv[2] ?? 10_000);
const managedFields = [{ manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'v1', time: '2026-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:annotations': { '.': {}, 'f:kubectl.kubernetes.io/last-applied-configuration': {} } }, 'f:spec': { 'f:ports': { '.': {}, 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:name': {}, 'f:port': {}, 'f:protocol': {}, 'f:targetPort': {} } }, 'f:sessionAffinity': {}, 'f:type': {} } } }];

const api = await FakeApiServer.start();
const t0 = performance.now();
for (let i = 0; i < n; i++) {
  for (const text of appYaml(scaleApp(i, 9001, 9002)).split(/^---$/m)) {
    const o = load(text) as KObject | null;
    if (!o?.kind) continue;
    o.metadata = { ...o.metadata, managedFields };
    api.put(o);
  }
}
console.log(`${n} apps in the fake API server (${api.resourceVersion} writes) in ${Math.round(performance.now() - t0)} ms`);
const rssOf = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const before = api.requests.length;
const start = performance.now();
const gw = await startSluice(['serve', '--kubernetes', '--kubeconfig', api.kubeconfigPath, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--lease-duration', '3'], ['http', 'local', 'admin'], { boundMs: 300_000 });
for (;;) {
  const r = await fetch(`http://${gw.addresses.admin}/ready`).catch(() => undefined);
  if (r?.status === 200) break;
  if (performance.now() - start > 300_000) throw new Error('not ready in 300 s');
  await new Promise((res) => setTimeout(res, 50));
}
const ready = performance.now() - start;
const pid = gw.child.pid!;
console.log(`ready ${(ready / 1000).toFixed(1)} s from process start; rss ${rssOf(pid).toFixed(0)} MiB; ${api.requests.length - before} API requests`);
await new Promise((res) => setTimeout(res, 5000));
console.log(`rss after 5 s idle ${rssOf(pid).toFixed(0)} MiB`);
await gw.stop();
await api.close();
