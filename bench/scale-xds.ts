// xDS at scale: N generated Knative apps (bench/ingress-gen.ts: each an ingress of four paths split
// 90/10 over two revisions, plus a cluster-local rule) translated into one snapshot and served by the
// xDS server to C ADS clients in a child process (half state of the world, half delta; each as an
// Envoy subscribes: listeners and clusters by wildcard, every EDS assignment, the route
// configurations external, external-tls and local). Then one app's split changes (90/10 -> 80/20)
// and the bench measures the time from the snapshot's publish to the last client's ACK, and how
// much was translated, encoded and sent for it. The delta clients ask for VHDS (src/xds/vhds.ts)
// unless `--no-vhds` is given; `--all-delta` makes every client a delta one, `--all-sotw` every one
// state of the world. `--profile FILE` writes a CPU profile of the server's process over the edits
// alone (node:inspector), for bench/cpuprofile.ts. Server CPU per edit is the server process's
// user+system time from publish to the last ACK (the clients run in their own process).
//   node --import tsx bench/scale-xds.ts [N=10000] [C=100] [dir=/tmp/sluice-scale-N] [--no-vhds] [--all-delta|--all-sotw] [--profile FILE]
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
import { startXdsServer } from '../src/xds/server.ts';
import { appYaml, scaleApp, scaleFileOf, writeScaleConfig } from './ingress-gen.ts';

const argv = process.argv.slice(2);
const profileAt = argv.indexOf('--profile');
const profileFile = profileAt >= 0 ? argv[profileAt + 1] : undefined;
const args = argv.filter((a, i) => !a.startsWith('--') && !(profileAt >= 0 && i === profileAt + 1));
const vhds = !argv.includes('--no-vhds');
const n = Number(args[0] ?? 10_000);
const clientCount = Number(args[1] ?? 100);
const sotwCount = argv.includes('--all-delta') ? 0 : argv.includes('--all-sotw') ? clientCount : clientCount / 2;
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
const server = await startXdsServer({
  address: '127.0.0.1:0',
  feed,
  listenerAddresses: { externalAddress: '0.0.0.0:8080', externalTlsAddress: '0.0.0.0:8443', localAddress: '0.0.0.0:8081' },
});
// CPU time beside the wall time: on a loaded machine the wall time is mostly waiting for a core.
console.log(`first build (every resource translated and encoded): ${ms(performance.now() - t)} (server CPU ${ms(cpuMs() - cpu)}); ${JSON.stringify(server.stats())}`);

const child = fork(join(import.meta.dirname, 'scale-xds-clients.ts'), [server.address, String(clientCount), vhds ? 'vhds' : 'plain', String(sotwCount)], { execArgv: ['--import', 'tsx'] });
type Report =
  | { type: 'synced'; responses: number }
  | { type: 'acked'; lastAcks: number[]; responses: number; bytes: number; sotwBytes: number; deltaBytes: number }
  | { type: 'error'; message: string };
const reply = () =>
  new Promise<Report>((resolve, reject) => {
    child.once('message', (m: Report) => (m.type === 'error' ? reject(new Error(m.message)) : resolve(m)));
    child.once('exit', (code) => reject(new Error(`clients exited ${code}`)));
  });
const edits: Array<() => void> = [];
try {
  t = performance.now();
  cpu = cpuMs();
  const endpoints = result.snapshot.clusters.filter((c) => c.type === 'static').map((c) => c.name);
  child.send({ type: 'start', endpoints });
  const synced = await reply();
  console.log(`${clientCount} clients (${sotwCount} SotW, ${deltaCount} delta${vhds ? ' with VHDS' : ''}) synced in ${ms(performance.now() - t)} (server CPU ${ms(cpuMs() - cpu)}; ${synced.type === 'synced' ? synced.responses : 0} responses); load ${load()}`);

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
    writeFileSync(join(dir, rel), appYaml(app).replace('percent: 90', 'percent: 80').replace('percent: 10', 'percent: 20'));
    await config.recheck(rel);
    const edited = translate(store.update(config.state()), defaultTranslateOptions, tcache);
    diffs.translated(edited);
    const before = server.stats();
    const measured = reply();
    child.send({ type: 'measure' });
    const published = now();
    const cpu0 = cpuMs();
    feed.publish({ ...edited.snapshot, version: ++version } as Snapshot, edited, diffs.publishing());
    const built = now();
    const acked = await measured;
    // The clients' quiet period (500 ms without a response) is idle time here, not CPU.
    const cpu = cpuMs() - cpu0;
    const after = server.stats();
    if (acked.type !== 'acked') throw new Error('unexpected report');
    const last = Math.max(...acked.lastAcks) - published;
    const sorted = acked.lastAcks.map((a) => a - published).sort((a, b) => a - b);
    // The child's streams are the SotW ones first, then the delta ones.
    const lastOf = (acks: number[]) => (acks.length > 0 ? ms(Math.max(...acks) - published) : '-');
    const per = `last SotW ${lastOf(acked.lastAcks.slice(0, sotwCount))}, last delta ${lastOf(acked.lastAcks.slice(sotwCount))}`;
    console.log(
      `edit ${round}: publish -> last client's ACK ${ms(last)} (${per}; median ${ms(sorted[Math.floor(sorted.length / 2)] ?? 0)}; build+push on the server ${ms(built - published)}; server CPU ${ms(cpu)}); ` +
        `looked at ${after.visited - before.visited} virtual hosts and clusters, translated ${after.translated - before.translated}, encoded ${after.encoded - before.encoded} messages, ${after.responsesEncoded - before.responsesEncoded} response bodies for ${acked.responses} responses (${(acked.bytes / 1048576).toFixed(1)} MiB of resources in all; per client: SotW ${sotwCount > 0 ? kib(acked.sotwBytes / sotwCount) : '-'}, delta ${deltaCount > 0 ? kib(acked.deltaBytes / deltaCount) : '-'}); load ${load()}`,
    );
    edits.push(() => writeFileSync(join(dir, rel), appYaml(app)));
  }
  if (session && profileFile) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(profileFile, JSON.stringify(profile));
    session.disconnect();
    console.log(`CPU profile of the edits: ${profileFile}`);
  }
} finally {
  for (const restore of edits) restore();
  child.send({ type: 'stop' });
  await server.close();
}
process.exit(0);
