// Snapshot -> Envoy Listeners: the external plain and TLS listeners and the cluster-local one
// (and Gateway API ports, port-listeners.ts),
// each an HTTP connection manager loading its route configuration over RDS, plus one API
// listener per host for proxyless gRPC clients (`xds:///HOST` looks up the listener named HOST).
import type { ClientValidation, Snapshot, TlsCertificate } from '../snapshot/types.ts';
import {
  ADS_CONFIG_SOURCE,
  HCM_TYPE,
  LISTENER,
  ROUTER_FILTER,
  parseHostPort,
  socketAddress,
  type ListenerAddresses,
} from './common.ts';
import { authFilters } from './auth-policies.ts';
import { CORS_FILTER } from './cors.ts';
import { LOCAL_RATELIMIT_FILTER, limitsRates } from './local-ratelimit.ts';
import { typed, type ProtoObject } from './encode.ts';
import { buildPortListeners } from './port-listeners.ts';
import { envoyPolicies } from './policy-filters.ts';
import { FAULT_FILTER, injectsFaults } from './route-fault.ts';
import { hostsForGrpc, type NamedResource } from './routes.ts';
import type { ListenerSettings } from '../proxy/listener-settings.ts';
import { effectiveSettings, listenerFilters, tlsParamsProto } from './listener-settings.ts';

function rds(routeConfigName: string): ProtoObject {
  return { route_config_name: routeConfigName, config_source: ADS_CONFIG_SOURCE };
}

/** How every connection manager of one snapshot is set up. */
export interface HcmOptions {
  /** normalise paths before routing (`--no-normalize-path` turns it off) */
  readonly normalizePath: boolean;
  /** some route injects faults: the fault filter is in the chain (route-fault.ts) */
  readonly fault: boolean;
  /** some route has a local rate limit: the local_ratelimit filter is in the chain (local-ratelimit.ts) */
  readonly rateLimit?: boolean;
  /** the access filters some route enables (auth-policies.ts), disabled elsewhere: before and after the rate limit */
  readonly auth?: { readonly before: readonly ProtoObject[]; readonly after: readonly ProtoObject[] };
  /** HTTP filters between the fault filter and the router: the function filters some route uses (functions.ts) */
  readonly filters: readonly ProtoObject[];
  /** HTTP filters after local_ratelimit: the global rate limit filters some route uses (policy-filters.ts) */
  readonly policyFilters?: readonly ProtoObject[];
  /** the ext_authz filters some route uses (policy-filters.ts), after JWT */
  readonly authzFilters?: readonly ProtoObject[];
  /** PROXY protocol, trusted hops, TLS parameters (listener-settings.ts) */
  readonly settings?: ListenerSettings;
}

export function hcmOptions(snapshot: Snapshot, addresses: ListenerAddresses, filters: readonly ProtoObject[] = []): HcmOptions {
  const policies = envoyPolicies(snapshot);
  const authz = new Set(policies.extAuthzFilters);
  return {
    normalizePath: addresses.normalizePath !== false,
    fault: injectsFaults(snapshot),
    rateLimit: limitsRates(snapshot),
    auth: authFilters(snapshot),
    filters,
    policyFilters: policies.filters.filter((f) => !authz.has(String(f.name))),
    authzFilters: policies.filters.filter((f) => authz.has(String(f.name))),
    settings: effectiveSettings(snapshot, addresses),
  };
}

/** The HTTP connection manager of an Envoy listener; `codec_type: AUTO` also takes h2c with prior knowledge. */
export function httpConnectionManager(name: string, hcm: HcmOptions): ProtoObject {
  return {
    name: 'envoy.filters.network.http_connection_manager',
    typed_config: typed(HCM_TYPE, {
      stat_prefix: name,
      codec_type: 'AUTO',
      rds: rds(name),
      // CORS answers preflights and adds its headers on routes that carry a policy (cors.ts).
      // Local rate limits likewise, on routes with a bucket (local-ratelimit.ts).
      // As on the data plane (policies/kinds.ts): IP lists and body limits, rate limits, JWT, then ext_authz.
      http_filters: [
        CORS_FILTER,
        ...(hcm.auth?.before ?? []),
        ...(hcm.rateLimit ? [LOCAL_RATELIMIT_FILTER] : []),
        ...(hcm.policyFilters ?? []),
        ...(hcm.auth?.after ?? []),
        ...(hcm.authzFilters ?? []),
        ...(hcm.fault ? [FAULT_FILTER] : []),
        ...hcm.filters,
        ROUTER_FILTER,
      ],
      upgrade_configs: [{ upgrade_type: 'websocket' }],
      // WebSockets over HTTP/2 downstreams arrive as extended CONNECT (RFC 8441).
      http2_protocol_options: { allow_connect: true },
      // Envoy is the edge: it appends the client address to X-Forwarded-For.
      use_remote_address: { value: true },
      // --trusted-hops: the client is that many X-Forwarded-For entries from the right (client-address.ts).
      xff_num_trusted_hops: hcm.settings?.trustedHops || undefined,
      // Routes see the path the data plane's normalize-path.ts makes (RFC 3986 dot-segments, merged
      // slashes; %2F left encoded), so `/public/../private` never matches `/public` here either.
      normalize_path: { value: hcm.normalizePath },
      // `hello.example.com.` is hello.example.com, as the data plane reads it (router.ts normalizeHost).
      strip_trailing_host_dot: true,
      merge_slashes: hcm.normalizePath,
    }),
  };
}

function plainListener(name: string, address: string, what: string, hcm: HcmOptions, listener: 'http' | 'local'): NamedResource {
  const { host, port } = parseHostPort(address, what);
  const filters = hcm.settings && listenerFilters(hcm.settings, listener, []);
  return {
    name,
    resource: { name, address: socketAddress(host, port), ...(filters && { listener_filters: filters }), filter_chains: [{ filters: [httpConnectionManager(name, hcm)] }] },
  };
}

/**
 * A TLS filter chain serving `cert` (by SNI `names`, or any when absent) to `routeConfig`; with
 * `clients`, client certificates are asked for and verified against its CAs (a Gateway port's
 * spec.tls.frontend): required (AllowValidOnly), or accepted untrusted or absent (AllowInsecureFallback).
 */
export function tlsFilterChain(cert: TlsCertificate, names: readonly string[] | undefined, routeConfig: string, hcm: HcmOptions, clients?: ClientValidation): ProtoObject {
  const strict = clients?.mode === 'AllowValidOnly';
  return {
    name: cert.name,
    filter_chain_match: names ? { server_names: [...names] } : undefined,
    transport_socket: {
      name: 'envoy.transport_sockets.tls',
      typed_config: typed('envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext', {
        common_tls_context: {
          alpn_protocols: ['h2', 'http/1.1'],
          tls_params: hcm.settings && tlsParamsProto(hcm.settings.tls),
          // The key travels only as a Secret (SDS, secrets.ts), to a client that names it.
          tls_certificate_sds_secret_configs: [{ name: cert.name, sds_config: ADS_CONFIG_SOURCE }],
          validation_context:
            clients === undefined
              ? undefined
              : { trusted_ca: { inline_string: clients.caCertificates }, trust_chain_verification: strict ? undefined : 'ACCEPT_UNTRUSTED' },
        },
        require_client_certificate: strict ? { value: true } : undefined,
      }),
    },
    filters: [httpConnectionManager(routeConfig, hcm)],
  };
}

/**
 * One filter chain per certificate, chosen by SNI. Envoy rejects two chains with the same
 * server name, so a name is kept only on the first certificate (in order) that lists it.
 */
export function tlsFilterChains(certs: readonly TlsCertificate[], routeConfig: string, hcm: HcmOptions, clients?: ClientValidation): ProtoObject[] {
  const seen = new Set<string>();
  const chains: ProtoObject[] = [];
  for (const cert of certs) {
    const names = cert.hosts.filter((h) => !seen.has(h));
    names.forEach((h) => seen.add(h));
    if (names.length > 0) chains.push(tlsFilterChain(cert, names, routeConfig, hcm, clients));
  }
  return chains;
}

export const TLS_INSPECTOR: ProtoObject = {
  name: 'envoy.filters.listener.tls_inspector',
  typed_config: typed('envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector', {}),
};

/** Null when no certificate is configured: Envoy refuses a listener without filter chains. */
function tlsListener(snapshot: Snapshot, address: string, hcm: HcmOptions): NamedResource | null {
  // Gateway listeners' certificates are served on their own ports' listeners only.
  const chains = tlsFilterChains(
    snapshot.tls.filter((c) => c.gateway !== true),
    LISTENER.externalTls,
    hcm,
  );
  if (chains.length === 0) return null;
  const { host, port } = parseHostPort(address, 'externalTlsAddress');
  const name = LISTENER.externalTls;
  return {
    name,
    resource: {
      name,
      address: socketAddress(host, port),
      listener_filters: hcm.settings ? listenerFilters(hcm.settings, 'https', [TLS_INSPECTOR]) : [TLS_INSPECTOR],
      filter_chains: chains,
    },
  };
}

/** The API listener a proxyless gRPC client dialing `xds:///HOST` loads. */
export function apiListener(host: string): NamedResource {
  return {
    name: host,
    resource: {
      name: host,
      api_listener: {
        api_listener: typed(HCM_TYPE, { stat_prefix: host, rds: rds(host), http_filters: [ROUTER_FILTER] }),
      },
    },
  };
}

/** Envoy's listeners: external plain and TLS, cluster-local, Gateway API ports. `filters`: as buildListeners. */
export function buildEnvoyListeners(snapshot: Snapshot, addresses: ListenerAddresses, filters: readonly ProtoObject[] = []): NamedResource[] {
  const hcm = hcmOptions(snapshot, addresses, filters);
  const tls = tlsListener(snapshot, addresses.externalTlsAddress, hcm);
  return [
    plainListener(LISTENER.external, addresses.externalAddress, 'externalAddress', hcm, 'http'),
    ...(tls ? [tls] : []),
    plainListener(LISTENER.local, addresses.localAddress, 'localAddress', hcm, 'local'),
    ...buildPortListeners(snapshot, addresses, hcm),
  ];
}

/** `filters`: the function filters some route uses (functions.ts), before the router in every connection manager. */
export function buildListeners(
  snapshot: Snapshot,
  addresses: ListenerAddresses,
  filters: readonly ProtoObject[] = [],
): { envoy: NamedResource[]; grpc: NamedResource[] } {
  const envoy = buildEnvoyListeners(snapshot, addresses, filters);
  const grpc = [...hostsForGrpc(snapshot).keys()].map(apiListener);
  return { envoy, grpc };
}
