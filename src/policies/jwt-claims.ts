// A verified token's claims as upstream request headers. Every configured header is set on every
// request the policy lets through, empty when the claim is absent (or not a string, number,
// boolean or list of them), so a client can never supply one itself.
import type { JWTPayload } from 'jose';
import type { HeaderPair, JwtProvider } from '../snapshot/types.ts';

// A value that could split or end a header is not passed on.
const BAD_VALUE = /[\0\r\n]/;
const MAX_VALUE = 8 * 1024;

/** A claim by dotted path (`realm_access.roles`), as Envoy's claim_to_headers reads nested claims. */
function claimAt(payload: JWTPayload, path: string): unknown {
  if (Object.hasOwn(payload, path)) return payload[path];
  let v: unknown = payload;
  for (const part of path.split('.')) {
    if (typeof v !== 'object' || v === null || Array.isArray(v) || !Object.hasOwn(v, part)) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

const scalar = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/** A claim as a header value: scalars as they are, lists of scalars joined with commas; else ''. */
export function headerValue(v: unknown): string {
  let s = '';
  if (scalar(v)) s = String(v);
  else if (Array.isArray(v) && v.every(scalar)) s = v.join(',');
  return s.length > MAX_VALUE || BAD_VALUE.test(s) ? '' : s;
}

/** The provider's claim headers for `payload` (undefined: no verified token, every one empty). */
export function claimHeaders(p: JwtProvider, payload: JWTPayload | undefined): HeaderPair[] {
  return p.claimsToHeaders.map(({ claim, header }) => [header, payload === undefined ? '' : headerValue(claimAt(payload, claim))]);
}
