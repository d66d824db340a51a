// IR JWT policies -> Envoy's jwt_authn HTTP filter. The connection managers of a snapshot with JWT
// routes get one filter, disabled, holding every provider and a named requirement per policy; each
// such route enables it with a PerRouteConfig naming its requirement. Providers and requirements
// are named by their content (name plus a digest), so two policies with an `idp` provider of
// different settings never collide and an unchanged policy keeps its names. A remote JWKS is
// fetched through a cluster of its own (`sluice.jwks/host:port`), over TLS for https (checked
// against the system CAs and the URI's host name).
import { createHash } from 'node:crypto';
import type { JwtPolicy, JwtProvider, Route, Snapshot } from '../snapshot/types.ts';
import { loadAssignment } from './clusters.ts';
import { type ProtoObject, typed } from './encode.ts';
import type { NamedResource } from './routes.ts';

export const JWT_FILTER_NAME = 'envoy.filters.http.jwt_authn';
const CONFIG_TYPE = 'envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication';
const PER_ROUTE_TYPE = 'envoy.extensions.filters.http.jwt_authn.v3.PerRouteConfig';
/** Where Debian (and the Envoy image) keep the system CA bundle. */
export const SYSTEM_CA_FILE = '/etc/ssl/certs/ca-certificates.crt';

const digest = (v: unknown): string => createHash('sha256').update(JSON.stringify(v)).digest('hex').slice(0, 12);
export const providerName = (p: JwtProvider): string => `${p.name}-${digest(p)}`;
export const requirementName = (j: JwtPolicy): string => `jwt-${digest({ required: j.required, providers: j.providers.map(providerName) })}`;

function duration(ms: number): ProtoObject {
  const seconds = Math.floor(ms / 1000);
  const nanos = (ms % 1000) * 1e6;
  return { seconds: seconds || undefined, nanos: nanos || undefined };
}

/** The JWKS URI's origin as Envoy dials it. */
function jwksOrigin(uri: string): { host: string; port: number; tls: boolean } {
  const u = new URL(uri);
  const tls = u.protocol === 'https:';
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port === '' ? (tls ? 443 : 80) : Number(u.port), tls };
}

export function jwksClusterName(uri: string): string {
  const o = jwksOrigin(uri);
  return `sluice.jwks/${o.tls ? 'https' : 'http'}/${o.host}:${o.port}`;
}

function provider(p: JwtProvider): ProtoObject {
  const jwks = p.remoteJwks === undefined
    ? { local_jwks: { inline_string: p.localJwks ?? '' } }
    : {
        remote_jwks: {
          http_uri: { uri: p.remoteJwks.uri, cluster: jwksClusterName(p.remoteJwks.uri), timeout: duration(p.remoteJwks.timeoutMs) },
          cache_duration: duration(p.remoteJwks.cacheMs),
        },
      };
  return {
    issuer: p.issuer,
    audiences: p.audiences.length > 0 ? [...p.audiences] : undefined,
    ...jwks,
    from_headers: p.fromHeaders.map((h) => ({ name: h.name, value_prefix: h.prefix || undefined })),
    from_params: p.fromParams.length > 0 ? [...p.fromParams] : undefined,
    // The data plane passes the token on; Envoy would strip it by default.
    forward: true,
    forward_payload_header: p.forwardPayloadHeader,
    claim_to_headers: p.claimsToHeaders.length > 0 ? p.claimsToHeaders.map((m) => ({ header_name: m.header, claim_name: m.claim })) : undefined,
    clock_skew_seconds: p.clockSkewSeconds,
  };
}

/** Any provider verifies; optional: a missing token passes too (a bad one still fails). */
function requirement(j: JwtPolicy): ProtoObject {
  const any = j.providers.map((p) => ({ provider_name: providerName(p) }));
  if (!j.required) any.push({ allow_missing: {} } as never);
  return any.length === 1 ? any[0]! : { requires_any: { requirements: any } };
}

function jwtPolicies(snapshot: Snapshot): JwtPolicy[] {
  const vhosts = [...snapshot.listeners.external, ...snapshot.listeners.local, ...snapshot.ports.flatMap((p) => p.virtualHosts)];
  const out: JwtPolicy[] = [];
  for (const v of vhosts) for (const r of v.routes) if (enabled(r)) out.push(r.policies!.jwt!);
  return out;
}

const enabled = (r: Route): boolean => r.policies?.jwt !== undefined && r.policies.jwt.disabled !== true && r.policies.jwt.providers.length > 0;

/** The connection manager's filter, or undefined when no route authenticates. */
export function jwtAuthnFilter(snapshot: Snapshot): ProtoObject | undefined {
  const policies = jwtPolicies(snapshot);
  if (policies.length === 0) return undefined;
  const providers: Record<string, ProtoObject> = {};
  const requirement_map: Record<string, ProtoObject> = {};
  // Sorted, so the filter reads (and hashes) the same whatever the route order.
  for (const j of policies) {
    for (const p of j.providers) providers[providerName(p)] = provider(p);
    requirement_map[requirementName(j)] = requirement(j);
  }
  const sorted = (o: Record<string, ProtoObject>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { name: JWT_FILTER_NAME, typed_config: typed(CONFIG_TYPE, { providers: sorted(providers), requirement_map: sorted(requirement_map) }), disabled: true };
}

/** The route's per-filter config enabling the filter with its requirement; undefined when it has none. */
export function jwtPerRoute(route: Route): ProtoObject | undefined {
  if (!enabled(route)) return undefined;
  return typed('envoy.config.route.v3.FilterConfig', { config: typed(PER_ROUTE_TYPE, { requirement_name: requirementName(route.policies!.jwt!) }) });
}

/** One cluster per remote JWKS origin. */
export function jwksClusters(snapshot: Snapshot): NamedResource[] {
  const uris = new Set<string>();
  for (const j of jwtPolicies(snapshot)) for (const p of j.providers) if (p.remoteJwks !== undefined) uris.add(p.remoteJwks.uri);
  const byName = new Map<string, NamedResource>();
  for (const uri of [...uris].sort()) {
    const name = jwksClusterName(uri);
    if (byName.has(name)) continue;
    const o = jwksOrigin(uri);
    byName.set(name, {
      name,
      resource: {
        name,
        connect_timeout: { seconds: 5 },
        type: 'LOGICAL_DNS',
        dns_lookup_family: 'V4_PREFERRED',
        lb_policy: 'ROUND_ROBIN',
        load_assignment: loadAssignment(name, [{ address: o.host, port: o.port }]),
        transport_socket: o.tls
          ? {
              name: 'envoy.transport_sockets.tls',
              typed_config: typed('envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext', {
                sni: o.host,
                common_tls_context: {
                  validation_context: { trusted_ca: { filename: SYSTEM_CA_FILE }, match_typed_subject_alt_names: [{ san_type: 'DNS', matcher: { exact: o.host } }] },
                },
              }),
            }
          : undefined,
      },
    });
  }
  return [...byName.values()];
}
