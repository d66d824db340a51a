// The xDS resource cache follows a snapshot change by its diffs (resource-change.ts): a one-route
// edit looks at the changed virtual host and cluster only, and whatever the edits, the resources
// are those a from-scratch build makes. Counted, never timed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SnapshotDiffs } from '../../src/snapshot/change.ts';
import { compareSorted, type ListDiff } from '../../src/snapshot/list-diff.ts';
import type { Cluster, IngressInfo, Snapshot, VirtualHost } from '../../src/snapshot/types.ts';
import { SettableFeed } from '../../src/snapshot/feed.ts';
import { TypeUrl } from '../../src/xds/protos.ts';
import { XdsResourceCache } from '../../src/xds/resource-cache.ts';
import type { EncodedResources, TableName } from '../../src/xds/resources.ts';
import { startXdsServer } from '../../src/xds/server.ts';
import { delta, node } from './ads-client.ts';
import { DEFAULT_ADDRESSES, resultOf } from './helpers.ts';

/** What one generated app is: each field changes one thing the xDS side reads. */
interface App {
  readonly i: number;
  prefix: string;
  hash: string;
  port: number;
  domains: string[];
  local: boolean;
  autoHost: boolean;
  backends: number;
}
interface Parts {
  readonly vhost: VirtualHost;
  readonly clusters: Cluster[];
  readonly info: IngressInfo;
}

function partsOf(a: App): Parts {
  const key = `ns/app-${String(a.i).padStart(4, '0')}`;
  const clusters: Cluster[] = Array.from({ length: a.backends }, (_, b) => ({
    name: `${key}-${b}:80`,
    protocol: 'http1' as const,
    type: 'static' as const,
    endpoints: [{ address: `10.0.${a.i & 255}.${b + 1}`, port: a.port }],
  }));
  const filters = a.autoHost ? [{ type: 'url-rewrite' as const, autoHostname: true }] : [];
  const vhost: VirtualHost = {
    name: `${key}/0`,
    domains: [...a.domains],
    ingress: key,
    httpOption: 'Enabled',
    routes: [{ ingress: key, path: { type: 'prefix', value: a.prefix }, headers: [], query: [], filters, splits: clusters.map((c) => ({ cluster: c.name, weight: Math.floor(100 / a.backends), filters: [] })) }],
  } as VirtualHost;
  const info: IngressInfo = { key, namespace: 'ns', name: `app-${a.i}`, hash: a.hash, httpOption: 'Enabled', externalHosts: a.domains, localHosts: a.local ? a.domains : [] };
  return { vhost, clusters, info };
}

const byName = <T extends { name: string }>(xs: T[]): T[] => xs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

function snapshotOf(version: number, parts: Iterable<[App, Parts]>): Snapshot {
  const all = [...parts];
  return {
    version,
    hash: `v${version}`,
    listeners: { external: byName(all.map(([, p]) => p.vhost)), local: byName(all.filter(([a]) => a.local).map(([, p]) => p.vhost)) },
    ports: [],
    clusters: byName(all.flatMap(([, p]) => p.clusters)),
    tls: [],
    ingresses: all.map(([, p]) => p.info).sort((a, b) => (a.key < b.key ? -1 : 1)),
  };
}

function diffsOf(a: Snapshot, b: Snapshot): SnapshotDiffs {
  const name = (x: { name: string }) => x.name;
  const d = <T>(x: ListDiff<T> | undefined): ListDiff<T> => x ?? assert.fail('lists not sorted');
  return {
    clusters: d(compareSorted(a.clusters, b.clusters, name)),
    external: d(compareSorted(a.listeners.external, b.listeners.external, name)),
    local: d(compareSorted(a.listeners.local, b.listeners.local, name)),
    ports: { removed: [], added: [] },
    tls: { removed: [], added: [] },
    ingresses: d(compareSorted(a.ingresses, b.ingresses, (i) => i.key)),
  };
}

function scratch(snapshot: Snapshot): EncodedResources {
  const cache = new XdsResourceCache(DEFAULT_ADDRESSES);
  cache.vhds = true;
  return cache.build(snapshot);
}

const TABLES: TableName[] = ['listener', 'route', 'cluster', 'endpoint', 'secret', 'vhost', 'vhdsRoute'];

function assertSame(followed: EncodedResources, scratch: EncodedResources, what: string): void {
  for (const t of TABLES) {
    const names = (r: EncodedResources) => [...r[t].keys()].sort();
    assert.deepEqual(names(followed), names(scratch), `${what}: ${t} names`);
    for (const [n, r] of scratch[t]) {
      const f = followed[t].get(n)!;
      assert.ok(Buffer.from(f.any.value).equals(Buffer.from(r.any.value)), `${what}: ${t} ${n} bytes`);
      assert.equal(f.hash, r.hash, `${what}: ${t} ${n} version`);
      assert.equal(f.wildcard, r.wildcard, `${what}: ${t} ${n} wildcard`);
    }
  }
}

/** The change a table says it is (delta streams send it) is what differs from the table before. */
function assertChange(before: EncodedResources, after: EncodedResources, what: string): void {
  for (const t of TABLES) {
    if (after[t] === before[t]) {
      assert.deepEqual([...after[t]].map(([n, r]) => [n, r.hash]), [...before[t]].map(([n, r]) => [n, r.hash]), `${what}: ${t} kept but changed`);
      continue;
    }
    const change = after[t].change;
    assert.ok(change && change.from === before[t], `${what}: ${t} has its change`);
    const changed = [...after[t]].filter(([n, r]) => before[t].get(n)?.hash !== r.hash).map(([n]) => n).sort();
    const removed = [...before[t].keys()].filter((n) => !after[t].has(n)).sort();
    assert.deepEqual([...change.changed].sort(), changed, `${what}: ${t} changed`);
    assert.deepEqual([...change.removed].sort(), removed, `${what}: ${t} removed`);
  }
}

function app(i: number): App {
  return { i, prefix: '/', hash: `h${i}`, port: 8080, domains: [`app-${i}.example.com`, `app-${i}.ns.svc`], local: i % 3 === 0, autoHost: false, backends: 2 };
}

test('a one-route edit at 2,000 apps, handed its diffs, looks only at the virtual host and clusters it changed', () => {
  const apps = new Map<App, Parts>();
  for (let i = 0; i < 2000; i++) {
    const a = app(i);
    apps.set(a, partsOf(a));
  }
  const cache = new XdsResourceCache(DEFAULT_ADDRESSES);
  cache.vhds = true;
  const first = snapshotOf(1, apps);
  cache.build(first);
  const edited = [...apps.keys()][1000]!;
  edited.prefix = '/v2';
  edited.port = 9090;
  apps.set(edited, partsOf(edited));
  const second = snapshotOf(2, apps);
  const before = { ...cache.stats };
  const out = cache.build(second, { previous: first, diffs: diffsOf(first, second) });
  const visited = cache.stats.visited - before.visited;
  const translated = cache.stats.translated - before.translated;
  // One virtual host in and out of external, external-tls and local each (6), two clusters in and out (4).
  assert.ok(visited <= 12, `looked at ${visited} virtual hosts and clusters (a full build: ${before.visited})`);
  // The virtual host in three route configurations, two clusters, two proxyless hosts.
  assert.ok(translated <= 7, `translated ${translated}`);
  assertSame(out, scratch(second), 'the edit');
});

test('over random edit sequences, the resources followed change by change equal a from-scratch build', () => {
  let seed = 7;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const apps = new Map<App, Parts>();
  for (let i = 0; i < 40; i++) {
    const a = app(i);
    apps.set(a, partsOf(a));
  }
  let next = 40;
  const cache = new XdsResourceCache(DEFAULT_ADDRESSES);
  cache.vhds = true;
  let snapshot = snapshotOf(1, apps);
  let tables = cache.build(snapshot);
  let followedCount = 0;
  for (let step = 2; step < 150; step++) {
    const list = [...apps.keys()];
    const pick = list[random(list.length)]!;
    // Edits that only a full build can place (a shared domain, `*`, autoHostname) are rarer, and undone.
    const kind = [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 8, 9, 10, 10, 10][random(20)]!;
    if (kind === 0) pick.prefix = `/p${step}`;
    else if (kind === 1) pick.hash = `h${step}`;
    else if (kind === 2) pick.port = 9000 + step;
    else if (kind === 3) pick.backends = 1 + random(3);
    else if (kind === 4) pick.local = !pick.local;
    else if (kind === 5) apps.delete(pick);
    else if (kind === 6) {
      const a = app(next++);
      apps.set(a, partsOf(a));
    } else if (kind === 7) {
      // A domain another app lists too: which one keeps it depends on the others.
      const other = list[random(list.length)]!;
      pick.domains = [pick.domains[0]!, other.domains[0]!];
    } else if (kind === 8) pick.domains = random(2) === 0 ? ['*'] : [`app-${pick.i}.example.com`, `x${step}.example.com`];
    else if (kind === 9) pick.autoHost = !pick.autoHost;
    else {
      const odd = list.find((a) => a.autoHost || a.domains.length !== 2 || a.domains[1] !== `app-${a.i}.ns.svc`);
      if (odd) Object.assign(odd, { autoHost: false, domains: app(odd.i).domains });
      if (odd) apps.set(odd, partsOf(odd));
    }
    // Sometimes only the hash of the ingress changes, its virtual host and clusters staying the same objects.
    if (kind === 1 && random(2) === 0) apps.set(pick, { ...apps.get(pick)!, info: partsOf(pick).info });
    else if (kind !== 5 && kind !== 6) apps.set(pick, partsOf(pick));
    const after = snapshotOf(step, apps);
    const before = { ...cache.stats };
    const out = cache.build(after, { previous: snapshot, diffs: diffsOf(snapshot, after) });
    if (cache.stats.visited - before.visited < 50) followedCount++;
    assertSame(out, scratch(after), `step ${step} (edit ${kind})`);
    assertChange(tables, out, `step ${step} (edit ${kind})`);
    [snapshot, tables] = [after, out];
  }
  assert.ok(followedCount > 40, `${followedCount} of 148 changes followed without a full walk`);
});

test('the xDS server follows the feed\'s diffs: a VHDS client is sent the edited app\'s virtual hosts, and the server looks at nothing else', async () => {
  const apps = new Map<App, Parts>();
  for (let i = 0; i < 300; i++) {
    const a = app(i);
    apps.set(a, partsOf(a));
  }
  const feed = new SettableFeed();
  const first = snapshotOf(1, apps);
  feed.publish(first, resultOf(first));
  const server = await startXdsServer({ address: '127.0.0.1:0', feed, listenerAddresses: DEFAULT_ADDRESSES });
  const c = delta(server.address);
  try {
    const vhdsNode = { ...node('follow'), metadata: { fields: { 'sluice.vhds': { boolValue: true } } } };
    c.send({ node: vhdsNode, type_url: TypeUrl.route, resource_names_subscribe: ['external', 'external-tls', 'local'] });
    const routes = await c.next();
    c.send({ type_url: TypeUrl.route, response_nonce: routes.nonce });
    c.send({ type_url: TypeUrl.vhost });
    const all = await c.next();
    c.send({ type_url: TypeUrl.vhost, response_nonce: all.nonce });
    assert.equal(all.resources.length, 300 * 2 + 100);
    const edited = [...apps.keys()][150]!;
    edited.prefix = '/v2';
    apps.set(edited, partsOf(edited));
    const second = snapshotOf(2, apps);
    const before = server.stats();
    feed.publish(second, resultOf(second), diffsOf(first, second));
    const pushed = await c.next();
    assert.deepEqual(pushed.resources.map((r) => r.name).sort(), ['external-tls/app-150.example.com', 'external/app-150.example.com', 'local/app-150.example.com']);
    // Out and in of external, external-tls and local, and the app's two clusters (new objects, same content).
    const visited = server.stats().visited - before.visited;
    assert.ok(visited <= 10, `looked at ${visited} virtual hosts and clusters`);
    // Its ACK is checked against nothing: the stream is in step with the table it was sent.
    const compared = server.stats().compared;
    c.send({ type_url: TypeUrl.vhost, response_nonce: pushed.nonce });
    c.send({ type_url: TypeUrl.endpoint, resource_names_subscribe: [first.clusters[0]!.name] });
    assert.equal((await c.next()).resources.length, 1);
    assert.ok(server.stats().compared - compared <= 2, `compared ${server.stats().compared - compared} held versions for an ACK and one new name`);
  } finally {
    c.close();
    await server.close();
  }
});
