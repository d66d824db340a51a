// Validation of HTTPRoute and GRPCRoute documents: the parts every route shares (parentRefs,
// hostnames) with the v1.6.1 CRDs' rules, and the shape of rules, matches, filters and backendRefs
// (objects and lists where the CRD has them, references with names, weights and ports in range).
// What a value means (a path, a header value, a filter Sluice does not support) is the route
// translator's to check (gwroutes' route-rules.ts): it reports it in the route's status, as a
// controller does, instead of rejecting the document.
import { type Check, field, index, type Json } from './check.ts';
import { checkHostname, checkObjectRef } from './validate-gateway.ts';

export function checkRouteSpec(c: Check, doc: Json, kind: 'HTTPRoute' | 'GRPCRoute'): void {
  const spec = c.object(doc.spec, 'spec', true);
  if (spec === undefined) return;
  const parents = c.array(spec.parentRefs, 'spec.parentRefs');
  if (parents !== undefined && parents.length > 32) c.fail('spec.parentRefs', 'must hold at most 32 references');
  parents?.forEach((value, i) => checkParentRef(c, value, index('spec.parentRefs', i)));
  const hostnames = c.array(spec.hostnames, 'spec.hostnames');
  if (hostnames !== undefined && hostnames.length > 16) c.fail('spec.hostnames', 'must hold at most 16 host names');
  hostnames?.forEach((h, i) => checkHostname(c, h, index('spec.hostnames', i), true));
  const rules = c.array(spec.rules, 'spec.rules');
  if (rules !== undefined && rules.length > 16) c.fail('spec.rules', 'must hold at most 16 rules');
  // A file's reader gives a route's equal parts one object (each rule's filters and backendRefs,
  // as generators and people repeat them): each is checked once, the rest of the check being the same.
  const valid = new Set<unknown>();
  rules?.forEach((value, i) => checkRule(c, value, index('spec.rules', i), kind, valid));
}

/** Runs `check` on `part` unless it passed before (`valid`); adds it to `valid` when it passes. */
function once(c: Check, valid: Set<unknown>, part: unknown, check: () => void): void {
  if (part === null || typeof part !== 'object') return check();
  if (valid.has(part)) return;
  const errors = c.errors.length;
  check();
  if (c.errors.length === errors) valid.add(part);
}

function checkParentRef(c: Check, value: unknown, at: string): void {
  const ref = c.object(value, at, true);
  if (ref === undefined) return;
  c.string(ref.group, field(at, 'group'));
  c.string(ref.kind, field(at, 'kind'));
  c.string(ref.namespace, field(at, 'namespace'));
  c.string(ref.name, field(at, 'name'), true);
  c.string(ref.sectionName, field(at, 'sectionName'));
  c.port(ref.port, field(at, 'port'));
}

function checkRule(c: Check, value: unknown, at: string, kind: 'HTTPRoute' | 'GRPCRoute', valid: Set<unknown>): void {
  const rule = c.object(value, at, true);
  if (rule === undefined) return;
  c.string(rule.name, field(at, 'name'));
  const matches = c.array(rule.matches, field(at, 'matches'));
  if (matches !== undefined && matches.length > 64) c.fail(field(at, 'matches'), 'must hold at most 64 matches');
  matches?.forEach((m, i) => c.object(m, index(field(at, 'matches'), i), true));
  once(c, valid, rule.filters, () => checkFilters(c, rule.filters, field(at, 'filters')));
  once(c, valid, rule.backendRefs, () => checkBackendRefs(c, rule.backendRefs, field(at, 'backendRefs')));
  if (kind === 'HTTPRoute') {
    c.object(rule.timeouts, field(at, 'timeouts'));
    c.object(rule.retry, field(at, 'retry'));
  }
}

function checkBackendRefs(c: Check, value: unknown, at: string): void {
  const backends = c.array(value, at);
  if (backends !== undefined && backends.length > 16) c.fail(at, 'must hold at most 16 backends');
  backends?.forEach((b, i) => {
    const bAt = index(at, i);
    checkObjectRef(c, b, bAt);
    const ref = b as Json;
    if (typeof ref !== 'object' || ref === null) return;
    c.port(ref.port, field(bAt, 'port'));
    const weight = c.integer(ref.weight, field(bAt, 'weight'));
    if (weight !== undefined && (weight < 0 || weight > 1_000_000)) c.fail(field(bAt, 'weight'), 'must be 0..1000000');
    checkFilters(c, ref.filters, field(bAt, 'filters'));
  });
}

function checkFilters(c: Check, value: unknown, at: string): void {
  const filters = c.array(value, at);
  if (filters !== undefined && filters.length > 16) c.fail(at, 'must hold at most 16 filters');
  filters?.forEach((f, i) => {
    const fAt = index(at, i);
    const filter = c.object(f, fAt, true);
    if (filter !== undefined) c.string(filter.type, field(fAt, 'type'), true);
  });
}
