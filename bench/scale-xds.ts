// xDS at scale: N generated Knative apps (bench/ingress-gen.ts: each an ingress of four paths split
// 90/10 over two revisions, plus a cluster-local rule) translated into one snapshot and served by the
// xDS server to C ADS clients in a child process (half state of the world, half delta; each as an
// Envoy subscribes: listeners and clusters by wildcard, every EDS assignment, the route
// configurations external, external-tls and local). Then one app's split changes (90/10 -> 80/20)
// and the bench measures the time from the snapshot's publish to the last client's ACK, and how
// much was translated, encoded and sent for it.
//   node --import tsx bench/scale-xds.ts [N=10000] [C=100] [dir=/tmp/sluice-scale-N]
import { fork } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { ConfigDir } from '../src/sources/config-dir.ts';
import { SettableFeed } from '../src/snapshot/feed.ts';
import type { Snapshot } from '../src/snapshot/types.ts';
import { Store } from '../src/store/store.ts';
import { TranslateCache } from '../src/translate/cache.ts';
import { defaultTranslateOptions } from '../src/translate/options.ts';
import { translate } from '../src/translate/translate.ts';
import { startXdsServer } from '../src/xds/server.ts';
import { appYaml, scaleApp, scaleFileOf, writeScaleConfig } from './ingress-gen.ts';

const n = Number(process.argv[2] ?? 10_000);
const clientCount = Number(process.argv[3] ?? 100);
const dir = process.argv[4] ?? `/tmp/sluice-scale-${n}`;
const now = () => performance.timeOrigin + performance.now();
const ms = (x: number) => `${x.toFixed(0)} ms`;
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

if (!existsSync(join(dir, scaleFileOf(n - 1, 1)))) writeScaleConfig(dir, n, 9001, 9002);
const config = new ConfigDir(dir);
await config.scan('');
const store = new Store();
const tcache = new TranslateCache();
const result = translate(store.update(config.state()), defaultTranslateOptions, tcache);
const feed = new SettableFeed();
let version = 1;
feed.publish({ ...result.snapshot, version } as Snapshot, result);
console.log(`${n} apps translated: ${result.snapshot.listeners.external.length} external virtual hosts, ${result.snapshot.clusters.length} clusters; load ${load()}`);

let t = performance.now();
const server = await startXdsServer({
  address: '127.0.0.1:0',
  feed,
  listenerAddresses: { externalAddress: '0.0.0.0:8080', externalTlsAddress: '0.0.0.0:8443', localAddress: '0.0.0.0:8081' },
});
console.log(`first build (every resource translated and encoded): ${ms(performance.now() - t)}; ${JSON.stringify(server.stats())}`);

const child = fork(join(import.meta.dirname, 'scale-xds-clients.ts'), [server.address, String(clientCount)], { execArgv: ['--import', 'tsx'] });
type Report = { type: 'synced'; responses: number } | { type: 'acked'; lastAcks: number[]; responses: number; bytes: number } | { type: 'error'; message: string };
const reply = () =>
  new Promise<Report>((resolve, reject) => {
    child.once('message', (m: Report) => (m.type === 'error' ? reject(new Error(m.message)) : resolve(m)));
    child.once('exit', (code) => reject(new Error(`clients exited ${code}`)));
  });
const edits: Array<() => void> = [];
try {
  t = performance.now();
  const endpoints = result.snapshot.clusters.filter((c) => c.type === 'static').map((c) => c.name);
  child.send({ type: 'start', endpoints });
  const synced = await reply();
  console.log(`${clientCount} clients (${clientCount / 2} SotW, ${clientCount / 2} delta) synced in ${ms(performance.now() - t)} (${synced.type === 'synced' ? synced.responses : 0} responses); load ${load()}`);

  for (let round = 0; round < 3; round++) {
    // One app's split changes; translated before the clock starts (translation is scalefile's measure).
    const i = Math.floor(n / 2) + round;
    const rel = scaleFileOf(i, 1);
    const app = scaleApp(i, 9001, 9002);
    writeFileSync(join(dir, rel), appYaml(app).replace('percent: 90', 'percent: 80').replace('percent: 10', 'percent: 20'));
    await config.recheck(rel);
    const edited = translate(store.update(config.state()), defaultTranslateOptions, tcache);
    const before = server.stats();
    const measured = reply();
    child.send({ type: 'measure' });
    const published = now();
    feed.publish({ ...edited.snapshot, version: ++version } as Snapshot, edited);
    const built = now();
    const acked = await measured;
    const after = server.stats();
    if (acked.type !== 'acked') throw new Error('unexpected report');
    const last = Math.max(...acked.lastAcks) - published;
    const sorted = acked.lastAcks.map((a) => a - published).sort((a, b) => a - b);
    console.log(
      `edit ${round}: publish -> last client's ACK ${ms(last)} (median ${ms(sorted[Math.floor(sorted.length / 2)] ?? 0)}; build+push on the server ${ms(built - published)}); ` +
        `translated ${after.translated - before.translated}, encoded ${after.encoded - before.encoded} messages, ${after.responsesEncoded - before.responsesEncoded} response bodies for ${acked.responses} responses (${(acked.bytes / 1048576).toFixed(1)} MiB of resources in all); load ${load()}`,
    );
    edits.push(() => writeFileSync(join(dir, rel), appYaml(app)));
  }
} finally {
  for (const restore of edits) restore();
  child.send({ type: 'stop' });
  await server.close();
}
process.exit(0);
