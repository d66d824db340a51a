// A route's rules that repeat each other's filters and backendRefs (one object each, as a file's
// reader gives them) get their action made once: the backends are resolved once per distinct body,
// and the result is what translating every rule on its own gives.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { httpRouteRules } from '../../../src/gateway-api/route-rules.ts';
import type { HTTPBackendRef, HTTPRouteFilter, HTTPRouteRule } from '../../../src/gateway-api/route-types.ts';
import type { RuleContext } from '../../../src/gateway-api/route-rules.ts';
import { ruleContext } from './rule-context.ts';

/** A context whose Service lookups are counted. */
function counted(): { ctx: RuleContext; services: () => number } {
  const ctx = ruleContext();
  let services = 0;
  const service = (key: string) => {
    services++;
    return ctx.lookups.service(key);
  };
  const lookups = { ...ctx.lookups, service };
  return { ctx: { ...ctx, lookups }, services: () => services };
}

const filters: HTTPRouteFilter[] = [{ type: 'RequestHeaderModifier', requestHeaderModifier: { add: [{ name: 'x-a', value: '1' }] } }];
const backendRefs: HTTPBackendRef[] = [{ name: 'web', port: 80, weight: 90 }, { name: 'web', port: 8080, weight: 10 }];
const paths = ['/api', '/static', '/v1', '/'];
const rule = (path: string, body: Pick<HTTPRouteRule, 'filters' | 'backendRefs'>): HTTPRouteRule => ({ matches: [{ path: { type: 'PathPrefix', value: path } }], ...body });

test('rules with the same filters and backendRefs objects resolve their backends once, as one rule does', () => {
  const one = counted();
  httpRouteRules({ rules: [rule('/', { filters, backendRefs })] }, one.ctx, '');
  const four = counted();
  const shared = httpRouteRules({ rules: paths.map((p) => rule(p, { filters, backendRefs })) }, four.ctx, '');
  assert.ok(one.services() > 0);
  assert.equal(four.services(), one.services());
  // the same as four rules with copies of their own (each resolved)
  const copies = counted();
  const own = httpRouteRules({ rules: paths.map((p) => rule(p, structuredClone({ filters, backendRefs }))) }, copies.ctx, '');
  assert.equal(copies.services(), 4 * one.services());
  assert.deepEqual(shared, own);
});

test('a repeated body that does not resolve reports the first rule it is in, as without the repeat', () => {
  const missing: HTTPBackendRef[] = [{ name: 'nowhere', port: 80 }];
  const rules = [rule('/a', { backendRefs: missing }), rule('/b', { filters, backendRefs }), rule('/c', { backendRefs: missing })];
  const r = httpRouteRules({ rules }, ruleContext(), '');
  const fresh = httpRouteRules({ rules: structuredClone(rules) }, ruleContext(), '');
  assert.deepEqual(r, fresh);
  assert.match(r.unresolved?.message ?? '', /spec\.rules\[0\]/);
  assert.equal(r.routes.length, 3);
});

test('a rewrite that needs prefix matches is made again for a rule whose matches are not all prefixes', () => {
  const rewrite: HTTPRouteFilter[] = [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/x' } } }];
  const rules: HTTPRouteRule[] = [
    { matches: [{ path: { type: 'PathPrefix', value: '/a' } }], filters: rewrite, backendRefs },
    { matches: [{ path: { type: 'Exact', value: '/b' } }], filters: rewrite, backendRefs },
  ];
  const r = httpRouteRules({ rules }, ruleContext(), '');
  assert.deepEqual(r, httpRouteRules({ rules: structuredClone(rules) }, ruleContext(), ''));
  assert.notDeepEqual(r.routes[0]?.route.filters, r.routes[1]?.route.filters);
});
