// xDS at scale: N generated Knative apps (bench/ingress-gen.ts: each an ingress of four paths split
// 90/10 over two revisions, plus a cluster-local rule) translated into one snapshot and served by the
// xDS server to C ADS clients in child processes (half state of the world, half delta; each as an
// Envoy subscribes: listeners and clusters by wildcard, every EDS assignment, the route
// configurations external, external-tls and local). A client counts as synced once it holds every
// resource the server serves it (names from the snapshot: scale-xds-names.ts) and has ACKed every
// response. Then one app's split changes (90/10 -> 80/20) three times, and for each the bench
// measures the time from the snapshot's publish to each client's ACK of the response carrying the
// changed resources, and how much was translated, encoded and sent for it. The delta clients ask for VHDS (src/xds/vhds.ts)
// unless `--no-vhds` is given; `--all-delta` makes every client a delta one, `--all-sotw` every one
// state of the world, `--mixed K` K of them (the rest delta). Resource bytes per client are also
// given by type (the most any client of the kind got), so that what an edit re-sends shows.
// `--push-budget MiB` sets the server's unsent bytes above which the next SotW push waits (push-pacer.ts). `--profile FILE` writes a CPU profile of the server's process over the edits
// alone (node:inspector), for bench/cpuprofile.ts. Server CPU per edit is the server process's
// user+system time from publish to the last ACK; the clients run in `--client-procs K` processes
// of their own (2 unless given), whose CPU time is reported beside it so that a client-bound run shows.
// The server's RSS and heap are reported after the first build, the sync and the edits.
//   node --import tsx bench/scale-xds.ts [N=10000] [C=100] [dir=/tmp/sluice-scale-N] [--no-vhds] [--all-delta|--all-sotw|--mixed K] [--push-budget MiB] [--client-procs K] [--profile FILE]
import { fork } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { ConfigDir } from '../src/sources/config-dir.ts';
import { SettableFeed } from '../src/snapshot/feed.ts';
import { DiffsSincePublished } from '../src/snapshot/since-published.ts';
import type { Snapshot } from '../src/snapshot/types.ts';
import { Store } from '../src/store/store.ts';
import { TranslateCache } from '../src/translate/cache.ts';
import { defaultTranslateOptions } from '../src/translate/options.ts';
import { translate } from '../src/translate/translate.ts';
import { TypeUrl } from '../src/xds/protos.ts';
import { startXdsServer } from '../src/xds/server.ts';
import { appYaml, NAMESPACE, scaleApp, scaleFileOf, writeScaleConfig } from './ingress-gen.ts';
import type { ClientsCommand, ClientsReport } from './scale-xds-clients.ts';
import { changedNames, servedNames } from './scale-xds-names.ts';

const argv = process.argv.slice(2);
const flagValue = (flag: string) => {
  const at = argv.indexOf(flag);
  return at >= 0 ? argv[at + 1] : undefined;
};
const profileFile = flagValue('--profile');
const procs = Number(flagValue('--client-procs') ?? 2);
const mixed = flagValue('--mixed');
const pushBudget = flagValue('--push-budget');
const args = argv.filter((a, i) => !a.startsWith('--') && !['--profile', '--client-procs', '--mixed', '--push-budget'].includes(argv[i - 1] ?? ''));
const vhds = !argv.includes('--no-vhds');
const n = Number(args[0] ?? 10_000);
const clientCount = Number(args[1] ?? 100);
const sotwCount = argv.includes('--all-delta') ? 0 : argv.includes('--all-sotw') ? clientCount : mixed !== undefined ? Number(mixed) : clientCount / 2;
if (!Number.isInteger(sotwCount) || sotwCount < 0 || sotwCount > clientCount) throw new Error(`--mixed ${mixed}: a number of SotW clients from 0 to ${clientCount}`);
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const deltaCount = clientCount - sotwCount;
const dir = args[2] ?? `/tmp/sluice-scale-${n}`;
const now = () => performance.timeOrigin + performance.now();
const ms = (x: number) => `${x.toFixed(0)} ms`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const mib = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MiB`;
/** The server's process (this one: the clients are in others). */
const memory = () => {
  const m = process.memoryUsage();
  return `RSS ${mib(m.rss)} (heap ${mib(m.heapUsed)}, external ${mib(m.external)}, array buffers ${mib(m.arrayBuffers)})`;
};

if (!existsSync(join(dir, scaleFileOf(n - 1, 1)))) writeScaleConfig(dir, n, 9001, 9002);
const config = new ConfigDir(dir);
await config.scan('');
const store = new Store();
const tcache = new TranslateCache();
const result = translate(store.update(config.state()), defaultTranslateOptions, tcache);
const feed = new SettableFeed();
// The translator's diffs, handed to the feed as the pipeline does: the xDS server follows them (resource-change.ts).
const diffs = new DiffsSincePublished();
diffs.translated(result);
let version = 1;
feed.publish({ ...result.snapshot, version } as Snapshot, result, diffs.publishing());
console.log(`${n} apps translated: ${result.snapshot.listeners.external.length} external virtual hosts, ${result.snapshot.clusters.length} clusters; load ${load()}`);

let t = performance.now();
let cpu = cpuMs();
const listenerAddresses = { externalAddress: '0.0.0.0:8080', externalTlsAddress: '0.0.0.0:8443', localAddress: '0.0.0.0:8081' };
const server = await startXdsServer({ address: '127.0.0.1:0', feed, listenerAddresses, ...(pushBudget ? { pushBytesInFlight: Number(pushBudget) * 1048576 } : {}) });
// CPU time beside the wall time: on a loaded machine the wall time is mostly waiting for a core.
console.log(`first build (every resource translated and encoded): ${ms(performance.now() - t)} (server CPU ${ms(cpuMs() - cpu)}); ${JSON.stringify(server.stats())}; server ${memory()}`);

// Streams 0..C-1, the first sotwCount state of the world, in runs of C/K per process: with 2
// processes and the default mix, the delta clients' ACKs do not queue behind the SotW clients'
// tens of MiB per edit in the same process.
const children = Array.from({ length: procs }, () => fork(join(import.meta.dirname, 'scale-xds-clients.ts'), [server.address], { execArgv: ['--import', 'tsx'] }));
const streamsOf = children.map((_, p) => Array.from({ length: clientCount }, (_, i) => i).filter((i) => Math.floor((i * procs) / clientCount) === p));
const send = (m: ClientsCommand) => {
  for (const c of children) c.send(m);
};
/** One report of each process (the `kind` asked for, or an error). */
const replies = <K extends ClientsReport['type']>(kind: K) =>
  Promise.all(
    children.map(
      (child) =>
        new Promise<Extract<ClientsReport, { type: K }>>((resolve, reject) => {
          child.once('message', (m: ClientsReport) => (m.type === kind ? resolve(m as Extract<ClientsReport, { type: K }>) : reject(new Error(m.type === 'error' ? m.message : `unexpected ${m.type}`))));
          child.once('exit', (code) => reject(new Error(`clients exited ${code}`)));
        }),
    ),
  );
const edits: Array<() => void> = [];
try {
  t = performance.now();
  cpu = cpuMs();
  const sotwNames = servedNames({ ...result.snapshot, version } as Snapshot, listenerAddresses, false);
  const deltaNames = servedNames({ ...result.snapshot, version } as Snapshot, listenerAddresses, vhds);
  const held = (names: Record<string, string[]>) => Object.values(names).reduce((n, l) => n + l.length, 0);
  const started = now();
  children.forEach((c, p) => c.send({ type: 'start', streams: streamsOf[p]!.map((index) => ({ index, delta: index >= sotwCount })), vhds, sotwNames, deltaNames } satisfies ClientsCommand));
  const synced = await replies('synced');
  const syncedAt = Math.max(...synced.map((s) => s.at));
  console.log(
    `${clientCount} clients (${sotwCount} SotW holding ${held(sotwNames)} resources each, ${deltaCount} delta${vhds ? ' with VHDS' : ''} holding ${held(deltaNames)}) synced, every resource held and every response ACKed, in ${ms(syncedAt - started)} ` +
      `(server CPU ${ms(cpuMs() - cpu)}; clients' CPU ${synced.map((s) => ms(s.cpuMs)).join(' + ')} in ${procs} processes; ${synced.reduce((n, s) => n + s.responses, 0)} responses); server ${memory()}; shared responses held ${mib(server.stats().responseBytesHeld)}; load ${load()}`,
  );

  const session = profileFile ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  for (let round = 0; round < 3; round++) {
    // One app's split changes; translated before the clock starts (translation is scalefile's measure).
    const i = Math.floor(n / 2) + round;
    const rel = scaleFileOf(i, 1);
    const app = scaleApp(i, 9001, 9002);
    edits.push(() => writeFileSync(join(dir, rel), appYaml(app)));
    writeFileSync(join(dir, rel), appYaml(app).replace('percent: 90', 'percent: 80').replace('percent: 10', 'percent: 20'));
    await config.recheck(rel);
    const edited = translate(store.update(config.state()), defaultTranslateOptions, tcache);
    diffs.translated(edited);
    const hosts = new Set([app.host, `${app.name}.${NAMESPACE}.svc.cluster.local`]);
    const sotwChanged = changedNames({ ...edited.snapshot, version } as Snapshot, hosts, false);
    const deltaChanged = changedNames({ ...edited.snapshot, version } as Snapshot, hosts, vhds);
    const before = server.stats();
    // The children are watching before the publish.
    const watching = replies('watching');
    send({ type: 'measure', sotwChanged, deltaChanged });
    await watching;
    const measured = replies('acked');
    const published = now();
    const cpu0 = cpuMs();
    feed.publish({ ...edited.snapshot, version: ++version } as Snapshot, edited, diffs.publishing());
    const built = now();
    const acked = await measured;
    const cpu = cpuMs() - cpu0;
    const after = server.stats();
    // Back in stream order (streamsOf).
    const acks = new Array<number>(clientCount);
    const bytes = new Array<number>(clientCount);
    const byType = new Array<Record<string, number>>(clientCount);
    acked.forEach((a, p) =>
      streamsOf[p]!.forEach((index, k) => {
        acks[index] = a.acks[k]! - published;
        bytes[index] = a.bytes[k]!;
        byType[index] = a.byType[k]!;
      }),
    );
    const sorted = [...acks].sort((a, b) => a - b);
    const lastOf = (xs: number[]) => (xs.length > 0 ? ms(Math.max(...xs)) : '-');
    const perClient = (xs: number[]) => (xs.length > 0 ? `${kib(Math.min(...xs))}-${kib(Math.max(...xs))}` : '-');
    const typeName = Object.fromEntries(Object.entries(TypeUrl).map(([kind, url]) => [url, kind]));
    const types = (xs: Array<Record<string, number>>) => {
      const most: Record<string, number> = {};
      for (const x of xs) for (const [t, b] of Object.entries(x)) most[t] = Math.max(most[t] ?? 0, b);
      return Object.keys(most).length > 0 ? Object.entries(most).map(([t, b]) => `${typeName[t] ?? t} ${kib(b)}`).join(', ') : 'none';
    };
    const per = `last SotW ${lastOf(acks.slice(0, sotwCount))}, last delta ${lastOf(acks.slice(sotwCount))}`;
    const changed = [...Object.values(sotwCount > 0 ? sotwChanged : {}), ...Object.values(deltaCount > 0 ? deltaChanged : {})].flat();
    console.log(
      `edit ${round} (${[...new Set(changed)].join(', ')}): publish -> last client's ACK of the change ${lastOf(acks)} (${per}; median ${ms(sorted[Math.floor(sorted.length / 2)] ?? 0)}; build+push on the server ${ms(built - published)}; server CPU ${ms(cpu)}; clients' CPU ${acked.map((a) => ms(a.cpuMs)).join(' + ')}); ` +
        `looked at ${after.visited - before.visited} virtual hosts and clusters, translated ${after.translated - before.translated}, encoded ${after.encoded - before.encoded} messages, ${after.responsesEncoded - before.responsesEncoded} response bodies for ${acked.reduce((n, a) => n + a.responses, 0)} responses ` +
        `(resources per client: SotW ${perClient(bytes.slice(0, sotwCount))}${sotwCount > 0 ? ` [${types(byType.slice(0, sotwCount))}]` : ''}, delta ${perClient(bytes.slice(sotwCount))}${deltaCount > 0 ? ` [${types(byType.slice(sotwCount))}]` : ''}); server ${memory()}; load ${load()}`,
    );
  }
  if (session && profileFile) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(profileFile, JSON.stringify(profile));
    session.disconnect();
    console.log(`CPU profile of the edits: ${profileFile}`);
  }
} finally {
  for (const restore of edits) restore();
  send({ type: 'stop' });
  await server.close();
}
process.exit(0);
