// Validation of a TrafficPolicy's `spec.cors`: the Gateway API CORS filter's fields (HTTPCORSFilter),
// each problem at its own path, and the spec as the IR's CorsPolicy.
import { type Check, describe, isHeaderName } from '../api/check.ts';
import { isUriText } from '../gateway-api/spec-values.ts';
import type { CorsPolicy } from '../snapshot/types.ts';

export interface CorsSpec {
  allowOrigins?: string[];
  allowMethods?: string[];
  allowHeaders?: string[];
  exposeHeaders?: string[];
  allowCredentials?: boolean;
  /** seconds; default 5, as the Gateway API's filter */
  maxAge?: number;
}

const FIELDS = ['allowOrigins', 'allowMethods', 'allowHeaders', 'exposeHeaders', 'allowCredentials', 'maxAge'];
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', '*']);
/** the Gateway API's default Access-Control-Max-Age */
const DEFAULT_MAX_AGE = 5;

const LISTS: ReadonlyArray<readonly [keyof CorsSpec, (s: string) => boolean, string]> = [
  ['allowOrigins', isUriText, 'an origin (scheme://host[:port], * or a *. pattern)'],
  ['allowMethods', (m) => METHODS.has(m), 'an HTTP method or *'],
  ['allowHeaders', isHeaderName, 'a header name or *'],
  ['exposeHeaders', isHeaderName, 'a header name or *'],
];

export function checkCors(c: Check, value: unknown, path: string): void {
  const o = c.object(value, path, true);
  if (o === undefined) return;
  for (const k of Object.keys(o)) if (!FIELDS.includes(k)) c.fail(`${path}.${k}`, `unknown field; expected one of ${FIELDS.join(', ')}`);
  for (const [name, valid, what] of LISTS) {
    c.array(o[name], `${path}.${name}`)?.forEach((v, i) => {
      if (typeof v !== 'string' || !(v === '*' || valid(v))) c.fail(`${path}.${name}[${i}]`, `must be ${what}, got ${typeof v === 'string' ? JSON.stringify(v) : describe(v)}`);
    });
  }
  c.boolean(o.allowCredentials, `${path}.allowCredentials`);
  const age = c.integer(o.maxAge, `${path}.maxAge`);
  if (age !== undefined && (age < 1 || age > 2 ** 31 - 1)) c.fail(`${path}.maxAge`, `must be a positive number of seconds, got ${age}`);
}

/** A validated spec as the IR's policy, defaults filled (the route's CORS filter would have the same). */
export function corsOf(s: CorsSpec): CorsPolicy {
  return Object.freeze({
    allowOrigins: Object.freeze([...(s.allowOrigins ?? [])]),
    allowMethods: Object.freeze([...(s.allowMethods ?? [])]),
    allowHeaders: Object.freeze([...(s.allowHeaders ?? [])]),
    exposeHeaders: Object.freeze([...(s.exposeHeaders ?? [])]),
    maxAge: s.maxAge ?? DEFAULT_MAX_AGE,
    allowCredentials: s.allowCredentials ?? false,
  });
}
