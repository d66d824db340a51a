// IR ext_authz policies -> Envoy's ext_authz HTTP filter. One filter per distinct server and
// settings (the filter holds one service), named `envoy.filters.http.ext_authz/<digest of them>`,
// in every connection manager only when some route uses it. It is on by default, as Envoy users
// (and net-kourier) set it up, and switched off with ExtAuthzPerRoute `disabled` on every virtual
// host (so Knative probes, https redirects and requests no route matches are not authorized, as on
// the data plane) and on every route that does not use it, because its policy disables ext_authz,
// names another server, or it has none. A route that uses it turns it back on (`check_settings`:
// Envoy merges per-route configs, the most specific `disabled` winning).
//
//   grpc  grpc_service { envoy_grpc: cluster for the address, timeout }; headersToSend: allowed_headers
//   http  http_service { server_uri { uri, cluster, timeout }, path_prefix,
//         authorization_response.allowed_upstream_headers: headersToUpstream }; allowed_headers
//   failureMode allow: failure_mode_allow (deny answers 403, Envoy's status_on_error default)
//   withRequestBody: with_request_body { max_request_bytes, allow_partial_message, pack_as_bytes }
//   contextExtensions: the route's check_settings.context_extensions (per route, so not in the name)
import { createHash } from 'node:crypto';
import type { ExtAuthzPolicy, Route } from '../snapshot/types.ts';
import { typed, type ProtoObject } from './encode.ts';
import { serviceAddress, serviceClusterName, type ServiceProtocol } from './service-cluster.ts';

export const EXT_AUTHZ_FILTER_NAME = 'envoy.filters.http.ext_authz';
const CONFIG_TYPE = 'envoy.extensions.filters.http.ext_authz.v3.ExtAuthz';
const PER_ROUTE_TYPE = 'envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute';
const DISABLED: ProtoObject = typed(PER_ROUTE_TYPE, { disabled: true });
const ENABLED: ProtoObject = typed(PER_ROUTE_TYPE, { check_settings: {} });

function duration(ms: number): ProtoObject {
  const seconds = Math.floor(ms / 1000);
  const nanos = Math.round((ms - seconds * 1000) * 1e6);
  return { seconds: seconds || undefined, nanos: nanos || undefined };
}

/** The server's address and the rest of an http URL; undefined when Envoy cannot be given it. */
function target(p: ExtAuthzPolicy): { protocol: ServiceProtocol; address: string; prefix: string } | undefined {
  if (p.protocol === 'grpc') return serviceAddress(p.url) === undefined ? undefined : { protocol: 'h2', address: p.url, prefix: '' };
  let u: URL;
  try {
    u = new URL(p.url);
  } catch {
    return undefined;
  }
  const address = `${u.hostname}:${u.port === '' ? 80 : u.port}`;
  if (u.protocol !== 'http:' || serviceAddress(address) === undefined) return undefined;
  return { protocol: 'http1', address, prefix: u.pathname === '/' ? '' : u.pathname.replace(/\/$/, '') };
}

/** The route's ext_authz policy when Envoy serves it (enabled, with a usable address). */
export function servedExtAuthz(route: Route): ExtAuthzPolicy | undefined {
  const p = route.policies?.extAuthz;
  return p === undefined || p.disabled === true || p.fromGateway === true || target(p) === undefined ? undefined : p;
}

/** The service the filter for `p` calls: its cluster's protocol and address. */
export function extAuthzService(p: ExtAuthzPolicy): { protocol: ServiceProtocol; address: string } | undefined {
  const t = target(p);
  return t && { protocol: t.protocol, address: t.address };
}

export function extAuthzFilterName(p: ExtAuthzPolicy): string {
  const settings = [p.protocol, p.url, p.timeout, p.failureMode, p.headersToSend, p.headersToUpstream, ...(p.withRequestBody === undefined ? [] : [p.withRequestBody])];
  return `${EXT_AUTHZ_FILTER_NAME}/${createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 12)}`;
}

const patterns = (names: readonly string[]): ProtoObject | undefined => (names.length === 0 ? undefined : { patterns: names.map((exact) => ({ exact })) });

/** The connection manager's filter for `p` (a policy servedExtAuthz returned). */
export function extAuthzFilter(p: ExtAuthzPolicy): ProtoObject {
  const t = target(p)!;
  const cluster = serviceClusterName(t.protocol, t.address);
  const service: ProtoObject =
    p.protocol === 'grpc'
      ? { grpc_service: { envoy_grpc: { cluster_name: cluster }, timeout: duration(p.timeout) }, transport_api_version: 'V3' }
      : {
          http_service: {
            server_uri: { uri: p.url, cluster, timeout: duration(p.timeout) },
            path_prefix: t.prefix || undefined,
            authorization_response: p.headersToUpstream.length === 0 ? undefined : { allowed_upstream_headers: patterns(p.headersToUpstream) },
          },
        };
  return {
    name: extAuthzFilterName(p),
    typed_config: typed(CONFIG_TYPE, {
      ...service,
      failure_mode_allow: p.failureMode === 'allow' || undefined,
      allowed_headers: patterns(p.headersToSend),
      with_request_body: p.withRequestBody && {
        max_request_bytes: p.withRequestBody.maxBytes,
        allow_partial_message: p.withRequestBody.allowPartial || undefined,
        pack_as_bytes: p.withRequestBody.packAsBytes || undefined,
      },
    }),
  };
}

/**
 * Each of the chain's ext_authz filters (`filters`, by name): on for the one the route uses, off for
 * the others; a route that does not forward (redirect, direct response) uses none, as on the data plane.
 */
export function extAuthzPerFilter(route: Route, filters: readonly string[], forwards: boolean): Record<string, ProtoObject> | undefined {
  if (filters.length === 0) return undefined;
  const p = forwards ? servedExtAuthz(route) : undefined;
  const own = p === undefined ? undefined : extAuthzFilterName(p);
  const out: Record<string, ProtoObject> = {};
  const on = p?.contextExtensions === undefined ? ENABLED : typed(PER_ROUTE_TYPE, { check_settings: { context_extensions: { ...p.contextExtensions } } });
  for (const name of filters) out[name] = name === own ? on : DISABLED;
  return out;
}

/** A virtual host's per-filter config: every ext_authz filter off unless a route turns it on. */
export function extAuthzVirtualHost(filters: readonly string[]): Record<string, ProtoObject> | undefined {
  return filters.length === 0 ? undefined : Object.fromEntries(filters.map((name) => [name, DISABLED]));
}
