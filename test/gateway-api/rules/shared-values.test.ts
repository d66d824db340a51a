// Routes with equal matches, filters or backends hold one object for them: at 10,000 HTTPRoutes
// with the same header match and four rules each repeating their filter and backends, the snapshot
// held 40,000 copies of the match list and four of each route's filters and splits (heap snapshot,
// bench/scale-heap.ts: 25 MiB of header edits and matches).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { httpRouteRules } from '../../../src/gateway-api/route-rules.ts';
import type { HTTPRouteRule } from '../../../src/gateway-api/route-types.ts';
import type { Route } from '../../../src/snapshot/types.ts';
import { SharedValues } from '../../../src/snapshot/shared-values.ts';
import { FileMerge } from '../../../src/sources/merge.ts';
import { parseConfigText } from '../../../src/sources/yaml-docs.ts';
import { Store } from '../../../src/store/store.ts';
import { TranslateCache } from '../../../src/translate/cache.ts';
import { defaultTranslateOptions } from '../../../src/translate/options.ts';
import { translate } from '../../../src/translate/translate.ts';
import { gatewayYaml, routeYaml, scaleRoute } from '../../../bench/httproute-gen.ts';
import { ruleContext, WEB } from './rule-context.ts';

const rule = (path: string): HTTPRouteRule => ({
  matches: [{ path: { type: 'PathPrefix', value: path }, headers: [{ name: 'x-user', value: 'bench' }] }],
  filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { add: [{ name: 'x-route', value: 'web' }] } }],
  backendRefs: [{ name: 'web', port: 80 }],
});
const routesOf = (rules: HTTPRouteRule[], shared?: SharedValues): Route[] => httpRouteRules({ rules }, { ...ruleContext({ backends: [WEB] }), ...(shared && { shared }) }, '').routes.map((r) => r.route);

test("a route's rules with the same filters and backends share one filter list and one split list", () => {
  const [a, b, c] = routesOf([rule('/a'), rule('/b'), { ...rule('/c'), filters: [] }]);
  assert.equal(a?.filters, b?.filters);
  assert.equal(a?.splits, b?.splits);
  assert.notEqual(a?.filters, c?.filters);
  assert.deepEqual(c?.filters, []);
});

test('routes of different HTTPRoutes translated in one pass share equal header matches and paths', () => {
  const pass = new SharedValues();
  const [a] = routesOf([rule('/same')], pass);
  const [b] = routesOf([rule('/same')], pass);
  assert.notEqual(a, b);
  assert.equal(a?.headers, b?.headers);
  assert.equal(a?.path, b?.path);
  assert.deepEqual(a?.headers, [{ name: 'x-user', match: { type: 'exact', value: 'bench' } }]);
});

test('a translation of many HTTPRoutes with the same header match holds one match list for all of them', () => {
  const merge = new FileMerge();
  merge.set('gateway.yaml', parseConfigText(gatewayYaml(), 'gateway.yaml'));
  for (let i = 0; i < 5; i++) merge.set(`r${i}.yaml`, parseConfigText(routeYaml(scaleRoute(i, 9001, 9002)), `r${i}.yaml`));
  const result = translate(new Store().update(merge.state()), { ...defaultTranslateOptions, gatewayAddress: '127.0.0.1' }, new TranslateCache());
  const routes = result.snapshot.ports.flatMap((p) => p.virtualHosts.flatMap((v) => v.routes)).filter((r) => r.headers.length > 0);
  assert.equal(routes.length, 20);
  assert.equal(new Set(routes.map((r) => r.headers)).size, 1);
});
