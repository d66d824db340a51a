// A validated TrafficPolicy spec as the IR's route policies (snapshot/types.ts), with defaults filled.
import type { ExtAuthzPolicy, GlobalRateLimitPolicy, IpAccessPolicy, RateLimitDescriptorEntry, RateLimitPolicy, Route, RouteFilter, TrafficPolicies } from '../snapshot/types.ts';
import { corsOf } from '../policies/cors-spec.ts';
import { durationMs } from './spec-values.ts';
import { jwtOf } from './traffic-policy-jwt.ts';
import type { DescriptorEntrySpec, ExtAuthzSpec, GlobalRateLimitSpec, IpAccessSpec, RateLimitSpec, TrafficPolicy } from './traffic-policy-types.ts';
import { retryOf, timeoutOf } from './traffic-policy-retry.ts';

/** Envoy's ext_authz default timeout. */
export const DEFAULT_AUTHZ_TIMEOUT_MS = 200;
/** Envoy's ratelimit filter's default timeout. */
export const DEFAULT_RATE_LIMIT_SERVICE_TIMEOUT_MS = 20;

export function policiesOf(p: TrafficPolicy): TrafficPolicies {
  const timeout = timeoutOf(p.spec.retry, p.spec.timeouts);
  return Object.freeze({
    ...(p.spec.retry !== undefined && { retry: retryOf(p.spec.retry) }),
    ...(timeout !== undefined && { timeout }),
    ...(p.spec.rateLimit?.requests !== undefined && { rateLimit: rateLimitOf(p.spec.rateLimit) }),
    ...(p.spec.rateLimit?.global !== undefined && { globalRateLimit: globalRateLimitOf(p.spec.rateLimit.global) }),
    ...(p.spec.extAuthz !== undefined && { extAuthz: extAuthzOf(p.spec.extAuthz) }),
    ...(p.spec.ipAccess !== undefined && { ipAccess: ipAccessOf(p.spec.ipAccess) }),
    ...(p.spec.jwt !== undefined && { jwt: jwtOf(p.spec.jwt) }),
    ...(p.spec.requestBody !== undefined && { requestBody: Object.freeze({ maxBytes: p.spec.requestBody.maxBytes }) }),
    ...(p.spec.cors !== undefined && { cors: corsOf(p.spec.cors) }),
  });
}

/**
 * The route's filters with the policy's CORS added as a `cors` filter (so the data plane and xDS serve
 * it as they serve the Gateway API's), unless the route has a CORS filter of its own, which wins.
 */
export function policyFilters(route: Route, policies: TrafficPolicies): readonly RouteFilter[] {
  if (policies.cors === undefined || route.filters.some((f) => f.type === 'cors')) return route.filters;
  return Object.freeze([...route.filters, Object.freeze({ type: 'cors' as const, policy: policies.cors })]);
}

function rateLimitOf(s: RateLimitSpec): RateLimitPolicy {
  const key = (s.key ?? 'route') as RateLimitPolicy['key'];
  return Object.freeze({ requests: s.requests!, unit: s.unit!, burst: s.burst ?? s.requests!, key: key.startsWith('header:') ? (key.toLowerCase() as RateLimitPolicy['key']) : key });
}

function entryOf(e: DescriptorEntrySpec): RateLimitDescriptorEntry {
  if (e.clientAddress === true) return Object.freeze({ key: 'remote_address', clientAddress: true });
  const key = e.key ?? '';
  if (e.fromHeader !== undefined) return Object.freeze({ key, fromHeader: e.fromHeader.toLowerCase() });
  if (e.route === true) return Object.freeze({ key, route: true });
  return Object.freeze({ key, value: e.value ?? '' });
}

function globalRateLimitOf(s: GlobalRateLimitSpec): GlobalRateLimitPolicy {
  return Object.freeze({
    service: s.service,
    domain: s.domain,
    descriptors: Object.freeze(s.descriptors.map((d) => Object.freeze(d.map(entryOf)))),
    timeout: durationMs(s.timeout) ?? DEFAULT_RATE_LIMIT_SERVICE_TIMEOUT_MS,
    failureMode: s.failureMode ?? 'allow',
  });
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
    ...(s.withRequestBody !== undefined && {
      withRequestBody: Object.freeze({ maxBytes: s.withRequestBody.maxRequestBytes, allowPartial: s.withRequestBody.allowPartialMessage ?? false, packAsBytes: s.withRequestBody.packAsBytes ?? false }),
    }),
    ...(s.contextExtensions !== undefined && { contextExtensions: Object.freeze({ ...s.contextExtensions }) }),
  });
}

function ipAccessOf(s: IpAccessSpec): IpAccessPolicy {
  return Object.freeze({
    ...(s.allow !== undefined && { allow: Object.freeze([...s.allow]) }),
    ...(s.deny !== undefined && { deny: Object.freeze([...s.deny]) }),
  });
}
