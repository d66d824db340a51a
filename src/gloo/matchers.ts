// Gloo matchers -> the IR's request matches. A route with several matchers matches when any does
// (Gloo writes one Envoy route per matcher, so does Sluice); a matcher with several `methods`
// likewise becomes one route per method. A matcher without a path matches every path (`prefix: /`).
import { isHeaderName } from '../api/grammar.ts';
import { regexError } from '../gateway-api/spec-values.ts';
import type { HeaderMatch, PathMatch, QueryMatch, ValueMatch } from '../snapshot/types.ts';
import type { Matcher } from './types.ts';

export interface MatchParts {
  readonly path: PathMatch;
  readonly method?: string;
  readonly headers: readonly HeaderMatch[];
  readonly query: readonly QueryMatch[];
}

export interface MatchOutcome {
  readonly parts: readonly MatchParts[];
  /** problems that make the matcher unusable: its route is not served */
  readonly errors: readonly Finding[];
  /** served, but not quite as Gloo would */
  readonly warnings: readonly Finding[];
}

export interface Finding {
  /** field path below the matcher (`headers[0].invertMatch`), or '' */
  readonly path: string;
  readonly message: string;
}

export const DEFAULT_MATCHER: Matcher = { prefix: '/' };

/** The path match of a matcher (Gloo's: prefix, exact or regex; none is `prefix: /`). */
export function pathOf(m: Matcher): PathMatch {
  if (m.exact !== undefined) return { type: 'exact', value: m.exact };
  if (m.regex !== undefined) return { type: 'regex', value: m.regex };
  return { type: 'prefix', value: m.prefix ?? '/' };
}

export function translateMatcher(m: Matcher): MatchOutcome {
  const errors: Finding[] = [];
  const warnings: Finding[] = [];
  const set = (['prefix', 'exact', 'regex'] as const).filter((k) => m[k] !== undefined);
  if (set.length > 1) errors.push({ path: '', message: `has ${set.join(' and ')}: a matcher has one path matcher` });
  const path = pathOf(m);
  if (path.type === 'regex') {
    const why = regexError(path.value);
    if (why !== undefined) errors.push({ path: 'regex', message: `not an RE2 expression: ${why}` });
  } else if (!path.value.startsWith('/') || /[\s\0]/.test(path.value)) {
    errors.push({ path: path.type, message: 'must start with "/" and hold no white space' });
  }
  if (m.caseSensitive === false) warnings.push({ path: 'caseSensitive', message: 'case-insensitive path matching is not supported by Sluice: matched case-sensitively' });
  const headers: HeaderMatch[] = [];
  (m.headers ?? []).forEach((h, i) => {
    const at = `headers[${i}]`;
    if (!h.name || !isHeaderName(h.name)) {
      errors.push({ path: `${at}.name`, message: 'must be an HTTP header name' });
      return;
    }
    const match = valueMatch(h.value, h.regex, `${at}.value`, errors);
    if (match !== undefined) headers.push({ name: h.name.toLowerCase(), match, ...(h.invertMatch === true && { invert: true }) });
  });
  const query: QueryMatch[] = [];
  (m.queryParameters ?? []).forEach((q, i) => {
    const at = `queryParameters[${i}]`;
    if (!q.name) {
      errors.push({ path: `${at}.name`, message: 'required' });
      return;
    }
    const match = valueMatch(q.value, q.regex, `${at}.value`, errors);
    if (match !== undefined) query.push({ name: q.name, match });
  });
  const methods = [...new Set((m.methods ?? []).map((x) => x.toUpperCase()))];
  methods.forEach((x, i) => {
    if (!/^[A-Z]+$/.test(x)) errors.push({ path: `methods[${i}]`, message: `not an HTTP method: ${JSON.stringify(x)}` });
  });
  if (errors.length > 0) return { parts: [], errors, warnings };
  const parts = methods.length === 0 ? [{ path, headers, query }] : methods.map((method) => ({ path, method, headers, query }));
  return { parts, errors, warnings };
}

// Gloo: an empty value matches any value (the header or parameter must be present).
function valueMatch(value: string | undefined, regex: boolean | undefined, at: string, errors: Finding[]): ValueMatch | undefined {
  if (value === undefined || value === '') return { type: 'present' };
  if (regex === true) {
    const why = regexError(value);
    if (why === undefined) return { type: 'regex', value };
    errors.push({ path: at, message: `not an RE2 expression: ${why}` });
    return undefined;
  }
  if (/[\0\r\n]/.test(value)) {
    errors.push({ path: at, message: 'must not contain CR, LF or NUL' });
    return undefined;
  }
  return { type: 'exact', value };
}
