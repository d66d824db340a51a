// HTTPRoute rules -> ranked IR routes: one per (rule, match).
import { httpMatch } from './http-matches.ts';
import { kindRouteRules, type RuleKind } from './rule-routes.ts';
import type { RouteRulesResult, RuleContext } from './route-rules.ts';
import type { HTTPRouteMatch, HTTPRouteRule, HTTPRouteSpec } from './route-types.ts';
import { isObject, listOf } from './spec-values.ts';

// The CRD's default for omitted rules (an explicit empty list stays empty) and for a rule
// without matches: PathPrefix `/`.
const DEFAULT_RULES: readonly HTTPRouteRule[] = [{}];

const HTTP_RULES: RuleKind<HTTPRouteRule, HTTPRouteMatch> = {
  defaultMatches: [{}],
  match: (spec, where, index) => {
    const m = httpMatch(spec, where);
    return m.ok ? { index, parts: m.value } : m.message;
  },
  body: (rule) => rule,
  ruleFilters: new Set(['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestMirror', 'RequestRedirect', 'URLRewrite', 'CORS', 'ExtensionRef']),
  // Per-backend filters: those that make sense for one backend (no redirect, no CORS answer).
  backendFilters: new Set(['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestMirror', 'URLRewrite', 'ExtensionRef']),
  grpc: false,
};

export function httpRouteRules(spec: HTTPRouteSpec, ctx: RuleContext, created: string): RouteRulesResult {
  const rules = !isObject(spec) || spec.rules === undefined ? DEFAULT_RULES : listOf(spec.rules);
  return kindRouteRules(rules, HTTP_RULES, ctx, created);
}
