// Kubernetes mode at scale, against the fake API server (test/support): N apps (scale-k8s-apps.ts: an
// ingress of our class, two revisions' Services and EndpointSlices, all with a kubectl-sized
// managedFields) and the gateway's own replicas, then `sluice serve --kubernetes` started on them:
//   node --import tsx bench/scale-k8s.ts [N=10000] [--edits 10] [--heap DIR]
// prints, for a first start and for a restart: the time from process start to /ready (list + watch
// warm-up, every route served), the RSS then and after 5 s idle, the list requests, and the time until
// every ingress is Ready in status (the leader probes itself and writes status within --kube-api-qps);
// then the per-edit status latency: from one ingress's watch event to its status written, and Ready.
// --heap DIR writes a heap snapshot of the first run once idle (SIGUSR2) into DIR, --heap-ready DIR one at
// ready (its pause delays the probing and writes that follow); --alloc prints the
// first run's top allocation sites (garbage included) from ready until every ingress is Ready in status
// (--alloc-promoted: only what reached the old generation);
// --cpu-prof DIR writes the first run's CPU profile (from start to stop, edits included) into DIR.
// --mem prints the first run's heap (used, committed, by space) against its RSS, before and after full
// GCs (live vs garbage), at ready and after 5 s idle (bench/preload/mem-report.mjs); the GCs it forces
// change the RSS figures that follow.
// --node-flags "F ..." passes node flags to both runs' gateway (e.g. `--max-semi-space-size=8 --trace-gc`: the
// first run then also prints its scavenges and full collections); each run prints the gateway's CPU time.
// --settle also prints the RSS after 20 s idle (what the gateway's own heap release leaves).
// --split prints where the first run's RSS is, without forcing a collection, at ready, after 5 s idle and
// (--settle) after 20 s: file-backed and anonymous, V8's heap spaces resident/used, and the anonymous
// memory outside the heap (malloc, stacks; mem-report.mjs's MEMREPORT).
// The gateway is bin/sluice.js, as deployed: the compiled dist/ when built (`npm run build`; a build
// older than the sources is refused), else the sources through tsx. --tsx runs the sources through tsx
// whatever is built (tsx's loader thread and its transformed sources add to the RSS).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { staleBuild } from './stale-build.ts';
import { freePort } from './proc.ts';
import { FakeApiServer, type KObject, type RequestRecord } from '../test/support/fake-apiserver.ts';
import { startSluice, type SluiceProcess } from '../test/support/sluice.ts';
import { loadApps, loadGatewayReplicas } from './scale-k8s-apps.ts';
import { NAMESPACE, scaleAppName } from './ingress-gen.ts';
import { formatAllocSites, parseAllocSites } from './alloc-sites.ts';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};
const edits = Number(flag('--edits') ?? 10);
const heapDir = flag('--heap');
const heapReadyDir = flag('--heap-ready');
const extraNodeFlags = (flag('--node-flags') ?? '').split(/\s+/).filter((f) => f !== '');
const cpuDir = flag('--cpu-prof');
const promotedAt = args.indexOf('--alloc-promoted');
const promoted = promotedAt >= 0 && args.splice(promotedAt, 1).length > 0;
const allocAt = args.indexOf('--alloc');
const alloc = promoted || (allocAt >= 0 && args.splice(allocAt, 1).length > 0);
const memAt = args.indexOf('--mem');
const mem = memAt >= 0 && args.splice(memAt, 1).length > 0;
const splitAt = args.indexOf('--split');
const split = splitAt >= 0 && args.splice(splitAt, 1).length > 0;
const settleAt = args.indexOf('--settle');
const settle = settleAt >= 0 && args.splice(settleAt, 1).length > 0;
const tsxAt = args.indexOf('--tsx');
const viaTsx = tsxAt >= 0 && args.splice(tsxAt, 1).length > 0;
const BIN = fileURLToPath(new URL('../bin/sluice.js', import.meta.url));
const stale = viaTsx ? undefined : staleBuild(dirname(dirname(BIN)));
if (stale !== undefined) throw new Error(stale);
const n = Number(args[0] ?? 10_000);

const rssOf = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
/** RSS split as the kernel sees it: file-backed (mostly the node binary's pages) and anonymous (heap, malloc, stacks). */
const rssSplit = (pid: number): string => {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? 0) / 1024;
  return `file-backed ${(kb('Rss') - kb('Anonymous')).toFixed(1)} MiB, anonymous ${kb('Anonymous').toFixed(1)}`;
};
const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));
const s1 = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const isIngress = (o: KObject) => o.kind === 'Ingress';
const readyFor = (o: KObject): boolean => {
  const st = o.status as { observedGeneration?: number; conditions?: Array<{ type: string; status: string }> } | undefined;
  return st?.observedGeneration === o.metadata?.generation && st?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
};
const isStatusPut = (r: RequestRecord) => r.method === 'PUT' && r.path.endsWith('/status');

const api = await FakeApiServer.start();
let t = performance.now();
loadApps(api, n);
const [httpPort, localPort] = [await freePort(), await freePort()];
loadGatewayReplicas(api, httpPort, localPort);
console.log(`${n} apps in the fake API server (${api.resourceVersion} writes) in ${Math.round(performance.now() - t)} ms; gateway ${viaTsx ? 'sources through tsx' : 'bin/sluice.js'}; load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(2)).join(' ')}`);

// When each ingress was last seen Ready for its generation (the fake tells of every write).
const readyAt = new Map<string, number>();
api.onEvent = (_type, o) => {
  if (isIngress(o) && readyFor(o)) readyAt.set(o.metadata!.name!, performance.now());
};

async function start(label: string, nodeArgs: string[] = []): Promise<SluiceProcess> {
  const first = api.requests.length;
  const t0 = performance.now();
  const gw = await startSluice(
    ['serve', '--kubernetes', '--kubeconfig', api.kubeconfigPath, '--http', `127.0.0.1:${httpPort}`, '--local', `127.0.0.1:${localPort}`, '--admin', '127.0.0.1:0', '--lease-duration', '3'],
    ['http', 'local', 'admin'],
    { boundMs: 300_000, nodeArgs: [...extraNodeFlags, ...nodeArgs], ...(viaTsx ? {} : { entry: BIN }), env: { SLUICE_LOG_LEVEL: 'info', ...(promoted ? { SLUICE_ALLOC_PROMOTED: '1' } : {}) } },
  );
  // A bound passed (a loaded machine) stops the gateway too: it must not outlive the bench.
  try {
    return await measure(label, gw, t0, first);
  } catch (err) {
    await gw.stop();
    throw err;
  }
}

async function measure(label: string, gw: SluiceProcess, t0: number, first: number): Promise<SluiceProcess> {
  for (;;) {
    const r = await fetch(`http://${gw.addresses.admin}/ready`).catch(() => undefined);
    if (r?.status === 200) break;
    if (performance.now() - t0 > 300_000) throw new Error('not ready in 300 s');
    await sleep(50);
  }
  const ready = performance.now() - t0;
  const pid = gw.child.pid!;
  const lists = api.requests.slice(first).filter((r) => r.method === 'GET' && r.query.watch === undefined && !r.path.startsWith('/apis/coordination'));
  console.log(`${label}: ready ${s1(ready)} from process start; rss ${rssOf(pid).toFixed(0)} MiB; ${lists.length} list/get requests (${lists.filter((r) => r.query.continue).length} continued pages)`);
  const wasReady = readyAt.size === n;
  if (heapReadyDir && label === 'first start') await heapSnapshot(gw, heapReadyDir);
  const memory = mem && label === 'first start';
  const splitting = split && label === 'first start';
  if (splitting) await splitReport(gw, `${label} at ready`);
  if (memory) await memReport(gw, `${label} at ready`);
  const sampling = alloc && label === 'first start';
  if (sampling) gw.child.kill('SIGUSR2');
  for (;;) {
    if (readyAt.size === n) break;
    if (performance.now() - t0 > 600_000) throw new Error(`${n - readyAt.size} ingresses not Ready in 600 s`);
    await sleep(100);
  }
  if (wasReady) await sleep(5000);
  if (sampling) {
    gw.child.kill('SIGUSR2');
    for (let i = 0; i < 100 && !gw.lines.some((l) => l.startsWith('ALLOCSITES ')); i++) await sleep(50);
    const a = parseAllocSites(gw.lines.join('\n'));
    if (a) console.log(formatAllocSites(a, n).replace('per request', 'per ingress').replaceAll('B/req', 'B/ing'));
  }
  const writes = api.requests.slice(first).filter(isStatusPut).map((r) => r.at);
  let busiest = 0;
  for (let i = 0, j = 0; i < writes.length; i++) {
    while (writes[j]! < writes[i]! - 1000) j++;
    busiest = Math.max(busiest, i - j + 1);
  }
  const all = wasReady ? 'all already Ready in status' : `all ${n} Ready in status ${s1(Math.max(...readyAt.values()) - t0)} from process start`;
  console.log(`${label}: ${all}; ${writes.length} status writes, at most ${busiest} in any second`);
  await sleep(5000);
  console.log(`${label}: rss after 5 s idle ${rssOf(pid).toFixed(0)} MiB`);
  if (splitting) await splitReport(gw, `${label} after 5 s idle`);
  if (memory) await memReport(gw, `${label} after 5 s idle`);
  else if (settle) {
    // The gateway's own release (a full collection once quiet, the young generation shrunk after 12 s more).
    await sleep(15_000);
    console.log(`${label}: rss after 20 s idle ${rssOf(pid).toFixed(0)} MiB`);
    if (splitting) await splitReport(gw, `${label} after 20 s idle`);
  }
  const cpu = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const gcs = gw.lines.filter((l) => / (Scavenge|Mark-Compact|Mark-sweep)/.test(l));
  console.log(`${label}: gateway CPU ${((Number(cpu[11]) + Number(cpu[12])) / 100).toFixed(1)} s so far${gcs.length > 0 ? `; ${gcs.filter((l) => l.includes('Scavenge')).length} scavenges, ${gcs.length - gcs.filter((l) => l.includes('Scavenge')).length} full collections (--trace-gc)` : ''}`);
  return gw;
}

/** Has the gateway write a heap snapshot into `dir` (--heapsnapshot-signal) and waits until it is written. */
async function heapSnapshot(gw: SluiceProcess, dir: string): Promise<void> {
  const before = new Set(readdirSync(dir));
  gw.child.kill('SIGUSR2');
  for (let i = 0; i < 1200; i++) {
    const made = readdirSync(dir).find((f) => f.endsWith('.heapsnapshot') && !before.has(f));
    // Written in one go by the gateway's main thread: its admin endpoint answers again once it is done.
    if (made !== undefined && (await fetch(`http://${gw.addresses.admin}/ready`).catch(() => undefined))?.ok) {
      console.log(`heap snapshot ${made} (rss then ${rssOf(gw.child.pid!).toFixed(0)} MiB)`);
      return;
    }
    await sleep(100);
  }
  throw new Error('no heap snapshot in 120 s');
}

/** Sends the gateway `signal` and waits (10 s at most) for the line starting with `prefix` it prints in answer. */
async function signalledLine(gw: SluiceProcess, signal: NodeJS.Signals, prefix: string): Promise<string | undefined> {
  const seen = gw.lines.length;
  gw.child.kill(signal);
  let line: string | undefined;
  for (let i = 0; i < 200 && line === undefined; i++) {
    line = gw.lines.slice(seen).find((l) => l.startsWith(prefix));
    if (line === undefined) await sleep(50);
  }
  return line;
}

/** V8's spaces of 1 MiB or more (`size` of them): `name used/size`, comma-separated. */
function spaceList<K extends 'resident' | 'committed'>(spaces: Record<string, { used: number } & Record<K, number>>, size: K): string {
  return Object.entries(spaces)
    .filter(([, v]) => v[size] >= 1)
    .map(([k, v]) => `${k.replace(/_space$/, '')} ${v.used}/${v[size]}`)
    .join(', ');
}

/** Asks the gateway (mem-report.mjs, SIGUSR2) where its RSS is, as it stands (no collection forced), and prints it. */
async function splitReport(gw: SluiceProcess, when: string): Promise<void> {
  const line = await signalledLine(gw, 'SIGUSR2', 'MEMREPORT ');
  if (line === undefined) return console.log(`${when}: no MEMREPORT line`);
  const m = JSON.parse(line.slice(10)) as { rss: number; anon: number; file: number; heapUsed: number; heapResident: number; otherAnon: number; arrayBuffers: number; spaces: Record<string, { resident: number; used: number }> };
  console.log(`${when}: rss ${m.rss} MiB = file-backed ${m.file} + anonymous ${m.anon} (heap resident ${m.heapResident}, used ${m.heapUsed}: ${spaceList(m.spaces, 'resident')}; array buffers ${m.arrayBuffers}; malloc and stacks ${m.otherAnon})`);
}

/** Asks the gateway (mem-report.mjs) for its memory and prints it: heap used/committed by space, before and after full GCs. */
async function memReport(gw: SluiceProcess, when: string): Promise<void> {
  const line = await signalledLine(gw, 'SIGWINCH', 'MEM ');
  if (line === undefined) return console.log(`${when}: no MEM line`);
  type Sample = { rss: number; heapUsed: number; heapTotal: number; external: number; spaces: Record<string, { used: number; committed: number }> };
  const { before, after } = JSON.parse(line.slice(4)) as { before: Sample; after?: Sample };
  const row = (s: Sample): string => `rss ${s.rss} MiB, heap used ${s.heapUsed} of ${s.heapTotal} committed, external ${s.external}; ${spaceList(s.spaces, 'committed')}`;
  console.log(`${when}: ${row(before)}`);
  if (after) console.log(`${when}, after full GCs: ${row(after)}; ${rssSplit(gw.child.pid!)}`);
}

/** Edits ingress i's host; returns ms from the watch event to its first status write, and to Ready. */
async function edit(k: number, i: number): Promise<[number, number, number]> {
  const name = scaleAppName(i);
  const live = api.get('networking.internal.knative.dev/v1alpha1', 'Ingress', NAMESPACE, name)!;
  const spec = structuredClone(live.spec) as { rules: Array<{ hosts: string[] }> };
  spec.rules[0]!.hosts = [`edit-${k}.${name}.example.com`];
  readyAt.delete(name);
  const first = api.requests.length;
  const t0 = performance.now();
  api.put({ ...live, spec });
  for (;;) {
    if (readyAt.has(name)) break;
    if (performance.now() - t0 > 60_000) throw new Error(`edit of ${name} not Ready in 60 s`);
    await sleep(2);
  }
  const puts = api.requests.slice(first).filter(isStatusPut);
  const own = puts.filter((r) => r.path.endsWith(`/ingresses/${name}/status`));
  return [own[0]!.at - t0, readyAt.get(name)! - t0, puts.length - own.length];
}

const gw = await start('first start', heapDir || heapReadyDir ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${heapDir ?? heapReadyDir}`] : alloc ? ['--import', './bench/preload/alloc-sample.mjs'] : mem ? ['--expose-gc', '--import', './bench/preload/mem-report.mjs'] : split ? ['--import', './bench/preload/mem-report.mjs'] : cpuDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuDir}`] : []);
if (heapDir) {
  gw.child.kill('SIGUSR2');
  await sleep(20_000);
}
const latencies: Array<[number, number, number]> = [];
for (let k = 0; k < edits; k++) {
  latencies.push(await edit(k, (k * 997) % n));
  await sleep(200);
}
if (edits > 0) {
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const written = latencies.map((l) => l[0]);
  const ready = latencies.map((l) => l[1]);
  console.log(`edit of one ingress (${edits} edits): status written ${med(written).toFixed(0)} ms median, ${Math.max(...written).toFixed(0)} max after its watch event; Ready ${med(ready).toFixed(0)} ms median, ${Math.max(...ready).toFixed(0)} max; ${latencies.reduce((a, l) => a + l[2], 0)} status writes to other ingresses`);
}
await gw.stop();
t = performance.now();
const again = await start('restart');
await again.stop();
await api.close();
