// Validation of a TrafficPolicy's `retry` and `timeouts` (src/gateway-api/traffic-policy-retry.ts):
// every problem with its field path.
import { durationMs } from '../gateway-api/spec-values.ts';
import { type Check, describe, type Json } from './check.ts';

const RETRY_FIELDS = new Set(['attempts', 'perTryTimeout', 'retryOn', 'codes', 'backoff', 'budget', 'bodyLimit']);
const RETRY_ON = new Set(['connect-failure', 'reset', 'refused-stream']);
const TIMEOUT_FIELDS = new Set(['request', 'idle']);
// Envoy's own bounds would allow more; past these a retry policy only multiplies an outage.
const MAX_ATTEMPTS = 100;
const MAX_BODY_LIMIT = 16 * 1024 * 1024;

function known(c: Check, obj: Json, fields: ReadonlySet<string>, path: string): void {
  for (const k of Object.keys(obj)) if (!fields.has(k)) c.fail(`${path}.${k}`, `unknown field; expected one of ${[...fields].join(', ')}`);
}

/** A Gateway API duration; `positive`: above 0. Returns its ms, or undefined (absent or reported). */
function duration(c: Check, value: unknown, path: string, positive: boolean): number | undefined {
  if (value === undefined) return undefined;
  const ms = durationMs(value);
  if (ms === undefined || (positive && ms === 0)) {
    c.fail(path, `must be a Gateway API duration${positive ? ' above 0' : ''} (e.g. 500ms, 2s, 1m), got ${describe(value)}`);
    return undefined;
  }
  return ms;
}

export function checkRetry(c: Check, value: unknown, path: string): void {
  const r = c.object(value, path, true);
  if (r === undefined) return;
  known(c, r, RETRY_FIELDS, path);
  const attempts = c.integer(r.attempts, `${path}.attempts`, true);
  if (attempts !== undefined && (attempts < 0 || attempts > MAX_ATTEMPTS)) c.fail(`${path}.attempts`, `must be 0 to ${MAX_ATTEMPTS}`);
  duration(c, r.perTryTimeout, `${path}.perTryTimeout`, true);
  c.array(r.retryOn, `${path}.retryOn`)?.forEach((v, i) => {
    if (typeof v !== 'string' || !RETRY_ON.has(v)) c.fail(`${path}.retryOn[${i}]`, `must be one of ${[...RETRY_ON].join(', ')} (statuses go in codes), got ${describe(v)}`);
  });
  c.array(r.codes, `${path}.codes`)?.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 400 || v > 599) c.fail(`${path}.codes[${i}]`, `must be a status 400 to 599, got ${describe(v)}`);
  });
  const backoff = c.object(r.backoff, `${path}.backoff`);
  if (backoff !== undefined) {
    known(c, backoff, new Set(['base', 'max']), `${path}.backoff`);
    const base = duration(c, backoff.base, `${path}.backoff.base`, true);
    const max = duration(c, backoff.max, `${path}.backoff.max`, true);
    if (max !== undefined && max < (base ?? 25)) c.fail(`${path}.backoff.max`, `must be at least the base (${base ?? 25}ms)`);
  }
  const budget = c.object(r.budget, `${path}.budget`);
  if (budget !== undefined) {
    known(c, budget, new Set(['percent', 'minConcurrency']), `${path}.budget`);
    const percent = c.integer(budget.percent, `${path}.budget.percent`);
    if (percent !== undefined && (percent < 0 || percent > 100)) c.fail(`${path}.budget.percent`, 'must be 0 to 100');
    const min = c.integer(budget.minConcurrency, `${path}.budget.minConcurrency`);
    if (min !== undefined && min < 0) c.fail(`${path}.budget.minConcurrency`, 'must be 0 or more');
  }
  const limit = c.integer(r.bodyLimit, `${path}.bodyLimit`);
  if (limit !== undefined && (limit < 0 || limit > MAX_BODY_LIMIT)) c.fail(`${path}.bodyLimit`, `must be 0 to ${MAX_BODY_LIMIT} bytes`);
}

export function checkTimeouts(c: Check, value: unknown, path: string): void {
  const t = c.object(value, path, true);
  if (t === undefined) return;
  known(c, t, TIMEOUT_FIELDS, path);
  duration(c, t.request, `${path}.request`, true);
  duration(c, t.idle, `${path}.idle`, true);
}
