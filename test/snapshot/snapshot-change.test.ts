// The pipeline hands every feed subscriber a SnapshotChange: the new snapshot, the one before, and
// how each list was made from the one before's. Translations whose content hash did not change are
// not published; their diffs are folded into the next published change (snapshot/since-published.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Endpoints, KIngress, Service, Sourced } from '../../src/api/types.ts';
import { silentLogger } from '../../src/log.ts';
import { Pipeline } from '../../src/pipeline.ts';
import { foldDiffs, type SnapshotChange } from '../../src/snapshot/change.ts';
import { compareSorted, type ListDiff } from '../../src/snapshot/list-diff.ts';
import type { Source, SourceState } from '../../src/sources/types.ts';
import { defaultTranslateOptions } from '../../src/translate/options.ts';

const at = (resource: Sourced['resource'], i: number): Sourced => ({ resource, origin: { file: `app-${i}.yaml` } });
const ingress = (i: number): KIngress => ({
  apiVersion: 'networking.internal.knative.dev/v1alpha1',
  kind: 'Ingress',
  metadata: { name: `app-${i}`, namespace: 'ns' },
  spec: { rules: [{ hosts: [`app-${i}.example.com`], http: { paths: [{ splits: [{ serviceNamespace: 'ns', serviceName: `app-${i}`, servicePort: 80 }] }] } }] },
});
const service = (i: number): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: `app-${i}`, namespace: 'ns' }, spec: { ports: [{ name: 'http', port: 80 }] } });
const endpoints = (i: number, ip: string): Endpoints => ({
  apiVersion: 'v1',
  kind: 'Endpoints',
  metadata: { name: `app-${i}`, namespace: 'ns' },
  subsets: [{ addresses: [{ ip }], ports: [{ name: 'http', port: 8080 }] }],
});

function setup(apps: number) {
  const resources = Array.from({ length: apps }, (_, i) => [at(ingress(i), i), at(service(i), i), at(endpoints(i, `10.0.0.${i}`), i)]);
  let push: (s: SourceState) => void = () => {};
  const source: Source = {
    start: (p) => {
      push = p;
      p({ resources: resources.flat(), rejections: [] });
      return Promise.resolve();
    },
    stop: () => Promise.resolve(),
  };
  const pipeline = new Pipeline(source, defaultTranslateOptions, silentLogger());
  const changes: SnapshotChange[] = [];
  pipeline.feed.subscribe((c) => changes.push(c));
  const setIp = (i: number, ip: string) => {
    resources[i]![2] = at(endpoints(i, ip), i);
    push({ resources: resources.flat(), rejections: [] });
  };
  return { pipeline, changes, setIp };
}

function assertExact<T>(got: ListDiff<T>, before: readonly T[], after: readonly T[], key: (x: T) => string, what: string): void {
  const want = compareSorted(before, after, key)!;
  assert.deepEqual(new Set(got.removed), new Set(want.removed), `${what} removed`);
  assert.deepEqual(new Set(got.added), new Set(want.added), `${what} added`);
}

test('the first change has no previous snapshot and no diffs; the next one leads from it', async () => {
  const { pipeline, changes, setIp } = setup(3);
  await pipeline.start();
  assert.equal(changes.length, 1);
  assert.deepEqual([changes[0]!.previous, changes[0]!.diffs], [undefined, undefined]);
  setIp(1, '10.9.9.9');
  assert.equal(changes.length, 2);
  const [first, second] = changes as [SnapshotChange, SnapshotChange];
  assert.equal(second.previous, first.snapshot);
  assert.deepEqual(second.diffs!.clusters.removed, first.snapshot.clusters.filter((c) => c.name === 'ns/app-1:80'));
  assert.deepEqual(second.diffs!.clusters.added, second.snapshot.clusters.filter((c) => c.name === 'ns/app-1:80'));
  await pipeline.stop();
});

test('translations that change nothing served are not published, and the next change still leads from the last published snapshot', async () => {
  const { pipeline, changes, setIp } = setup(4);
  await pipeline.start();
  // Endpoints rewritten with the same address, twice: app-0 is translated again into equal but new
  // objects, the content hash is the same, nothing is published.
  setIp(0, '10.0.0.0');
  setIp(0, '10.0.0.0');
  assert.equal(changes.length, 1, 'equal content is not published');
  setIp(2, '10.2.2.2');
  assert.equal(changes.length, 2);
  const { previous, snapshot, diffs } = changes[1]!;
  assert.equal(previous, changes[0]!.snapshot);
  assert.ok(diffs !== undefined, 'diffs known across the unpublished translations');
  // Exactly the difference between the two published snapshots: app-0's objects of the published
  // snapshot against its latest ones, and app-2's; none of the objects that were never published.
  const byName = (x: { name: string }) => x.name;
  assertExact(diffs.clusters, previous.clusters, snapshot.clusters, byName, 'clusters');
  assertExact(diffs.external, previous.listeners.external, snapshot.listeners.external, byName, 'external');
  assertExact(diffs.local, previous.listeners.local, snapshot.listeners.local, byName, 'local');
  assertExact(diffs.ingresses, previous.ingresses, snapshot.ingresses, (i) => i.key, 'ingresses');
  assert.deepEqual(diffs.clusters.removed.map(byName).sort(), ['ns/app-0:80', 'ns/app-2:80']);
  await pipeline.stop();
});

test('folded diffs cover the port listeners, by name and identity', () => {
  const port = (name: string, port: number) => ({ name, address: '0.0.0.0', port, protocol: 'HTTP' as const, certificates: [], virtualHosts: [] });
  const lists = (ports: ReturnType<typeof port>[]) => ({ listeners: { external: [], local: [] }, ports, clusters: [], tls: [], ingresses: [] });
  const a = port('gateway/0.0.0.0:80', 80);
  const b = port('gateway/0.0.0.0:81', 81);
  const b2 = { ...b };
  const none = { removed: [], added: [] };
  const step = (ports: ListDiff<ReturnType<typeof port>>) => ({ clusters: none, external: none, local: none, ports, tls: none, ingresses: none });
  // a stays, b is replaced by b2 and then a third port comes and goes again.
  const c = port('gateway/0.0.0.0:82', 82);
  const folded = foldDiffs(lists([a, b]), lists([a, b2]), [step({ removed: [b], added: [b2, c] }), step({ removed: [c], added: [] })]);
  assert.deepEqual(folded.ports, { removed: [b], added: [b2] });
  assert.equal(folded.ports.added[0], b2);
});
