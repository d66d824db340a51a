// HTTPRoute rule `timeouts` and (experimental) `retry` -> the IR route's timeout and retry policy.
import type { RetryPolicy } from '../snapshot/types.ts';
import type { Checked } from './header-matches.ts';
import type { HTTPRouteRetry, HTTPRouteTimeouts } from './route-types.ts';
import { durationMs, isIntIn, isObject, listOf } from './spec-values.ts';

export interface RulePolicies {
  readonly timeout?: { readonly request?: number; readonly backendRequest?: number };
  readonly retry?: RetryPolicy;
}

// Envoy's default when a retry policy gives no count; the spec leaves it to the implementation.
const DEFAULT_ATTEMPTS = 1;

function timeouts(t: HTTPRouteTimeouts | undefined, where: string): Checked<RulePolicies['timeout']> {
  if (t === undefined) return { ok: true, value: undefined };
  if (!isObject(t)) return { ok: false, message: `${where}: must be an object` };
  const request = t.request === undefined ? undefined : durationMs(t.request);
  if (t.request !== undefined && request === undefined) return { ok: false, message: `${where}.request: ${JSON.stringify(t.request)} is not a duration (like 10s, 500ms, 1h)` };
  const backend = t.backendRequest === undefined ? undefined : durationMs(t.backendRequest);
  if (t.backendRequest !== undefined && backend === undefined) return { ok: false, message: `${where}.backendRequest: ${JSON.stringify(t.backendRequest)} is not a duration (like 10s, 500ms, 1h)` };
  if (request && backend && backend > request) return { ok: false, message: `${where}.backendRequest: must not be longer than request` };
  // A zero duration disables that timeout (the spec's `0s`).
  const value = { ...(request ? { request } : {}), ...(backend ? { backendRequest: backend } : {}) };
  return { ok: true, value: Object.keys(value).length > 0 ? value : undefined };
}

function retry(r: HTTPRouteRetry | undefined, where: string): Checked<RetryPolicy | undefined> {
  if (r === undefined) return { ok: true, value: undefined };
  if (!isObject(r)) return { ok: false, message: `${where}: must be an object` };
  const attempts = r.attempts ?? DEFAULT_ATTEMPTS;
  if (!isIntIn(attempts, 1, 2 ** 31 - 1)) return { ok: false, message: `${where}.attempts: must be a whole number >= 1` };
  const codes = listOf(r.codes);
  if (!codes.every((c) => isIntIn(c, 400, 599))) return { ok: false, message: `${where}.codes: must be HTTP status codes 400..599` };
  const backoffMs = r.backoff === undefined ? undefined : durationMs(r.backoff);
  if (r.backoff !== undefined && backoffMs === undefined) return { ok: false, message: `${where}.backoff: ${JSON.stringify(r.backoff)} is not a duration` };
  return { ok: true, value: { attempts, codes: [...codes], ...(backoffMs !== undefined && { backoffMs }) } };
}

export function rulePolicies(rule: { timeouts?: HTTPRouteTimeouts; retry?: HTTPRouteRetry }, where: string): Checked<RulePolicies> {
  const timeout = timeouts(rule.timeouts, `${where}.timeouts`);
  if (!timeout.ok) return timeout;
  const retried = retry(rule.retry, `${where}.retry`);
  if (!retried.ok) return retried;
  return {
    ok: true,
    value: { ...(timeout.value && { timeout: timeout.value }), ...(retried.value && { retry: retried.value }) },
  };
}
