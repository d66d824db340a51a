// IR route matchers -> Envoy RouteMatch: path (prefix, path-separated prefix, exact, RE2 regex),
// headers, query parameters and the method (a `:method` header match).
import type { HeaderMatch, PathMatch, QueryMatch, Route, ValueMatch } from '../snapshot/types.ts';
import type { ProtoObject } from './encode.ts';

/**
 * Envoy's regex engine is RE2 by default; `google_re2` is deprecated (and refused by our strict
 * encoder), so the matcher names no engine.
 */
export function regexMatcher(regex: string): ProtoObject {
  return { regex };
}

/** The path part of a RouteMatch. */
export function pathSpecifier(path: PathMatch): ProtoObject {
  switch (path.type) {
    case 'prefix':
      return { prefix: path.value };
    case 'segment-prefix': {
      // path_separated_prefix refuses a trailing `/` (and `/` itself), which the IR ignores anyway;
      // `/` matches every path, as `prefix: "/"` does.
      const value = segmentPrefix(path.value);
      return value === '/' ? { prefix: '/' } : { path_separated_prefix: value };
    }
    case 'exact':
      return { path: path.value };
    case 'regex':
      return { safe_regex: regexMatcher(path.value) };
  }
}

/** A segment prefix without its trailing slashes; `/` for the root. */
export function segmentPrefix(value: string): string {
  const trimmed = value.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}

/** Header and query matchers share their value part; `present` is a presence match. */
function valueMatcher(match: ValueMatch): ProtoObject {
  switch (match.type) {
    case 'exact':
      return { string_match: { exact: match.value } };
    case 'regex':
      return { string_match: { safe_regex: regexMatcher(match.value) } };
    case 'present':
      return { present_match: true };
  }
}

function headerMatcher(h: HeaderMatch): ProtoObject {
  return { name: h.name, ...valueMatcher(h.match), ...(h.invert === true && { invert_match: true }) };
}

function queryMatcher(q: QueryMatch): ProtoObject {
  return { name: q.name, ...valueMatcher(q.match) };
}

export function routeMatch(route: Route): ProtoObject {
  const headers = [
    ...(route.method ? [{ name: ':method', string_match: { exact: route.method } }] : []),
    ...route.headers.map(headerMatcher),
  ];
  return {
    ...pathSpecifier(route.path),
    headers: headers.length ? headers : undefined,
    query_parameters: route.query.length ? route.query.map(queryMatcher) : undefined,
  };
}
