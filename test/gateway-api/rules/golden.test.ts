// Golden scenarios for the route rules translator: golden/<name>.in.yaml holds `routes`
// (HTTPRoute and GRPCRoute objects), `services` (each served by one ready address, 10.0.0.1, on
// its targetPort) and `grants` (`namespace/name` of Services a ReferenceGrant opens to every
// route). <name>.out.yaml holds each route's result and every (rule, match) of all routes in
// byPrecedence order. Run with UPDATE_GOLDEN=1 to rewrite the outputs, then review the YAML diff.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse, stringify } from 'yaml';
import type { Service } from '../../../src/api/types.ts';
import { byPrecedence, grpcRouteRules, httpRouteRules, type RankedRoute, type RouteRulesResult } from '../../../src/gateway-api/route-rules.ts';
import type { GRPCRouteSpec, HTTPRouteSpec } from '../../../src/gateway-api/route-types.ts';
import { backendOf, ruleContext } from './rule-context.ts';

const DIR = join(import.meta.dirname, 'golden');
const update = process.env.UPDATE_GOLDEN === '1';

interface RouteObject {
  kind: 'HTTPRoute' | 'GRPCRoute';
  metadata: { namespace?: string; name: string; creationTimestamp?: string };
  spec: HTTPRouteSpec & GRPCRouteSpec;
}

interface Scenario {
  routes: RouteObject[];
  services?: Service[];
  grants?: string[];
}

function run(s: Scenario): unknown {
  const backends = (s.services ?? []).map(backendOf);
  const results: Record<string, RouteRulesResult> = {};
  const all: RankedRoute[] = [];
  for (const r of s.routes) {
    const ctx = ruleContext({ kind: r.kind, namespace: r.metadata.namespace ?? 'default', name: r.metadata.name, backends, granted: s.grants ?? [] });
    const translate = r.kind === 'GRPCRoute' ? grpcRouteRules : httpRouteRules;
    const result = translate(r.spec, ctx, r.metadata.creationTimestamp ?? '');
    results[ctx.routeKey] = result;
    all.push(...result.routes);
  }
  const order = [...all].sort(byPrecedence).map((r) => `${r.route.ingress} rules[${r.ruleIndex}].matches[${r.matchIndex}] ${r.route.path.type} ${r.route.path.value}`);
  const view = (r: RouteRulesResult) => ({ ...r, routes: r.routes.map((x) => ({ ruleIndex: x.ruleIndex, matchIndex: x.matchIndex, route: x.route })) });
  return { order, results: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, view(v)])) };
}

const scenarios = readdirSync(DIR)
  .filter((f) => f.endsWith('.in.yaml'))
  .sort();

test('there are route rules golden scenarios', () => assert.ok(scenarios.length >= 5, `found ${scenarios.length}`));

for (const input of scenarios) {
  const name = input.slice(0, -'.in.yaml'.length);
  test(`route rules golden: ${name}`, () => {
    const actual = stringify(run(parse(readFileSync(join(DIR, input), 'utf8')) as Scenario), { lineWidth: 0, aliasDuplicateObjects: false });
    const outPath = join(DIR, `${name}.out.yaml`);
    if (update) {
      writeFileSync(outPath, actual);
      return;
    }
    assert.ok(existsSync(outPath), `${outPath} is missing; run with UPDATE_GOLDEN=1 to create it`);
    assert.equal(actual, readFileSync(outPath, 'utf8'));
  });
}
