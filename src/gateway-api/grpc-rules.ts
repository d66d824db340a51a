// GRPCRoute rules -> ranked IR routes: one per (rule, match), backends spoken to with h2c.
import { grpcMatch } from './grpc-matches.ts';
import { SharedValues } from '../snapshot/shared-values.ts';
import { RuleFindings } from './rule-findings.ts';
import { RuleActions, rulesResult, ruleRoutes, type TranslatedMatch } from './rule-routes.ts';
import type { RankedRoute, RouteRulesResult, RuleContext } from './route-rules.ts';
import type { GRPCRouteMatch, GRPCRouteRule, GRPCRouteSpec } from './route-types.ts';
import { isObject, listOf } from './spec-values.ts';

// GRPCRoute's filter types, on rules and on backendRefs alike.
const FILTERS = new Set(['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestMirror', 'ExtensionRef']);

// A rule without matches matches every method. (Omitted rules have no default, unlike HTTPRoute's.)
const DEFAULT_MATCHES: readonly GRPCRouteMatch[] = [{}];

export function grpcRouteRules(spec: GRPCRouteSpec, ctx: RuleContext, created: string): RouteRulesResult {
  const findings = new RuleFindings();
  const rules = isObject(spec) ? listOf(spec.rules) : [];
  const routes: RankedRoute[] = [];
  // Only rules of one route repeat each other's filters and backends.
  const shared = rules.length > 1 ? new SharedValues() : undefined;
  const actions = rules.length > 1 ? new RuleActions() : undefined;
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i] as GRPCRouteRule;
    if (!isObject(rule)) {
      findings.notSupported(`spec.rules[${i}]: must be an object`);
      continue;
    }
    const matches = matchesOf(rule, i, findings);
    // GRPCRoute rules have no timeouts or retry in v1.6: only filters and backendRefs are read.
    const body = { name: rule.name, filters: rule.filters, backendRefs: rule.backendRefs };
    routes.push(...ruleRoutes({ ctx, findings, created, ruleIndex: i, matches, body, ruleFilters: FILTERS, backendFilters: FILTERS, grpc: true, shared, actions }));
  }
  return rulesResult(routes, findings);
}

function matchesOf(rule: GRPCRouteRule, ruleIndex: number, findings: RuleFindings): TranslatedMatch[] {
  const given = listOf(rule.matches);
  const specs = given.length > 0 ? given : DEFAULT_MATCHES;
  const out: TranslatedMatch[] = [];
  for (let j = 0; j < specs.length; j++) {
    const m = grpcMatch(specs[j] as GRPCRouteMatch, `spec.rules[${ruleIndex}].matches[${j}]`);
    if (m.ok) out.push({ index: j, parts: m.value.parts, grpc: m.value.rank });
    else findings.notSupported(m.message);
  }
  return out;
}
