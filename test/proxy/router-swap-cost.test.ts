// A snapshot swap that changes one cluster costs the data plane what changed, not the size of the
// configuration: the new snapshot's cluster list is read only by binary search (a few reads per
// changed name), never walked. Regression: BackendGuards.follow walked every cluster on every swap
// (20,000 at 10,000 Knative apps) to find the ones with a BackendPolicy.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../../src/log.ts';
import { Metrics } from '../../src/metrics.ts';
import { DataPlane } from '../../src/proxy/dataplane.ts';
import { Upstreams } from '../../src/proxy/upstreams.ts';
import { SettableFeed } from '../../src/snapshot/feed.ts';
import type { Cluster, Snapshot, TranslateResult, VirtualHost } from '../../src/snapshot/types.ts';
import type { SnapshotDiffs } from '../../src/snapshot/change.ts';

const N = 2000;
const name = (i: number): string => `c-${String(i).padStart(5, '0')}`;
const policy = { source: 'bench/limits', circuitBreakers: { maxRequests: 100 } };
const clusterAt = (i: number, port = 1): Cluster => ({ name: name(i), protocol: 'http1', type: 'static', endpoints: [{ address: '127.0.0.1', port }], policy });
const vhostAt = (i: number): VirtualHost => ({
  name: name(i),
  domains: [`${name(i)}.example.com`],
  ingress: `default/${name(i)}`,
  httpOption: 'Enabled',
  routes: [{ ingress: `default/${name(i)}`, path: { type: 'prefix', value: '/' }, headers: [], query: [], filters: [], splits: [{ cluster: name(i), weight: 100, filters: [] }] }],
});
const result = { statuses: [], diagnostics: [] } as unknown as TranslateResult;

/** The list, and how many of its items were read since `reads` was last reset. */
function counted<T>(items: T[]): { list: T[]; reads: { n: number } } {
  const reads = { n: 0 };
  const list = new Proxy(items, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads.n++;
      return Reflect.get(target, key, receiver);
    },
  });
  return { list, reads };
}

test('a swap that replaces one cluster of 2,000 with policies reads a few of the new list, not all', () => {
  const clusters = Array.from({ length: N }, (_, i) => clusterAt(i));
  const external = Array.from({ length: N }, (_, i) => vhostAt(i));
  const first: Snapshot = { version: 1, hash: 'a', listeners: { external, local: [] }, ports: [], clusters, tls: [], ingresses: [] };
  const feed = new SettableFeed((err) => {
    throw err;
  });
  feed.publish(first, result);
  const plane = new DataPlane(feed, new Upstreams(), new Metrics(), silentLogger());
  try {
    const changed = clusterAt(N / 2, 2);
    const next = counted(clusters.map((c, i) => (i === N / 2 ? changed : c)));
    const second: Snapshot = { ...first, version: 2, hash: 'b', clusters: next.list };
    const none = { removed: [], added: [] };
    const diffs: SnapshotDiffs = { clusters: { removed: [clusters[N / 2] as Cluster], added: [changed] }, external: none, local: none, ports: none, tls: none, ingresses: none };
    next.reads.n = 0;
    feed.publish(second, result, diffs);
    assert.equal(plane.router?.snapshot, second);
    assert.ok(next.reads.n < 100, `the swap read ${next.reads.n} of ${N} clusters`);
    // The changed cluster is what the router now sends to.
    const entry = plane.router?.hosts.external.get(`${name(N / 2)}.example.com`);
    assert.equal(entry?.routes[0]?.splits[0]?.cluster, changed);
  } finally {
    plane.stop();
  }
});

test('a swap by diff starts, keeps and stops health checkers for the clusters it adds, changes and removes', () => {
  const healthCheck = { path: '/healthz', intervalMs: 60_000, timeoutMs: 1000, healthyThreshold: 1, unhealthyThreshold: 1, expectedStatuses: [[200, 299]] as const };
  const checked = (i: number, port = 1): Cluster => ({ ...clusterAt(i, port), policy: { source: 'bench/health', healthCheck } });
  const clusters = [checked(0), clusterAt(1), checked(2)];
  const first: Snapshot = { version: 1, hash: 'a', listeners: { external: [], local: [] }, ports: [], clusters, tls: [], ingresses: [] };
  const feed = new SettableFeed((err) => {
    throw err;
  });
  feed.publish(first, result);
  const plane = new DataPlane(feed, new Upstreams(), new Metrics(), silentLogger());
  const checkedNames = (): string[] => plane.backends.health.report().map((h) => h.cluster);
  try {
    assert.deepEqual(checkedNames(), [name(0), name(2)]);
    // Cluster 0 loses its check, 1 gains one, 2 changes endpoints (its checker is kept).
    const next = [clusterAt(0), checked(1), checked(2, 2)];
    const none = { removed: [], added: [] };
    feed.publish({ ...first, version: 2, hash: 'b', clusters: next }, result, { clusters: { removed: clusters, added: next }, external: none, local: none, ports: none, tls: none, ingresses: none });
    assert.deepEqual(checkedNames(), [name(1), name(2)]);
    assert.deepEqual(plane.backends.health.report().find((h) => h.cluster === name(2))?.endpoints.map((e) => e.endpoint), ['http://127.0.0.1:2']);
  } finally {
    plane.stop();
  }
});
