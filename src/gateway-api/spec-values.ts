// Guards for spec values read from files or the API server: the types say what the API allows,
// these make sure a document that breaks them is treated as absent or invalid, never thrown on.
import { RE2JS } from 're2js';

/** The array, or nothing when the value is absent or not an array. */
export function listOf<T>(value: readonly T[] | undefined): readonly T[] {
  return Array.isArray(value) ? value : [];
}

/** Whether the value is a plain object (the value keeps its declared type: no narrowing). */
export function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isString(value: unknown): value is string {
  return typeof value === 'string';
}

export function isIntIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/**
 * Why `pattern` is not an RE2 expression, or undefined when it is one. Config regexes are
 * matched by an RE2-class engine (linear time on hostile input), so they must compile with one.
 */
export function regexError(pattern: string): string | undefined {
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

// Gateway API Duration (GEP-2257): 1 to 4 parts of up to 5 digits and a unit, e.g. `1h30m`, `500ms`.
const DURATION = /^(?:[0-9]{1,5}(?:h|ms|m|s)){1,4}$/;
const PART = /([0-9]{1,5})(h|ms|m|s)/g;
const UNIT_MS: Readonly<Record<string, number>> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** A Gateway API duration in milliseconds, or undefined when it is not one. */
export function durationMs(value: unknown): number | undefined {
  if (!isString(value) || !DURATION.test(value)) return undefined;
  let total = 0;
  for (const [, n, unit] of value.matchAll(PART)) total += Number(n) * (UNIT_MS[unit as string] ?? 0);
  return total;
}

// RFC 9110 token: what an HTTP header name may be (the CRD's HTTPHeaderName pattern).
const TOKEN = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;
// The CRD's PreciseHostname: lower-case DNS labels, no wildcard.
const PRECISE_HOSTNAME = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;

export function isHeaderName(value: unknown): value is string {
  return isString(value) && TOKEN.test(value);
}

/** A header value the data plane can send: no CR, LF or NUL (header injection). */
export function isHeaderValue(value: unknown): value is string {
  return isString(value) && !/[\0\r\n]/.test(value);
}

export function isPreciseHostname(value: unknown): value is string {
  return isString(value) && value.length <= 253 && PRECISE_HOSTNAME.test(value);
}

/** Text that goes into a request line or a Location header: no spaces or control characters. */
export function isUriText(value: unknown): value is string {
  return isString(value) && !/[\0-\x20\x7f]/.test(value);
}
