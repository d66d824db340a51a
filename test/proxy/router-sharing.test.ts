// The compiled router holds one object for what many routes have in common: at 10,000 apps a
// heap snapshot (bench/scale-heap.ts) showed 40,000 path matchers for four distinct paths, a
// matcher list per route for one shared header match, and a list of resolved clusters per route
// (7 MiB) that only compiling ever read.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileRouter, type CompiledRoute } from '../../src/proxy/router.ts';
import type { Route } from '../../src/snapshot/types.ts';
import { route, snapshotOf, vhost } from './ir-helpers.ts';

/** The first compiled route of each host, each host given its own route objects. */
function compiled(...routes: Route[]): CompiledRoute[] {
  const hosts = routes.map((r, i) => vhost([`h${i}.example.com`], [r]));
  const router = compileRouter(snapshotOf(hosts));
  return hosts.map((h) => router.hosts.external.get(h.domains[0] as string)?.routes[0] as CompiledRoute);
}

test('routes of different hosts with equal paths share one compiled path matcher', () => {
  const [a, b, c] = compiled(route({ path: { type: 'prefix', value: '/api' } }), route({ path: { type: 'prefix', value: '/api' } }), route({ path: { type: 'exact', value: '/api' } }));
  assert.equal(a?.path, b?.path);
  assert.notEqual(a?.path, c?.path);
});

test('routes with the same regex share one compiled regex', () => {
  const [a, b] = compiled(route({ path: { type: 'regex', value: '/v[0-9]+/.*' } }), route({ path: { type: 'regex', value: '/v[0-9]+/.*' } }));
  assert.ok(a?.path.regex !== undefined);
  assert.equal(a?.path.regex, b?.path.regex);
});

test('routes with equal header matches share one compiled matcher list', () => {
  const headers = () => [{ name: 'x-user', match: { type: 'exact' as const, value: 'bench' } }];
  const [a, b] = compiled(route({ headers: headers() }), route({ headers: headers() }));
  assert.equal(a?.headers.length, 1);
  assert.equal(a?.headers, b?.headers);
});

test('a compiled route holds no list of its own of the clusters it resolved', () => {
  const [a] = compiled(route());
  assert.equal(Object.hasOwn(a as object, 'clusters'), false);
});
