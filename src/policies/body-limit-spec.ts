// Validation of a TrafficPolicy's `spec.requestBody`.
import { type Check, describe } from '../api/check.ts';

/** The largest limit taken: beyond it a number stops being exact. */
export const MAX_BODY_LIMIT = Number.MAX_SAFE_INTEGER;

export function checkRequestBody(c: Check, value: unknown, path: string): void {
  const o = c.object(value, path, true);
  if (o === undefined) return;
  for (const k of Object.keys(o)) if (k !== 'maxBytes') c.fail(`${path}.${k}`, 'unknown field; expected maxBytes');
  const max = c.integer(o.maxBytes, `${path}.maxBytes`, true);
  if (max !== undefined && (max < 0 || max > MAX_BODY_LIMIT)) c.fail(`${path}.maxBytes`, `must be 0 or more bytes, got ${describe(o.maxBytes)}`);
}
