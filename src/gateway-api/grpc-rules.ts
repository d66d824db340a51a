// GRPCRoute rules -> ranked IR routes: one per (rule, match), backends spoken to with h2c.
import { grpcMatch } from './grpc-matches.ts';
import { kindRouteRules, type RuleKind } from './rule-routes.ts';
import type { RouteRulesResult, RuleContext } from './route-rules.ts';
import type { GRPCRouteMatch, GRPCRouteRule, GRPCRouteSpec } from './route-types.ts';
import { isObject, listOf } from './spec-values.ts';

// GRPCRoute's filter types, on rules and on backendRefs alike.
const FILTERS = new Set(['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestMirror', 'ExtensionRef']);

const GRPC_RULES: RuleKind<GRPCRouteRule, GRPCRouteMatch> = {
  // A rule without matches matches every method.
  defaultMatches: [{}],
  match: (spec, where, index) => {
    const m = grpcMatch(spec, where);
    return m.ok ? { index, parts: m.value.parts, grpc: m.value.rank } : m.message;
  },
  // GRPCRoute rules have no timeouts or retry in v1.6: only filters and backendRefs are read.
  body: (rule) => ({ name: rule.name, filters: rule.filters, backendRefs: rule.backendRefs }),
  ruleFilters: FILTERS,
  backendFilters: FILTERS,
  grpc: true,
};

export function grpcRouteRules(spec: GRPCRouteSpec, ctx: RuleContext, created: string): RouteRulesResult {
  // Omitted rules have no default, unlike HTTPRoute's.
  const rules = isObject(spec) ? listOf(spec.rules) : [];
  return kindRouteRules(rules, GRPC_RULES, ctx, created);
}
