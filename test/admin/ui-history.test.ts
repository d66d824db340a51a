// The status page's configuration history: what each version changed, found from the translator's
// diffs (the virtual hosts and clusters that came and went), not by walking every route of two
// snapshots on each edit (at 10,000 ingresses that walk was most of an edit's time).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigHistory } from '../../src/admin/ui-history.ts';
import type { SnapshotFeed } from '../../src/snapshot/feed.ts';
import type { SnapshotChange, SnapshotDiffs } from '../../src/snapshot/change.ts';
import type { Cluster, Snapshot, VirtualHost } from '../../src/snapshot/types.ts';

let reads = 0;
function vhost(owner: string, rule: number, cluster: string): VirtualHost {
  const routes = [{ ingress: owner, match: { path: '/' }, cluster }];
  return { name: `${owner}/${rule}`, domains: [`${owner}-${rule}.example.com`], ingress: owner, get routes() { reads++; return routes; } } as unknown as VirtualHost;
}
const cluster = (name: string, port = 80) => ({ name, port }) as unknown as Cluster;
const snap = (version: number, external: VirtualHost[], clusters: Cluster[]) =>
  ({ version, hash: `h${version}`, listeners: { external, local: [] }, ports: [], clusters, tls: [], ingresses: [] }) as unknown as Snapshot;
const empty = { removed: [], added: [] };
const diffs = (d: Partial<SnapshotDiffs>): SnapshotDiffs => ({ clusters: empty, external: empty, local: empty, ports: empty, tls: empty, ingresses: empty, ...d });

function history(): { h: ConfigHistory; emit: (c: SnapshotChange) => void } {
  let listener: ((c: SnapshotChange) => void) | undefined;
  const feed = { current: () => undefined, subscribe: (fn: (c: SnapshotChange) => void) => {
      listener = fn;
      return () => {};
    } } as unknown as SnapshotFeed;
  return { h: new ConfigHistory(feed), emit: (c) => listener?.(c) };
}

const names = (i: number) => `ns/app-${String(i).padStart(5, '0')}`;

test('a one-ingress edit is summarized from the diffs: only the changed virtual hosts are read, whatever the table size', () => {
  const { h, emit } = history();
  const hosts = Array.from({ length: 4000 }, (_, i) => vhost(names(i >> 1), i & 1, `c${i >> 1}`));
  const clusters = Array.from({ length: 2000 }, (_, i) => cluster(`c${i}`));
  const v1 = snap(1, hosts, clusters);
  emit({ snapshot: v1, previous: undefined, diffs: undefined });
  // app 7's first host now goes to a new cluster; app 9 loses its second host (it keeps its first)
  const edited = vhost(names(7), 0, 'c7-new');
  const hosts2 = hosts.filter((v) => v.name !== `${names(9)}/1`).map((v) => (v.name === `${names(7)}/0` ? edited : v));
  const clusters2 = [...clusters, cluster('c7-new')].sort((a, b) => (a.name < b.name ? -1 : 1));
  const v2 = snap(2, hosts2, clusters2);
  // The first version's summary (a walk of every route) is made a second after it is served or when
  // the page is read, whichever comes first: here, read.
  h.entries();
  reads = 0;
  emit({ snapshot: v2, previous: v1, diffs: diffs({ external: { removed: [hosts[14]!, hosts[19]!], added: [edited] }, clusters: { removed: [], added: [cluster2(clusters2)] } }) });
  assert.ok(reads <= 6, `virtual hosts read: ${reads}`);
  const latest = h.entries()[0]!;
  assert.deepEqual(latest.changes.routes.changed, [names(7), names(9)]);
  assert.deepEqual([latest.changes.routes.added, latest.changes.routes.removed], [[], []]);
  assert.deepEqual(latest.changes.clusters.added, ['c7-new']);
});

function cluster2(list: Cluster[]): Cluster {
  return list.find((c) => c.name === 'c7-new')!;
}

test('an ingress whose every host left is removed, a new one added; without diffs the snapshots are compared in full, with the same answer', () => {
  for (const withDiffs of [true, false]) {
    const { h, emit } = history();
    const hosts = [vhost(names(1), 0, 'c1'), vhost(names(2), 0, 'c2')];
    const v1 = snap(1, hosts, [cluster('c1'), cluster('c2')]);
    emit({ snapshot: v1, previous: undefined, diffs: undefined });
    const added = vhost(names(3), 0, 'c2');
    const v2 = snap(2, [hosts[1]!, added], [cluster('c2', 81)]);
    const d = diffs({ external: { removed: [hosts[0]!], added: [added] }, clusters: { removed: [v1.clusters[0]!, v1.clusters[1]!], added: [v2.clusters[0]!] } });
    emit({ snapshot: v2, previous: v1, diffs: withDiffs ? d : undefined });
    const c = h.entries()[0]!.changes;
    assert.deepEqual([c.routes.added, c.routes.removed, c.routes.changed], [[names(3)], [names(1)], []], `diffs: ${withDiffs}`);
    assert.deepEqual([c.clusters.added, c.clusters.removed, c.clusters.changed], [[], ['c1'], ['c2']], `diffs: ${withDiffs}`);
  }
});

test('the first version is summarized when the page is read, not in the turn that serves it (a cold start of 10,000 apps walked every route there)', () => {
  const { h, emit } = history();
  const hosts = Array.from({ length: 400 }, (_, i) => vhost(names(i >> 1), i & 1, `c${i >> 1}`));
  const v1 = snap(1, hosts, Array.from({ length: 200 }, (_, i) => cluster(`c${i}`)));
  reads = 0;
  emit({ snapshot: v1, previous: undefined, diffs: undefined });
  assert.equal(reads, 0, 'no route is read when the version is served');
  const first = h.entries()[0]!;
  assert.ok(reads > 0);
  assert.equal(first.version, 1);
  assert.deepEqual(first.changes.routes.counts, [200, 0, 0]);
  assert.deepEqual(first.changes.routes.added.slice(0, 2), [names(0), names(1)]);
  assert.deepEqual(first.changes.clusters.counts, [200, 0, 0]);
  h.stop();
});

test('an edit before the first version was read still gets its summary from the diffs, and the first its own', () => {
  const { h, emit } = history();
  const hosts = [vhost(names(1), 0, 'c1'), vhost(names(2), 0, 'c2')];
  const v1 = snap(1, hosts, [cluster('c1'), cluster('c2')]);
  emit({ snapshot: v1, previous: undefined, diffs: undefined });
  const edited = vhost(names(2), 0, 'c2');
  const v2 = snap(2, [hosts[0]!, edited], [cluster('c1'), cluster('c2')]);
  emit({ snapshot: v2, previous: v1, diffs: diffs({ external: { removed: [hosts[1]!], added: [edited] } }) });
  const [second, first] = h.entries();
  assert.deepEqual(first!.changes.routes.added, [names(1), names(2)]);
  assert.deepEqual(second!.changes.routes.changed, []);
  assert.deepEqual([second!.changes.routes.added, second!.changes.routes.removed], [[], []]);
  h.stop();
});
