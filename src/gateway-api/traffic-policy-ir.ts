// A validated TrafficPolicy spec as the IR's route policies (snapshot/types.ts), with defaults filled.
import type { ExtAuthzPolicy, IpAccessPolicy, RateLimitPolicy, TrafficPolicies } from '../snapshot/types.ts';
import { durationMs } from './spec-values.ts';
import { jwtOf } from './traffic-policy-jwt.ts';
import type { ExtAuthzSpec, IpAccessSpec, RateLimitSpec, TrafficPolicy } from './traffic-policy-types.ts';

/** Envoy's ext_authz default timeout. */
export const DEFAULT_AUTHZ_TIMEOUT_MS = 200;

export function policiesOf(p: TrafficPolicy): TrafficPolicies {
  return Object.freeze({
    ...(p.spec.rateLimit !== undefined && { rateLimit: rateLimitOf(p.spec.rateLimit) }),
    ...(p.spec.extAuthz !== undefined && { extAuthz: extAuthzOf(p.spec.extAuthz) }),
    ...(p.spec.ipAccess !== undefined && { ipAccess: ipAccessOf(p.spec.ipAccess) }),
    ...(p.spec.jwt !== undefined && { jwt: jwtOf(p.spec.jwt) }),
    ...(p.spec.requestBody !== undefined && { requestBody: Object.freeze({ maxBytes: p.spec.requestBody.maxBytes }) }),
  });
}

function rateLimitOf(s: RateLimitSpec): RateLimitPolicy {
  const key = (s.key ?? 'route') as RateLimitPolicy['key'];
  return Object.freeze({ requests: s.requests, unit: s.unit, burst: s.burst ?? s.requests, key: key.startsWith('header:') ? (key.toLowerCase() as RateLimitPolicy['key']) : key });
}

function extAuthzOf(s: ExtAuthzSpec): ExtAuthzPolicy {
  const lower = (l: string[] | undefined): readonly string[] => Object.freeze((l ?? []).map((h) => h.toLowerCase()).sort());
  return Object.freeze({
    ...(s.disabled === true && { disabled: true }),
    protocol: s.grpc !== undefined ? 'grpc' : 'http',
    url: s.grpc?.address ?? s.http?.url ?? '',
    timeout: durationMs(s.timeout) ?? DEFAULT_AUTHZ_TIMEOUT_MS,
    failureMode: s.failureMode ?? 'deny',
    headersToSend: lower(s.headersToSend),
    headersToUpstream: lower(s.headersToUpstream),
  });
}

function ipAccessOf(s: IpAccessSpec): IpAccessPolicy {
  return Object.freeze({
    ...(s.allow !== undefined && { allow: Object.freeze([...s.allow]) }),
    ...(s.deny !== undefined && { deny: Object.freeze([...s.deny]) }),
  });
}
