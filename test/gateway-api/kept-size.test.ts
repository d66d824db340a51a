// What the Gateway API translator keeps per route, counted: at 10,000 routes each Map, Set or
// status object kept per route is megabytes of RSS (README "Gateway API", memory). What routes read
// is not indexed by key, a cluster named by one route and a host served by one route hold no
// collection of their own; routes with equal statuses share one status body.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { heldBy } from '../support/heap-held.ts';
import { RouteReads, type ChangedKeys } from '../../src/translate/route-reads.ts';
import { harness } from './translate-harness.ts';
import { gatewayYaml, routeYaml, scaleRoute } from '../../bench/httproute-gen.ts';


const noChange = (): ChangedKeys => ({ services: new Set(), endpointSlicesByService: new Set(), endpoints: new Set(), secrets: new Set() });

test('the routes that read a changed key are found without an index of every key read', () => {
  const reads = new RouteReads();
  for (let i = 0; i < 100; i++) reads.set(`HTTPRoute ns/r${i}`, ['services', `ns/svc-${i}`, undefined, 'services', 'ns/shared', undefined, 'endpointSlicesByService', `ns/svc-${i}`, undefined], false);
  const readers = (kind: keyof ChangedKeys, key: string): string[] => {
    const into = new Set<string>();
    reads.readersOf({ ...noChange(), [kind]: new Set([key]) }, into);
    return [...into];
  };
  assert.deepEqual(readers('services', 'ns/svc-7'), ['HTTPRoute ns/r7']);
  assert.deepEqual(readers('endpointSlicesByService', 'ns/svc-8'), ['HTTPRoute ns/r8']);
  assert.deepEqual(readers('endpoints', 'ns/svc-8'), []);
  assert.equal(readers('services', 'ns/shared').length, 100);
  for (let i = 0; i < 99; i++) reads.delete(`HTTPRoute ns/r${i}`);
  assert.deepEqual(readers('services', 'ns/shared'), ['HTTPRoute ns/r99']);
  reads.set('HTTPRoute ns/upstreams', [], true);
  assert.deepEqual(readers('services', 'ns/other'), ['HTTPRoute ns/upstreams']);
});

test('what 20,000 routes read is held in under 100 bytes per route beyond the reads themselves', () => {
  const n = 20_000;
  const ids = Array.from({ length: n }, (_, i) => `HTTPRoute ns/r${i}`);
  const deps = ids.map((_, i) => ['services', `ns/svc-${i}-a`, undefined, 'services', `ns/svc-${i}-b`, undefined, 'endpointSlicesByService', `ns/svc-${i}-a`, undefined, 'endpointSlicesByService', `ns/svc-${i}-b`, undefined]);
  const held = heldBy(() => {
    const reads = new RouteReads();
    ids.forEach((id, i) => reads.set(id, deps[i] as unknown[], false));
    return reads;
  });
  // an index of every key read (to its reader) was about 220 bytes per route of four keys
  assert.ok(held / n < 100, `${(held / n).toFixed(0)} bytes per route`);
});

test('routes with equal statuses share one status body, and the index keeps no collection per host or cluster of one route', () => {
  const h = harness();
  h.file('gateway.yaml', gatewayYaml());
  for (let i = 0; i < 30; i++) h.file(`r${i}.yaml`, routeYaml(scaleRoute(i, 9001, 9002)));
  const r = h.run();
  assert.equal(h.cache.gatewayApi?.translation.index.collections(), 0);
  const bodies = new Set((r.objectStatuses ?? []).filter((s) => s.kind === 'HTTPRoute').map((s) => s.status));
  assert.equal(bodies.size, 1);
  // An edit keeps sharing it.
  h.file('r3.yaml', routeYaml({ ...scaleRoute(3, 9001, 9002), host: 'moved.example.com' }));
  const r2 = h.run();
  assert.equal(new Set((r2.objectStatuses ?? []).filter((s) => s.kind === 'HTTPRoute').map((s) => s.status)).size, 1);
  // Two routes on one host name: that host holds a collection.
  h.file('r4.yaml', routeYaml({ ...scaleRoute(4, 9001, 9002), host: scaleRoute(5, 9001, 9002).host }));
  h.run();
  assert.equal(h.cache.gatewayApi?.translation.index.collections(), 1);
});

test("virtual hosts of one Gateway's listeners share their list of listener names, after an edit too", () => {
  const h = harness();
  h.file('gateway.yaml', gatewayYaml());
  for (let i = 0; i < 30; i++) h.file(`r${i}.yaml`, routeYaml(scaleRoute(i, 9001, 9002)));
  const lists = (r: ReturnType<typeof h.run>): Set<unknown> => new Set(r.snapshot.ports.flatMap((p) => p.virtualHosts).filter((v) => v.name.includes('.bench.')).map((v) => v.listeners));
  const first = lists(h.run());
  assert.equal(first.size, 1);
  assert.deepEqual([...first][0], ['bench/bench/http']);
  h.file('r3.yaml', routeYaml({ ...scaleRoute(3, 9001, 9002), host: 'moved.bench.example.com' }));
  assert.deepEqual(lists(h.run()), first);
});
