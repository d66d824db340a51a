// One HTTPRouteMatch -> the matching half of an IR Route.
import type { HeaderMatch, PathMatch, QueryMatch } from '../snapshot/types.ts';
import { type Checked, headerMatches, queryMatches } from './header-matches.ts';
import type { HTTPPathMatch, HTTPRouteMatch } from './route-types.ts';
import { isObject, isString, regexError } from './spec-values.ts';

export interface MatchParts {
  readonly path: PathMatch;
  readonly method?: string;
  readonly headers: readonly HeaderMatch[];
  readonly query: readonly QueryMatch[];
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

// The CRD's rules for Exact and PathPrefix values: characters of a URI path, no empty, `.` or
// `..` segments, no encoded `/`, no fragment.
const PATH_CHARS = /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9a-fA-F]{2})+$/;
const PATH_FORBIDDEN = ['//', '/./', '/../', '%2f', '%2F', '#'];

function plainPathError(value: string): string | undefined {
  if (!value.startsWith('/')) return 'must start with "/"';
  const bad = PATH_FORBIDDEN.find((s) => value.includes(s));
  if (bad !== undefined) return `must not contain ${JSON.stringify(bad)}`;
  if (value.endsWith('/.') || value.endsWith('/..')) return 'must not end with "/." or "/.."';
  if (!PATH_CHARS.test(value)) return 'must contain only URI path characters';
  return undefined;
}

/** The spec's default match: every path (PathPrefix `/`). */
export const EVERY_PATH: PathMatch = { type: 'segment-prefix', value: '/' };

function pathMatch(path: HTTPPathMatch | undefined, where: string): Checked<PathMatch> {
  if (path === undefined) return { ok: true, value: EVERY_PATH };
  if (!isObject(path)) return { ok: false, message: `${where}: must be an object` };
  const type = path.type ?? 'PathPrefix';
  const value = path.value ?? '/';
  if (!isString(value)) return { ok: false, message: `${where}.value: must be a string` };
  if (type === 'RegularExpression') {
    const why = regexError(value);
    if (why !== undefined) return { ok: false, message: `${where}.value: invalid regular expression: ${why}` };
    return { ok: true, value: { type: 'regex', value } };
  }
  if (type !== 'Exact' && type !== 'PathPrefix') {
    return { ok: false, message: `${where}.type: unsupported value ${JSON.stringify(type)} (Exact, PathPrefix or RegularExpression)` };
  }
  const why = plainPathError(value);
  if (why !== undefined) return { ok: false, message: `${where}.value: ${why}` };
  return { ok: true, value: { type: type === 'Exact' ? 'exact' : 'segment-prefix', value } };
}

export function httpMatch(match: HTTPRouteMatch, where: string): Checked<MatchParts> {
  if (!isObject(match)) return { ok: false, message: `${where}: must be an object` };
  const path = pathMatch(match.path, `${where}.path`);
  if (!path.ok) return path;
  const headers = headerMatches(match.headers, `${where}.headers`);
  if (!headers.ok) return headers;
  const query = queryMatches(match.queryParams, `${where}.queryParams`);
  if (!query.ok) return query;
  if (match.method !== undefined && !METHODS.has(match.method)) {
    return { ok: false, message: `${where}.method: unsupported value ${JSON.stringify(match.method)}` };
  }
  const parts: MatchParts = { path: path.value, headers: headers.value, query: query.value };
  return { ok: true, value: match.method === undefined ? parts : { ...parts, method: match.method } };
}
