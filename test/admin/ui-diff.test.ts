// The status page's configuration versions: what an edit changed is found from the snapshot's diffs
// (the virtual hosts and clusters that left and came in), not by comparing every route of the two
// snapshots; and it names the same routes and clusters as a whole comparison would.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigHistory } from '../../src/admin/ui-history.ts';
import { summarizeChange } from '../../src/admin/ui-diff.ts';
import type { SnapshotDiffs } from '../../src/snapshot/change.ts';
import { SettableFeed } from '../../src/snapshot/feed.ts';
import type { Cluster, Route, Snapshot, VirtualHost } from '../../src/snapshot/types.ts';

const N = 1_000;
let reads = 0;

function route(ingress: string, cluster: string): Route {
  return { ingress, path: { type: 'prefix', value: '/' }, headers: [], query: [], filters: [], splits: [{ cluster, weight: 100, filters: [] }] };
}
const cluster = (name: string, port = 8080): Cluster => ({ name, protocol: 'http1', type: 'static', endpoints: [{ address: '127.0.0.1', port }] });

/** A virtual host whose routes are counted when read. */
function vhost(ingress: string, routes: Route[]): VirtualHost {
  const vh = { name: `${ingress}/0`, domains: [`${ingress.replace('/', '.')}.example.com`], ingress, httpOption: 'Enabled' } as unknown as VirtualHost;
  Object.defineProperty(vh, 'routes', { enumerable: true, get: () => {
      reads++;
      return routes;
    },
  });
  return vh;
}

const key = (i: number): string => `ns/app-${String(i).padStart(5, '0')}`;

function snapshot(version: number, external: VirtualHost[], clusters: Cluster[]): Snapshot {
  return { version, hash: `h${version}`, listeners: { external, local: [] }, ports: [], clusters, tls: [], ingresses: [] };
}

const empty = { removed: [], added: [] };
const diffs = (d: Partial<SnapshotDiffs>): SnapshotDiffs => ({ clusters: empty, external: empty, local: empty, ports: empty, tls: empty, ingresses: empty, ...d });
const result = (s: Snapshot) => ({ snapshot: s, statuses: [], diagnostics: [] });

describe('configuration versions on the status page', () => {
  const hosts = Array.from({ length: N }, (_, i) => vhost(key(i), [route(key(i), `${key(i)}:80`)]));
  const clusters = Array.from({ length: N }, (_, i) => cluster(`${key(i)}:80`));
  const first = snapshot(1, hosts, clusters);

  it("an edit of one ingress reads that ingress's routes, not every route of both snapshots", () => {
    const feed = new SettableFeed();
    feed.publish(first, result(first));
    const history = new ConfigHistory(feed);
    // app 7 now routes to a new cluster; app 9 is removed; app N is added
    const edited = vhost(key(7), [route(key(7), `${key(7)}:81`)]);
    const added = vhost(key(N), [route(key(N), `${key(N)}:80`)]);
    const nextHosts = [...hosts.slice(0, 7), edited, hosts[8]!, ...hosts.slice(10), added];
    const newClusters = [cluster(`${key(7)}:81`), cluster(`${key(N)}:80`)];
    const nextClusters = [...clusters.filter((c) => c.name !== `${key(9)}:80`), ...newClusters].sort((a, b) => (a.name < b.name ? -1 : 1));
    const next = snapshot(2, nextHosts, nextClusters);
    // The first version's whole-table summary waits until the page is read (or a second): read it here.
    history.entries();
    reads = 0;
    feed.publish(next, result(next), diffs({ external: { removed: [hosts[7]!, hosts[9]!], added: [edited, added] }, clusters: { removed: [clusters[9]!], added: newClusters } }));
    assert.ok(reads <= 8, `${reads} virtual hosts' routes read for an edit of one ingress among ${N}`);
    const [entry] = history.entries();
    assert.deepEqual(entry!.changes.routes, { added: [key(N)], removed: [key(9)], changed: [key(7)], counts: [1, 1, 1] });
    assert.deepEqual(entry!.changes.clusters, { added: [`${key(7)}:81`, `${key(N)}:80`], removed: [`${key(9)}:80`], changed: [], counts: [2, 1, 0] });
    // the same as comparing the two snapshots whole
    const whole = summarizeChange(first, next);
    assert.deepEqual([whole.routes.added, whole.routes.removed, whole.routes.changed], [[key(N)], [key(9)], [key(7)]]);
    history.stop();
  });

  it('a virtual host replaced with equal routes, and an ingress still served by another host, are not changes', () => {
    const feed = new SettableFeed();
    const two = [vhost('ns/shared', [route('ns/shared', 'c')]), { ...vhost('ns/shared', [route('ns/shared', 'c')]), name: 'ns/shared/1' } as VirtualHost];
    const s1 = snapshot(1, two, [cluster('c')]);
    feed.publish(s1, result(s1));
    const history = new ConfigHistory(feed);
    // host 0 is rebuilt with an equal route; host 1 is dropped, but the ingress is still served by host 0
    const rebuilt = vhost('ns/shared', [route('ns/shared', 'c')]);
    const s2 = snapshot(2, [rebuilt], [cluster('c')]);
    feed.publish(s2, result(s2), diffs({ external: { removed: [two[0]!, two[1]!], added: [rebuilt] } }));
    assert.deepEqual(history.entries()[0]!.changes.routes, { added: [], removed: [], changed: ['ns/shared'], counts: [0, 0, 1] });
    // a rebuilt host with equal routes alone changes nothing
    const again = vhost('ns/shared', [route('ns/shared', 'c')]);
    const s3 = snapshot(3, [again], [cluster('c')]);
    feed.publish(s3, result(s3), diffs({ external: { removed: [rebuilt], added: [again] } }));
    assert.deepEqual(history.entries()[0]!.changes.routes, { added: [], removed: [], changed: [], counts: [0, 0, 0] });
    history.stop();
  });
});
