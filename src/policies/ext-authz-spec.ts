// Validation of the parts of an ext_authz spec beyond the server: `withRequestBody` (Envoy's
// BufferSettings) and `contextExtensions`.
import { type Check, describe, isObject } from '../api/check.ts';

/** The most body bytes a check may hold in memory, per request. */
export const MAX_AUTHZ_BODY = 8 * 1024 * 1024;
const BODY_FIELDS = new Set(['maxRequestBytes', 'allowPartialMessage', 'packAsBytes']);

export function checkAuthzBody(c: Check, value: unknown, path: string): void {
  const b = c.object(value, path, true);
  if (b === undefined) return;
  for (const k of Object.keys(b)) if (!BODY_FIELDS.has(k)) c.fail(`${path}.${k}`, `unknown field; expected one of ${[...BODY_FIELDS].join(', ')}`);
  const max = c.integer(b.maxRequestBytes, `${path}.maxRequestBytes`, true);
  if (max !== undefined && (max < 1 || max > MAX_AUTHZ_BODY)) c.fail(`${path}.maxRequestBytes`, `must be 1 to ${MAX_AUTHZ_BODY} bytes, got ${max}`);
  c.boolean(b.allowPartialMessage, `${path}.allowPartialMessage`);
  c.boolean(b.packAsBytes, `${path}.packAsBytes`);
}

export function checkContextExtensions(c: Check, value: unknown, path: string): void {
  if (!isObject(value)) return c.fail(path, `must be a map of strings, got ${describe(value)}`);
  for (const [k, v] of Object.entries(value)) if (typeof v !== 'string') c.fail(`${path}.${k}`, `must be a string, got ${describe(v)}`);
}
