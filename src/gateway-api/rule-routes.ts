// What HTTPRoute and GRPCRoute rules share once their matches are translated: the rule's
// filters, splits and policies, and one ranked IR route per match.
import { kept, NONE } from '../snapshot/kept-lists.ts';
import type { HeaderMatch, PathMatch, QueryMatch, Route, RouteFilter, Split } from '../snapshot/types.ts';
import type { MatchParts } from './http-matches.ts';
import { type FilterScope, translateFilters } from './route-filters.ts';
import { RuleFindings } from './rule-findings.ts';
import { type RulePolicies, rulePolicies } from './rule-policies.ts';
import type { GrpcMethodRank, RankedRoute, RouteRulesResult, RuleContext } from './route-rules.ts';
import type { HTTPBackendRef, HTTPRouteFilter, HTTPRouteRetry, HTTPRouteTimeouts } from './route-types.ts';
import { splitsFor } from './splits.ts';
import { isObject, listOf } from './spec-values.ts';
import { SharedValues } from '../snapshot/shared-values.ts';

export interface TranslatedMatch {
  readonly index: number;
  readonly parts: MatchParts;
  readonly grpc?: GrpcMethodRank;
}

/** The parts of a rule both route kinds have (GRPCRoute's filters are a subset of HTTPRoute's). */
export interface RuleBody {
  readonly name?: string;
  readonly filters?: readonly HTTPRouteFilter[];
  readonly backendRefs?: readonly HTTPBackendRef[];
  readonly timeouts?: HTTPRouteTimeouts;
  readonly retry?: HTTPRouteRetry;
}

export interface RuleInput {
  readonly ctx: RuleContext;
  readonly findings: RuleFindings;
  readonly created: string;
  readonly ruleIndex: number;
  readonly matches: readonly TranslatedMatch[];
  readonly body: RuleBody;
  /** filter types allowed on the rule and on its backendRefs */
  readonly ruleFilters: ReadonlySet<string>;
  readonly backendFilters: ReadonlySet<string>;
  readonly grpc: boolean;
  /** equal filter and split lists of one route's rules, shared (absent: not shared) */
  readonly shared?: SharedValues;
  /** the actions of the route's rules translated so far (absent: each rule's is made) */
  readonly actions?: RuleActions;
}

interface RuleAction extends RulePolicies {
  readonly filters: readonly RouteFilter[];
  readonly splits: readonly Split[];
}

// Every request the rule matches gets 500: a filter or policy could not be applied as written.
const ANSWER_500: RuleAction = { filters: NONE, splits: [{ weight: 1, filters: NONE }] };

function ruleAction(input: RuleInput, prefixOnly: boolean): RuleAction {
  const where = `spec.rules[${input.ruleIndex}]`;
  const scope: FilterScope = {
    ctx: input.ctx,
    findings: input.findings,
    allowed: input.ruleFilters,
    prefixOnly,
    grpc: input.grpc,
  };
  const filters = translateFilters(input.body.filters, `${where}.filters`, scope);
  const policies = rulePolicies(input.body, where);
  if (!policies.ok) input.findings.notSupported(policies.message);
  if (!filters.valid || !policies.ok) return ANSWER_500;
  // A redirect answers by itself; backendRefs beside it are never used.
  const redirects = filters.filters.some((f) => f.type === 'redirect');
  const splits = redirects ? NONE : splitsFor(input.body.backendRefs, `${where}.backendRefs`, { ...scope, allowed: input.backendFilters });
  return { filters: filters.filters, splits, ...policies.value };
}

/** A path match's content key, cheaper than its JSON (every route has one). */
const pathKey = (p: PathMatch): string => `${p.type}\0${p.value}`;

/** A header or query match list's content key. */
function listKey(l: readonly (HeaderMatch | QueryMatch)[]): string {
  let key = '';
  for (const m of l) key += `${m.name}\0${m.match.type}\0${m.match.type === 'present' ? '' : m.match.value}\0${'invert' in m && m.invert === true ? 1 : 0}\n`;
  return key;
}

/** The match parts with their path and lists shared with equal ones of the pass's other routes. */
function sharedParts(parts: MatchParts, shared: SharedValues | undefined): MatchParts {
  if (shared === undefined) return parts;
  const list = <T extends HeaderMatch | QueryMatch>(l: readonly T[]): readonly T[] => (l.length === 0 ? l : shared.share(l, listKey(l)));
  return { ...parts, path: shared.share(parts.path, pathKey(parts.path)), headers: list(parts.headers), query: list(parts.query) };
}

/**
 * The actions of one route's rules, by what they are made of. Rules of a route often repeat each
 * other's filters and backendRefs (one path per rule, the same backends): a source's reader gives
 * the repeats one object (sources/yaml-block.ts), and their action is made once, its backends
 * resolved once. What a repeat would report is what its first reported: a route's findings keep
 * only the first of each kind, and its clusters once each.
 */
export class RuleActions {
  readonly #made: Array<{ readonly body: RuleBody; readonly prefixOnly: boolean; readonly action: RuleAction }> = [];

  get(body: RuleBody, prefixOnly: boolean): RuleAction | undefined {
    for (const m of this.#made) {
      const b = m.body;
      if (m.prefixOnly === prefixOnly && b.filters === body.filters && b.backendRefs === body.backendRefs && b.timeouts === body.timeouts && b.retry === body.retry) return m.action;
    }
    return undefined;
  }

  add(body: RuleBody, prefixOnly: boolean, action: RuleAction): void {
    this.#made.push({ body, prefixOnly, action });
  }
}

const prefixOnlyOf = (input: RuleInput): boolean => input.matches.every((m) => m.parts.path.type === 'segment-prefix');

/** The rule's action, shared with the route's other rules (input.shared), made once per distinct body (input.actions). */
function sharedAction(input: RuleInput): RuleAction {
  const prefixOnly = prefixOnlyOf(input);
  const made = input.actions?.get(input.body, prefixOnly);
  if (made !== undefined) return made;
  let action = ruleAction(input, prefixOnly);
  const shared = input.shared;
  if (shared !== undefined) action = { ...action, filters: action.filters.length === 0 ? action.filters : shared.share(action.filters), splits: shared.share(action.splits) };
  input.actions?.add(input.body, prefixOnly, action);
  return action;
}

export function ruleRoutes(input: RuleInput): RankedRoute[] {
  if (input.matches.length === 0) return [];
  const action = sharedAction(input);
  // One string for the route's ranked routes (a slice per route was 40,000 strings at 10,000 routes).
  const key = input.ctx.key ?? input.ctx.routeKey.slice(input.ctx.kind.length + 1);
  // A route with no policy, no rule name and no method match is one literal of its fields: built with spreads, each
  // route also had a property store of its own (about 20 bytes; 40,000 routes at 10,000 HTTPRoutes).
  const plain = Object.keys(action).length === 2 && typeof input.body.name !== 'string';
  return input.matches.map((m) => {
    const p = sharedParts(m.parts, input.ctx.shared);
    const route: Route = plain && p.method === undefined
      ? { ingress: input.ctx.routeKey, path: p.path, headers: p.headers, query: p.query, filters: action.filters, splits: action.splits }
      : { ingress: input.ctx.routeKey, ...p, ...action, ...(typeof input.body.name === 'string' && { rule: input.body.name }) };
    const ranked: RankedRoute = { route, created: input.created, key, ruleIndex: input.ruleIndex, matchIndex: m.index };
    return m.grpc ? { ...ranked, grpc: m.grpc } : ranked;
  });
}

/** What differs between HTTPRoute and GRPCRoute rules as they are walked. */
export interface RuleKind<R extends { readonly matches?: readonly M[] }, M> {
  /** the matches of a rule without any */
  readonly defaultMatches: readonly M[];
  /** match `index` of a rule translated, or why it is left out (no request can be matched by it) */
  readonly match: (spec: M, where: string, index: number) => TranslatedMatch | string;
  /** the parts of a rule that are read */
  readonly body: (rule: R) => RuleBody;
  readonly ruleFilters: ReadonlySet<string>;
  readonly backendFilters: ReadonlySet<string>;
  readonly grpc: boolean;
}

/** A route's rules -> ranked IR routes: one per (rule, valid match); a rule that is not an object is reported. */
export function kindRouteRules<R extends { readonly matches?: readonly M[] }, M>(rules: readonly unknown[], kind: RuleKind<R, M>, ctx: RuleContext, created: string): RouteRulesResult {
  const findings = new RuleFindings();
  const routes: RankedRoute[] = [];
  // Only rules of one route repeat each other's filters and backends.
  const shared = rules.length > 1 ? new SharedValues() : undefined;
  const actions = rules.length > 1 ? new RuleActions() : undefined;
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i] as R;
    if (!isObject(rule)) {
      findings.notSupported(`spec.rules[${i}]: must be an object`);
      continue;
    }
    const matches = matchesOf(rule, kind, i, findings);
    const { ruleFilters, backendFilters, grpc } = kind;
    routes.push(...ruleRoutes({ ctx, findings, created, ruleIndex: i, matches, body: kind.body(rule), ruleFilters, backendFilters, grpc, shared, actions }));
  }
  return rulesResult(routes, findings);
}

/** The rule's valid matches; an invalid one is left out and reported. */
function matchesOf<R extends { readonly matches?: readonly M[] }, M>(rule: R, kind: RuleKind<R, M>, ruleIndex: number, findings: RuleFindings): TranslatedMatch[] {
  const given = listOf(rule.matches);
  const specs = given.length > 0 ? given : kind.defaultMatches;
  const out: TranslatedMatch[] = [];
  for (let j = 0; j < specs.length; j++) {
    const m = kind.match(specs[j] as M, `spec.rules[${ruleIndex}].matches[${j}]`, j);
    if (typeof m === 'string') findings.notSupported(m);
    else out.push(m);
  }
  return out;
}

function rulesResult(routes: readonly RankedRoute[], findings: RuleFindings): RouteRulesResult {
  return {
    routes: kept(routes),
    clusters: findings.clusters(),
    ...(findings.unresolved && { unresolved: findings.unresolved }),
    ...(findings.unsupported && { unsupported: findings.unsupported }),
  };
}
