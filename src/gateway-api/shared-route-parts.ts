// One object for the parts many HTTPRoutes and GRPCRoutes write alike: the same parentRefs, the
// same path and header matches, the same filters. A source keeps every route as parsed, and a
// YAML reader shares equal parts only within one file (sources/yaml-detached.ts), so one route per
// file kept its own copy of each: at 10,000 routes the parsed route rules were the largest share
// of the heap (bench/README.md, "Gateway API"). Applied to a route's spec once it is valid, before
// anything else holds it; shared parts are frozen, as the translator reads them only.
//
// The parts shared are the spec's fields but its rules (parentRefs, hostnames) and each rule's
// fields (matches, filters, backendRefs...), each keyed by its JSON: a valid route's spec holds
// only JSON values (a YAML timestamp where a string belongs is rejected), so equal JSON is equal
// content. One level, whole parts: a walk sharing every object and array cost three times the CPU
// at 10,000 routes (a key per node), for little more (what lies inside equal parts is equal too).
import { SharedValues } from '../snapshot/shared-values.ts';

// The table outlives one route (that is the point) but is bounded (snapshot/bounded-table.ts): parts
// that every route repeats stay, parts of one route only fall out.
const parts = new SharedValues({
  perGeneration: 2048,
  // Longer parts are not kept: a table of long keys would cost more than the copies it saves.
  longestKey: 1024,
  first: deepFreeze,
});

/** `v`, or the equal part met before. */
const share = <T>(v: T): T => (Array.isArray(v) || isPlainObject(v) ? parts.share(v) : v);

// Parsed values come frozen (sources/yaml-detached.ts): their walk stops at the top.
function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/** `o` with each field shared (`each` makes a field's value); `o` itself when none changed. */
function withFields(o: Record<string, unknown>, each: (k: string, v: unknown) => unknown): Record<string, unknown> {
  const names = Object.keys(o);
  const values = names.map((k) => each(k, o[k]));
  if (values.every((v, i) => v === o[names[i] as string])) return o;
  const out: Record<string, unknown> = {};
  names.forEach((k, i) => define(out, k, values[i]));
  return out;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

// defineProperty for `__proto__` only: it stays an ordinary key, as the parser made it.
function define(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

/**
 * A valid route's spec whose parts equal to those of routes seen before are those routes' (frozen):
 * the spec's fields but `rules`, and each rule's fields. The spec, the rules list and each rule
 * are new objects where any part changed (a parsed spec may be frozen); they are not shared.
 */
export function shareRouteSpec<T>(spec: T): T {
  if (!isPlainObject(spec)) return spec;
  // A file's reader gives equal parts of one route one object (each rule's filters, backendRefs):
  // each is keyed once.
  const seen = new Map<unknown, unknown>();
  const part = (v: unknown): unknown => {
    let out = seen.get(v);
    if (out === undefined) seen.set(v, (out = share(v)));
    return out;
  };
  const rule = (r: unknown): unknown => (isPlainObject(r) ? withFields(r, (_, v) => part(v)) : r);
  return withFields(spec, (k, v) => {
    if (k !== 'rules') return part(v);
    if (!Array.isArray(v)) return v;
    const rules = v.map(rule);
    return rules.every((r, i) => r === v[i]) ? v : rules;
  }) as T;
}

/** Forgets every part (tests start from an empty table). */
export function forgetSharedRouteParts(): void {
  parts.clear();
}
