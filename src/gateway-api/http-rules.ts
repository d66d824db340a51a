// HTTPRoute rules -> ranked IR routes: one per (rule, match).
import { httpMatch } from './http-matches.ts';
import { SharedValues } from '../snapshot/shared-values.ts';
import { RuleFindings } from './rule-findings.ts';
import { RuleActions, rulesResult, ruleRoutes, type TranslatedMatch } from './rule-routes.ts';
import type { RankedRoute, RouteRulesResult, RuleContext } from './route-rules.ts';
import type { HTTPRouteMatch, HTTPRouteRule, HTTPRouteSpec } from './route-types.ts';
import { isObject, listOf } from './spec-values.ts';

const RULE_FILTERS = new Set(['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestMirror', 'RequestRedirect', 'URLRewrite', 'CORS', 'ExtensionRef']);
// Per-backend filters: those that make sense for one backend (no redirect, no CORS answer).
const BACKEND_FILTERS = new Set(['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestMirror', 'URLRewrite', 'ExtensionRef']);

// The CRD's default for omitted rules (an explicit empty list stays empty) and for a rule
// without matches: PathPrefix `/`.
const DEFAULT_RULES: readonly HTTPRouteRule[] = [{}];
const DEFAULT_MATCHES: readonly HTTPRouteMatch[] = [{}];

export function httpRouteRules(spec: HTTPRouteSpec, ctx: RuleContext, created: string): RouteRulesResult {
  const findings = new RuleFindings();
  const rules = !isObject(spec) || spec.rules === undefined ? DEFAULT_RULES : listOf(spec.rules);
  const routes: RankedRoute[] = [];
  // Only rules of one route repeat each other's filters and backends.
  const shared = rules.length > 1 ? new SharedValues() : undefined;
  const actions = rules.length > 1 ? new RuleActions() : undefined;
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i] as HTTPRouteRule;
    if (!isObject(rule)) {
      findings.notSupported(`spec.rules[${i}]: must be an object`);
      continue;
    }
    const matches = matchesOf(rule, i, findings);
    routes.push(...ruleRoutes({ ctx, findings, created, ruleIndex: i, matches, body: rule, ruleFilters: RULE_FILTERS, backendFilters: BACKEND_FILTERS, grpc: false, shared, actions }));
  }
  return rulesResult(routes, findings);
}

/** The rule's valid matches; an invalid one is left out (no request can be matched by it) and reported. */
function matchesOf(rule: HTTPRouteRule, ruleIndex: number, findings: RuleFindings): TranslatedMatch[] {
  const given = listOf(rule.matches);
  const specs = given.length > 0 ? given : DEFAULT_MATCHES;
  const out: TranslatedMatch[] = [];
  for (let j = 0; j < specs.length; j++) {
    const m = httpMatch(specs[j] as HTTPRouteMatch, `spec.rules[${ruleIndex}].matches[${j}]`);
    if (m.ok) out.push({ index: j, parts: m.value });
    else findings.notSupported(m.message);
  }
  return out;
}
