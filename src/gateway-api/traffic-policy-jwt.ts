// A validated TrafficPolicy `spec.jwt` as the IR's JwtPolicy, with defaults filled: required, the
// token in `Authorization: Bearer`, a 5 s JWKS fetch timeout, 5 min cache (Envoy's default) and
// 60 s clock skew (Envoy's).
import type { JwtPolicy, JwtProvider } from '../snapshot/types.ts';
import { durationMs } from './spec-values.ts';
import type { JwtProviderSpec, JwtSpec } from './traffic-policy-types.ts';

export const DEFAULT_JWKS_TIMEOUT_MS = 5000;
export const DEFAULT_JWKS_CACHE_MS = 5 * 60_000;
export const DEFAULT_CLOCK_SKEW_S = 60;

export function jwtOf(s: JwtSpec): JwtPolicy {
  return Object.freeze({
    ...(s.disabled === true && { disabled: true }),
    required: s.required !== false,
    providers: Object.freeze((s.providers ?? []).map(providerOf)),
  });
}

function providerOf(p: JwtProviderSpec): JwtProvider {
  const fromHeaders = (p.fromHeaders ?? []).map((h) => ({ name: h.name.toLowerCase(), prefix: h.prefix ?? '' }));
  return Object.freeze({
    name: p.name,
    ...(p.issuer !== undefined && { issuer: p.issuer }),
    audiences: Object.freeze([...(p.audiences ?? [])]),
    ...(p.remoteJwks !== undefined && {
      remoteJwks: { uri: p.remoteJwks.uri, timeoutMs: durationMs(p.remoteJwks.timeout) ?? DEFAULT_JWKS_TIMEOUT_MS, cacheMs: durationMs(p.remoteJwks.cacheDuration) ?? DEFAULT_JWKS_CACHE_MS },
    }),
    ...(p.localJwks !== undefined && { localJwks: JSON.stringify(p.localJwks) }),
    // Neither a header nor a parameter named: Authorization's Bearer token, as Envoy's default.
    fromHeaders: fromHeaders.length === 0 && (p.fromParams ?? []).length === 0 ? [{ name: 'authorization', prefix: 'Bearer ' }] : fromHeaders,
    fromParams: Object.freeze([...(p.fromParams ?? [])]),
    claimsToHeaders: Object.freeze((p.claimsToHeaders ?? []).map((m) => ({ claim: m.claim, header: m.header.toLowerCase() }))),
    ...(p.forwardPayloadHeader !== undefined && { forwardPayloadHeader: p.forwardPayloadHeader.toLowerCase() }),
    clockSkewSeconds: p.clockSkew === undefined ? DEFAULT_CLOCK_SKEW_S : Math.floor((durationMs(p.clockSkew) ?? 0) / 1000),
  });
}
