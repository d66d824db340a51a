// What the Gateway API translator keeps per route, counted: at 10,000 routes each Map, Set or
// status object kept per route is megabytes of RSS (README "Gateway API", memory). A key read by
// one route, a cluster named by one route and a host served by one route hold no collection of
// their own; routes with equal statuses share one status body.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RouteReads } from '../../src/translate/route-reads.ts';
import { harness } from './translate-harness.ts';
import { gatewayYaml, routeYaml, scaleRoute } from '../../bench/httproute-gen.ts';

test('a key read by one route is indexed without a set of its own; a key read by several has one', () => {
  const reads = new RouteReads();
  for (let i = 0; i < 100; i++) reads.set(`HTTPRoute ns/r${i}`, ['services', `ns/svc-${i}`, undefined, 'services', 'ns/shared', undefined], false);
  assert.equal(reads.collections(), 1);
  const into = new Set<string>();
  reads.readersOf('services', 'ns/svc-7', into);
  assert.deepEqual([...into], ['HTTPRoute ns/r7']);
  reads.readersOf('services', 'ns/shared', into);
  assert.equal(into.size, 100);
  for (let i = 0; i < 99; i++) reads.delete(`HTTPRoute ns/r${i}`);
  assert.equal(reads.collections(), 0);
  into.clear();
  reads.readersOf('services', 'ns/shared', into);
  assert.deepEqual([...into], ['HTTPRoute ns/r99']);
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
