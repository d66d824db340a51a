// Routes with equal matches, filters or backends hold one object for them: at 10,000 HTTPRoutes
// with the same header match and four rules each repeating their filter and backends, the snapshot
// held 40,000 copies of the match list and four of each route's filters and splits (heap snapshot,
// bench/scale-heap.ts: 25 MiB of header edits and matches).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { httpRouteRules } from '../../../src/gateway-api/route-rules.ts';
import type { HTTPRouteRule } from '../../../src/gateway-api/route-types.ts';
import type { Route } from '../../../src/snapshot/types.ts';
import { ruleContext, WEB } from './rule-context.ts';

const rule = (path: string): HTTPRouteRule => ({
  matches: [{ path: { type: 'PathPrefix', value: path }, headers: [{ name: 'x-user', value: 'bench' }] }],
  filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { add: [{ name: 'x-route', value: 'web' }] } }],
  backendRefs: [{ name: 'web', port: 80 }],
});
const routesOf = (rules: HTTPRouteRule[]): Route[] => httpRouteRules({ rules }, ruleContext({ backends: [WEB] }), '').routes.map((r) => r.route);

test("a route's rules with the same filters and backends share one filter list and one split list", () => {
  const [a, b, c] = routesOf([rule('/a'), rule('/b'), { ...rule('/c'), filters: [] }]);
  assert.equal(a?.filters, b?.filters);
  assert.equal(a?.splits, b?.splits);
  assert.notEqual(a?.filters, c?.filters);
  assert.deepEqual(c?.filters, []);
});

test('routes of different HTTPRoutes with the same header match and path share those match objects', () => {
  const [a] = routesOf([rule('/same')]);
  const [b] = routesOf([rule('/same')]);
  assert.notEqual(a, b);
  assert.equal(a?.headers, b?.headers);
  assert.equal(a?.path, b?.path);
  assert.deepEqual(a?.headers, [{ name: 'x-user', match: { type: 'exact', value: 'bench' } }]);
});
