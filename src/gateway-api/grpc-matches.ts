// One GRPCRouteMatch -> the matching half of an IR Route. gRPC calls are POSTs to
// `/<package.Service>/<Method>`, so a method match is a path match.
import { NONE } from '../snapshot/kept-lists.ts';
import type { PathMatch } from '../snapshot/types.ts';
import { type Checked, headerMatches } from './header-matches.ts';
import { EVERY_PATH, type MatchParts } from './http-matches.ts';
import type { GrpcMethodRank } from './route-rules.ts';
import type { GRPCMethodMatch, GRPCRouteMatch } from './route-types.ts';
import { isObject, isString, regexError } from './spec-values.ts';

// The CRD's patterns for Exact matches (a fully qualified service, a method name).
const SERVICE = /^\.?[A-Za-z_][A-Za-z_0-9]*(?:\.[A-Za-z_][A-Za-z_0-9]*)*$/;
const METHOD = /^[A-Za-z_][A-Za-z_0-9]*$/;
// RE2 for one path segment: what an absent service or method matches.
const ANY_SEGMENT = '[^/]+';

export interface GrpcMatchParts {
  readonly parts: MatchParts;
  readonly rank: GrpcMethodRank;
}

function exactPath(service: string | undefined, method: string | undefined, where: string): Checked<PathMatch> {
  if (service !== undefined && !SERVICE.test(service)) return { ok: false, message: `${where}.service: ${JSON.stringify(service)} is not a gRPC service name` };
  if (method !== undefined && !METHOD.test(method)) return { ok: false, message: `${where}.method: ${JSON.stringify(method)} is not a gRPC method name` };
  if (service !== undefined && method !== undefined) return { ok: true, value: { type: 'exact', value: `/${service}/${method}` } };
  if (service !== undefined) return { ok: true, value: { type: 'prefix', value: `/${service}/` } };
  if (method !== undefined) return { ok: true, value: { type: 'regex', value: `/${ANY_SEGMENT}/${method}` } };
  return { ok: false, message: `${where}: needs a service or a method (or both)` };
}

function regexPath(service: string | undefined, method: string | undefined, where: string): Checked<PathMatch> {
  for (const [field, value] of [['service', service], ['method', method]] as const) {
    const why = value === undefined ? undefined : regexError(value);
    if (why !== undefined) return { ok: false, message: `${where}.${field}: invalid regular expression: ${why}` };
  }
  return { ok: true, value: { type: 'regex', value: `/(?:${service ?? ANY_SEGMENT})/(?:${method ?? ANY_SEGMENT})` } };
}

function methodPath(m: GRPCMethodMatch | undefined, where: string): Checked<{ path: PathMatch; rank: GrpcMethodRank }> {
  if (m === undefined) return { ok: true, value: { path: EVERY_PATH, rank: { service: '', method: '', regex: false } } };
  if (!isObject(m)) return { ok: false, message: `${where}: must be an object` };
  const { service, method } = m;
  if ((service !== undefined && !isString(service)) || (method !== undefined && !isString(method))) {
    return { ok: false, message: `${where}: service and method must be strings` };
  }
  const type = m.type ?? 'Exact';
  if (type !== 'Exact' && type !== 'RegularExpression') return { ok: false, message: `${where}.type: unsupported value ${JSON.stringify(type)} (Exact or RegularExpression)` };
  const path = type === 'Exact' ? exactPath(service, method, where) : regexPath(service, method, where);
  if (!path.ok) return path;
  return { ok: true, value: { path: path.value, rank: { service: service ?? '', method: method ?? '', regex: type !== 'Exact' } } };
}

export function grpcMatch(match: GRPCRouteMatch, where: string): Checked<GrpcMatchParts> {
  if (!isObject(match)) return { ok: false, message: `${where}: must be an object` };
  const method = methodPath(match.method, `${where}.method`);
  if (!method.ok) return method;
  const headers = headerMatches(match.headers, `${where}.headers`);
  if (!headers.ok) return headers;
  return { ok: true, value: { parts: { path: method.value.path, headers: headers.value, query: NONE }, rank: method.value.rank } };
}
