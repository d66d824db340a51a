// Gloo route and virtual-host options -> IR route filters, timeout and retry policy. A route's own
// options win over its virtual host's where both set one (cors, retries); header edits of both
// apply, the route's first, as Envoy applies route-level then virtual-host-level edits.
import { headerValueProblem, isHeaderName, isSettableHeader } from '../api/grammar.ts';
import { regexError } from '../gateway-api/spec-values.ts';
import type { CorsPolicy, HeaderEdits, HeaderPair, RetryOn, RetryPolicy, RouteFilter } from '../snapshot/types.ts';
import type { Finding } from './matchers.ts';
import { type PolicyOptions, policyOptions } from './policy-options.ts';
import type { HeaderManipulation, HeaderValueOption, Options, ResourceRef } from './types.ts';

export interface OptionsOutcome {
  /** url-rewrite, header edits, fault, mirror, in the order they run */
  readonly filters: readonly RouteFilter[];
  readonly cors?: CorsPolicy;
  /** route `cors.disableForRoute`: no CORS policy, not even the virtual host's */
  readonly corsDisabled: boolean;
  /** ms */
  readonly timeout?: number;
  readonly perTryTimeout?: number;
  readonly retry?: RetryPolicy;
  /** ext_authz, rate limit, idle timeout, stream duration (policy-options.ts) */
  readonly policies: PolicyOptions;
  readonly errors: readonly Finding[];
  readonly warnings: readonly Finding[];
}

/** Resolves a shadowing upstream to a cluster name, or says why it cannot. */
export type MirrorResolver = (ref: ResourceRef) => { cluster: string } | { problem: string };

// Gloo writes protobuf Durations (`15s`, `0.5s`); Go-style units are accepted too (`500ms`, `1m`).
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function durationMs(value: string): number | undefined {
  const m = DURATION.exec(value.trim());
  return m === null ? undefined : Math.round(Number(m[1]) * (UNIT_MS[m[2] as string] ?? 0));
}

export function translateOptions(o: Options | undefined, mirror: MirrorResolver): OptionsOutcome {
  const errors: Finding[] = [];
  const warnings: Finding[] = [];
  const filters: RouteFilter[] = [];
  if (o === undefined) return { filters, corsDisabled: false, policies: {}, errors, warnings };
  const rewrite = urlRewrite(o, errors);
  if (rewrite !== undefined) filters.push(rewrite);
  if (o.headerManipulation !== undefined) filters.push(...headerFilters(o.headerManipulation, errors));
  if (o.faults !== undefined) {
    const f = fault(o.faults, errors);
    if (f !== undefined) filters.push(f);
  }
  if (o.shadowing !== undefined) {
    const pct = o.shadowing.percentage ?? 100;
    const r = mirror(o.shadowing.upstream ?? {});
    if ('problem' in r) warnings.push({ path: 'shadowing.upstream', message: `${r.problem}: requests are not shadowed` });
    else if (pct < 0 || pct > 100) errors.push({ path: 'shadowing.percentage', message: 'must be 0..100' });
    else filters.push({ type: 'mirror', cluster: r.cluster, percent: pct });
  }
  const timeout = duration(o.timeout, 'timeout', errors);
  const retries = o.retries === undefined ? undefined : retryPolicy(o.retries, errors, warnings);
  const cors = o.cors === undefined || o.cors.disableForRoute === true ? undefined : corsPolicy(o.cors, errors, warnings);
  return {
    filters,
    ...(cors !== undefined && { cors }),
    corsDisabled: o.cors?.disableForRoute === true,
    ...(timeout !== undefined && { timeout }),
    ...(retries?.perTry !== undefined && { perTryTimeout: retries.perTry }),
    ...(retries?.policy !== undefined && { retry: retries.policy }),
    policies: policyOptions(o, errors, warnings),
    errors,
    warnings,
  };
}

function duration(value: string | undefined, path: string, errors: Finding[]): number | undefined {
  if (value === undefined) return undefined;
  const ms = durationMs(value);
  if (ms === undefined) errors.push({ path, message: `must be a duration such as "15s" or "0.5s", got ${JSON.stringify(value)}` });
  return ms;
}

function urlRewrite(o: Options, errors: Finding[]): RouteFilter | undefined {
  let path: { type: 'prefix'; value: string } | { type: 'regex'; pattern: string; substitution: string } | undefined;
  if (o.prefixRewrite !== undefined) {
    // Gloo sends an empty prefixRewrite as "/" (Envoy would read "" as no rewrite at all).
    const value = o.prefixRewrite === '' ? '/' : o.prefixRewrite;
    if (!value.startsWith('/') || /[\s\0?#]/.test(value)) errors.push({ path: 'prefixRewrite', message: 'must start with "/" and hold no white space, "?" or "#"' });
    else path = { type: 'prefix', value };
  }
  if (o.regexRewrite !== undefined) {
    const pattern = o.regexRewrite.pattern?.regex ?? '';
    const why = pattern === '' ? 'required' : regexError(pattern);
    if (why !== undefined) errors.push({ path: 'regexRewrite.pattern.regex', message: why === 'required' ? why : `not an RE2 expression: ${why}` });
    else if (path !== undefined) errors.push({ path: 'regexRewrite', message: 'a route has prefixRewrite or regexRewrite, not both' });
    else path = { type: 'regex', pattern, substitution: o.regexRewrite.substitution ?? '' };
  }
  let hostname: string | undefined;
  if (o.hostRewrite !== undefined) {
    if (o.hostRewrite === '' || /[\s\0/@]/.test(o.hostRewrite)) errors.push({ path: 'hostRewrite', message: 'must be a host name (with an optional port)' });
    else hostname = o.hostRewrite.toLowerCase();
  }
  const auto = o.autoHostRewrite === true && hostname === undefined;
  if (path === undefined && hostname === undefined && !auto) return undefined;
  return { type: 'url-rewrite', ...(hostname !== undefined && { hostname }), ...(auto && { autoHostname: true }), ...(path !== undefined && { path }) };
}

function headerFilters(h: HeaderManipulation, errors: Finding[]): RouteFilter[] {
  const out: RouteFilter[] = [];
  const request = edits(h.requestHeadersToAdd, h.requestHeadersToRemove, 'headerManipulation.requestHeaders', errors);
  if (request !== undefined) out.push({ type: 'request-headers', edits: request });
  const response = edits(h.responseHeadersToAdd, h.responseHeadersToRemove, 'headerManipulation.responseHeaders', errors);
  if (response !== undefined) out.push({ type: 'response-headers', edits: response });
  return out;
}

function edits(add: HeaderValueOption[] | undefined, remove: string[] | undefined, at: string, errors: Finding[]): HeaderEdits | undefined {
  const set: HeaderPair[] = [];
  const added: HeaderPair[] = [];
  (add ?? []).forEach((opt, i) => {
    const path = `${at}ToAdd[${i}].header`;
    const key = opt.header?.key ?? '';
    const value = opt.header?.value ?? '';
    if (!isHeaderName(key) || !isSettableHeader(key)) return errors.push({ path: `${path}.key`, message: 'must be an HTTP header name that does not frame the message (not Content-Length, Transfer-Encoding, Connection...)' });
    const problem = headerValueProblem(value);
    if (problem !== undefined) return errors.push({ path: `${path}.value`, message: problem });
    // Gloo appends unless `append: false`.
    (opt.append === false ? set : added).push([key.toLowerCase(), value]);
  });
  const removed: string[] = [];
  (remove ?? []).forEach((name, i) => {
    if (!isHeaderName(name)) errors.push({ path: `${at}ToRemove[${i}]`, message: 'must be an HTTP header name' });
    else removed.push(name.toLowerCase());
  });
  return set.length + added.length + removed.length === 0 ? undefined : { set, add: added, remove: removed };
}

function fault(f: NonNullable<Options['faults']>, errors: Finding[]): RouteFilter | undefined {
  let abort: { percent: number; status: number } | undefined;
  let delay: { percent: number; ms: number } | undefined;
  if (f.abort !== undefined) {
    const percent = f.abort.percentage ?? 0;
    const status = f.abort.httpStatus ?? 0;
    if (percent < 0 || percent > 100) errors.push({ path: 'faults.abort.percentage', message: 'must be 0..100' });
    else if (!Number.isInteger(status) || status < 200 || status > 599) errors.push({ path: 'faults.abort.httpStatus', message: 'must be an HTTP status 200..599' });
    else abort = { percent, status };
  }
  if (f.delay !== undefined) {
    const percent = f.delay.percentage ?? 0;
    const ms = duration(f.delay.fixedDelay ?? '', 'faults.delay.fixedDelay', errors);
    if (percent < 0 || percent > 100) errors.push({ path: 'faults.delay.percentage', message: 'must be 0..100' });
    else if (ms !== undefined) delay = { percent, ms };
  }
  if (abort === undefined && delay === undefined) return undefined;
  return { type: 'fault', ...(abort !== undefined && { abort }), ...(delay !== undefined && { delay }) };
}

// Envoy's retry_on conditions: the status codes and the failures before a response each retries
// (5xx and gateway-error also retry a connection that fails or is reset, as Envoy's do).
const ALL_FAILURES: readonly RetryOn[] = ['connect-failure', 'reset', 'refused-stream'];
const RETRY_ON: Readonly<Record<string, { readonly codes: readonly number[]; readonly on: readonly RetryOn[] }>> = {
  '5xx': { codes: [500, 501, 502, 503, 504, 505, 506, 507, 508, 509, 510, 511], on: ALL_FAILURES },
  'gateway-error': { codes: [502, 503, 504], on: ALL_FAILURES },
  'retriable-4xx': { codes: [409], on: [] },
  'connect-failure': { codes: [], on: ['connect-failure'] },
  reset: { codes: [], on: ['reset'] },
  'refused-stream': { codes: [], on: ['refused-stream'] },
};

function retryPolicy(r: NonNullable<Options['retries']>, errors: Finding[], warnings: Finding[]): { policy?: RetryPolicy; perTry?: number } {
  const codes = new Set<number>();
  const on = new Set<RetryOn>();
  const conditions = (r.retryOn ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const cond of conditions) {
    const mapped = RETRY_ON[cond];
    if (mapped === undefined) warnings.push({ path: 'retries.retryOn', message: `condition ${JSON.stringify(cond)} is not supported by Sluice, ignored (served: ${Object.keys(RETRY_ON).join(', ')})` });
    else {
      for (const c of mapped.codes) codes.add(c);
      for (const f of mapped.on) on.add(f);
    }
  }
  const attempts = r.numRetries ?? 1;
  if (attempts < 0 || attempts > 100) errors.push({ path: 'retries.numRetries', message: 'must be 0..100' });
  const perTry = duration(r.perTryTimeout, 'retries.perTryTimeout', errors);
  const backoff = r.retryBackOff?.baseInterval === undefined ? undefined : duration(r.retryBackOff.baseInterval, 'retries.retryBackOff.baseInterval', errors);
  const max = r.retryBackOff?.maxInterval === undefined ? undefined : duration(r.retryBackOff.maxInterval, 'retries.retryBackOff.maxInterval', errors);
  if (max !== undefined && max < (backoff ?? 25)) errors.push({ path: 'retries.retryBackOff.maxInterval', message: 'must be at least baseInterval (25ms when not set), as Envoy requires' });
  // No conditions, or all failures listed: the IR's default (every failure).
  const failures = conditions.length === 0 || on.size === ALL_FAILURES.length ? undefined : ALL_FAILURES.filter((f) => on.has(f));
  const policy: RetryPolicy = {
    attempts: Math.max(0, Math.min(100, attempts)),
    codes: [...codes].sort((a, b) => a - b),
    ...(backoff !== undefined && { backoffMs: backoff }),
    ...(max !== undefined && { maxBackoffMs: max }),
    ...(failures !== undefined && { on: failures }),
  };
  return { policy, ...(perTry !== undefined && { perTry }) };
}

function corsPolicy(c: NonNullable<Options['cors']>, errors: Finding[], warnings: Finding[]): CorsPolicy {
  if ((c.allowOriginRegex ?? []).length > 0) warnings.push({ path: 'cors.allowOriginRegex', message: 'regular expressions for origins are not supported by Sluice (use allowOrigin, which takes "*" and "https://*.example.com"), ignored' });
  let maxAge: number | undefined;
  if (c.maxAge !== undefined) {
    const n = /^\d+$/.test(c.maxAge) ? Number(c.maxAge) : durationMs(c.maxAge) === undefined ? undefined : Math.floor((durationMs(c.maxAge) as number) / 1000);
    if (n === undefined) errors.push({ path: 'cors.maxAge', message: 'must be a number of seconds' });
    else maxAge = n;
  }
  const valid = (list: readonly string[] | undefined, at: string, ok: (v: string) => boolean, message: string): string[] =>
    (list ?? []).filter((v, i) => {
      if (ok(v)) return true;
      errors.push({ path: `cors.${at}[${i}]`, message });
      return false;
    });
  return {
    allowOrigins: valid(c.allowOrigin, 'allowOrigin', (o) => !/[\s\0]/.test(o), 'must hold no white space'),
    allowMethods: valid(c.allowMethods?.map((m) => m.toUpperCase()), 'allowMethods', (m) => /^[A-Z]+$|^\*$/.test(m), 'must be an HTTP method'),
    allowHeaders: valid(c.allowHeaders, 'allowHeaders', isHeaderName, 'must be an HTTP header name'),
    exposeHeaders: valid(c.exposeHeaders, 'exposeHeaders', isHeaderName, 'must be an HTTP header name'),
    ...(maxAge !== undefined && { maxAge }),
    allowCredentials: c.allowCredentials === true,
  };
}
