// The paths of one ingress share a split list when their splits are equal (routes.ts keeps each
// list once per ingress, by a key of its content), and never when they differ, whatever the
// header values hold: the key is length-prefixed, so no value can pass for another split's part.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HTTPIngressPath, IngressRule, Service } from '../../src/api/types.ts';
import type { Lookups } from '../../src/translate/lookups.ts';
import { ruleRoutes } from '../../src/translate/routes.ts';

const service = (name: string): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'n' }, spec: { ports: [{ name: 'http', port: 80 }] } });
const lookups: Lookups = { service: (key) => service(key.split('/')[1] as string), slices: () => undefined, endpoints: () => undefined, secret: () => undefined };
const split = (serviceName: string, percent: number, appendHeaders?: Record<string, string>) => ({ serviceNamespace: 'n', serviceName, servicePort: 80, percent, ...(appendHeaders && { appendHeaders }) });
const routesOf = (paths: HTTPIngressPath[]) => ruleRoutes({ hosts: ['a.example.com'], http: { paths } } as IngressRule, 0, 'n/a', lookups).routes;

test('paths with equal splits share one split list', () => {
  const splits = [split('r1', 90, { 'knative-serving-revision': 'r1' }), split('r2', 10, { 'knative-serving-revision': 'r2' })];
  const routes = routesOf([{ path: '/a', splits }, { path: '/b', splits: structuredClone(splits) }]);
  assert.equal(routes[0]?.splits, routes[1]?.splits);
});

test('paths whose splits differ only in how their parts would run together keep lists of their own', () => {
  const cases: HTTPIngressPath['splits'][] = [
    [split('r1', 100, { a: 'b1:c' })],
    [split('r1', 100, { a: 'b', '1:c': '' })],
    [split('r1', 100, { a: 'b1', ':c': '' })],
    [split('r1', 10, { a: 'b' })],
    [split('r1', 1, { '0a': 'b' })],
    [split('r1', 50), split('r1', 50)],
    [split('r1', 100)],
  ];
  const routes = routesOf(cases.map((splits, i) => ({ path: `/${i}`, splits })));
  const lists = new Set(routes.map((r) => r.splits));
  assert.equal(lists.size, cases.length);
  routes.forEach((r, i) => {
    assert.deepEqual(r.splits.map((s) => s.weight), cases[i]?.map((s) => s.percent));
  });
});
