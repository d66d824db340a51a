// IR global rate limits -> Envoy's ratelimit HTTP filter (envoy.service.ratelimit.v3 over gRPC).
// One filter per distinct service and settings (the filter holds one domain, service, timeout and
// failure mode), named `envoy.filters.http.ratelimit/<digest of them>`, disabled in every
// connection manager; a limited route enables its own with a FilterConfig and carries its
// descriptors as RouteAction `rate_limits` actions. Only the route's one enabled filter reads them.
//
//   { key, value }          generic_key { descriptor_key, descriptor_value }
//   { key, fromHeader }     request_headers { header_name, descriptor_key } (absent: descriptor not sent)
//   { clientAddress }       remote_address (key `remote_address`)
//   { key, route }          generic_key { descriptor_key, descriptor_value: the route's owner key }
import { createHash } from 'node:crypto';
import type { GlobalRateLimitPolicy, RateLimitDescriptorEntry, Route } from '../snapshot/types.ts';
import { typed, type ProtoObject } from './encode.ts';
import { serviceAddress, serviceClusterName } from './service-cluster.ts';

export const RATELIMIT_FILTER_NAME = 'envoy.filters.http.ratelimit';
const CONFIG_TYPE = 'envoy.extensions.filters.http.ratelimit.v3.RateLimit';
const PER_ROUTE_TYPE = 'envoy.extensions.filters.http.ratelimit.v3.RateLimitPerRoute';

function duration(ms: number): ProtoObject {
  const seconds = Math.floor(ms / 1000);
  const nanos = Math.round((ms - seconds * 1000) * 1e6);
  return { seconds: seconds || undefined, nanos: nanos || undefined };
}

/** Whether Envoy can be given this policy (its service address parses). */
export function servesGlobalLimit(p: GlobalRateLimitPolicy): boolean {
  return p.descriptors.length > 0 && serviceAddress(p.service) !== undefined;
}

/** The filter serving `p`: one name per distinct service, domain, timeout and failure mode. */
export function rateLimitFilterName(p: GlobalRateLimitPolicy): string {
  const digest = createHash('sha256').update(JSON.stringify([p.service, p.domain, p.timeout, p.failureMode])).digest('hex').slice(0, 12);
  return `${RATELIMIT_FILTER_NAME}/${digest}`;
}

/** The connection manager's filter for `p`, disabled until a route enables it. */
export function rateLimitFilter(p: GlobalRateLimitPolicy): ProtoObject {
  return {
    name: rateLimitFilterName(p),
    typed_config: typed(CONFIG_TYPE, {
      domain: p.domain,
      timeout: duration(p.timeout),
      failure_mode_deny: p.failureMode === 'deny' || undefined,
      rate_limit_service: { grpc_service: { envoy_grpc: { cluster_name: serviceClusterName('h2', p.service) } }, transport_api_version: 'V3' },
      // Envoy's closest to the data plane's RateLimit headers (X-RateLimit-Limit/Remaining/Reset).
      enable_x_ratelimit_headers: 'DRAFT_VERSION_03',
    }),
    disabled: true,
  };
}

function action(e: RateLimitDescriptorEntry, route: Route): ProtoObject {
  if ('value' in e) return { generic_key: { descriptor_key: e.key, descriptor_value: e.value } };
  if ('fromHeader' in e) return { request_headers: { header_name: e.fromHeader, descriptor_key: e.key } };
  if ('clientAddress' in e) return { remote_address: {} };
  return { generic_key: { descriptor_key: e.key, descriptor_value: route.ingress } };
}

/** RouteAction `rate_limits` of a route with a global limit Envoy serves. */
export function rateLimitActions(route: Route): ProtoObject[] | undefined {
  const p = route.policies?.globalRateLimit;
  if (p === undefined || !servesGlobalLimit(p)) return undefined;
  return p.descriptors.map((d) => ({ actions: d.map((e) => action(e, route)) }));
}

/** The per-filter config enabling the route's ratelimit filter. */
export function rateLimitPerFilter(route: Route): Record<string, ProtoObject> | undefined {
  const p = route.policies?.globalRateLimit;
  if (p === undefined || !servesGlobalLimit(p)) return undefined;
  return { [rateLimitFilterName(p)]: typed('envoy.config.route.v3.FilterConfig', { config: typed(PER_ROUTE_TYPE, {}) }) };
}
