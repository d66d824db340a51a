// Snapshot virtual hosts -> Envoy RouteConfigurations.
// One route configuration per Envoy listener (`external`, `external-tls`, `local`, and one per
// Gateway API port, named after it), and one per host for proxyless gRPC clients (named after the host, loaded by the API listener of that name).
import type { Route, Snapshot, VirtualHost } from '../snapshot/types.ts';
import { LISTENER, RESERVED_NAMES } from './common.ts';
import { checkMessage, type ProtoObject } from './encode.ts';
import { envoyRoute, type RouteOptions } from './route-action.ts';
import { directBodyLimit } from './route-direct.ts';
import { routeMatch } from './route-match.ts';
import { envoyFunctions, type EnvoyFunctions } from './functions.ts';
import { envoyPolicies } from './policy-filters.ts';
import { extAuthzVirtualHost } from './ext-authz.ts';

export interface NamedResource {
  readonly name: string;
  readonly resource: ProtoObject;
}

const PROBE_HEADER = 'k-network-probe';
const HASH_HEADER = 'k-network-hash';

/**
 * Knative readiness probes are answered by the gateway: 200 with `K-Network-Hash` echoed, or the
 * ingress's own hash when the prober asks with `override`; a probe without a non-empty hash gets
 * 400, as from Knative's probe handler (pkg/http/probe). Most specific match first.
 */
function probeRoutes(ingressHash: string | undefined): ProtoObject[] {
  // Only virtual hosts of a Knative ingress answer probes, as on the data plane.
  if (ingressHash === undefined) return [];
  const probe = { name: PROBE_HEADER, string_match: { exact: 'probe' } };
  const answer = (value: string): ProtoObject => ({
    direct_response: { status: 200 },
    response_headers_to_add: [{ header: { key: HASH_HEADER, value }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }],
  });
  const routes: ProtoObject[] = [];
  if (ingressHash) {
    routes.push({
      match: { prefix: '/', headers: [probe, { name: HASH_HEADER, string_match: { exact: 'override' } }] },
      ...answer(ingressHash),
    });
  }
  routes.push(
    { match: { prefix: '/', headers: [probe, { name: HASH_HEADER, string_match: { exact: '' } }] }, ...BAD_PROBE },
    { match: { prefix: '/', headers: [probe, { name: HASH_HEADER, present_match: true }] }, ...answer(`%REQ(${HASH_HEADER})%`) },
    { match: { prefix: '/', headers: [probe] }, ...BAD_PROBE },
  );
  return routes;
}

const BAD_PROBE: ProtoObject = {
  direct_response: { status: 400, body: { inline_string: 'a probe request must contain a non-empty "K-Network-Hash" header\n' } },
};

/**
 * As net-kourier does for a Redirected ingress's ExternalIP rules, each route becomes a redirect
 * with the same match. `https_redirect` keeps the Host as sent, less `:80` (the data plane's
 * redirect follows it), and answers 301 by default; it is spelled out for readers.
 */
function redirectRoute(route: Route): ProtoObject {
  return { match: routeMatch(route), redirect: { https_redirect: true, response_code: 'MOVED_PERMANENTLY' } };
}

/**
 * Envoy rejects a route configuration in which two virtual hosts share a domain, so a domain is
 * kept only on the first virtual host that claims it (snapshot order), and a virtual host left
 * with no domain is dropped.
 */
function uniqueDomains(vhosts: readonly VirtualHost[]): Array<{ vhost: VirtualHost; domains: string[] }> {
  const seen = new Set<string>();
  const out: Array<{ vhost: VirtualHost; domains: string[] }> = [];
  for (const vhost of vhosts) {
    const domains = vhost.domains.filter((d) => !seen.has(d) && servableDomain(d));
    domains.forEach((d) => seen.add(d));
    if (domains.length > 0) out.push({ vhost, domains });
  }
  return out;
}

/** `*` goes last: Envoy matches it only when nothing else does, and readers expect it there. */
function catchAllLast(vhosts: readonly VirtualHost[]): readonly VirtualHost[] {
  const catchAll = (v: VirtualHost) => v.domains.includes('*');
  return vhosts.some(catchAll) ? [...vhosts.filter((v) => !catchAll(v)), ...vhosts.filter(catchAll)] : vhosts;
}

const ROUTE_TYPE = 'envoy.config.route.v3.Route';

/**
 * Envoy refuses a whole route configuration for one bad route, and Sluice would refuse to serve
 * the whole snapshot, so a route with a value Envoy would refuse (one that escaped the
 * translators' validation) answers 500 instead, and one whose match itself is bad is left out.
 */
function servable(route: ProtoObject): ProtoObject[] {
  if (checkMessage(ROUTE_TYPE, route).length === 0) return [route];
  const fallback = { match: route.match, direct_response: { status: 500 } };
  return checkMessage(ROUTE_TYPE, fallback).length === 0 ? [fallback] : [];
}

/** Envoy refuses a domain that could split a header (NUL, CR, LF). */
const servableDomain = (d: string) => !/[\0\r\n]/.test(d);

/** The Knative ingress hash of each ingress key: a virtual host's probe routes answer with it. */
export function ingressHashes(snapshot: Snapshot): ReadonlyMap<string, string> {
  return new Map(snapshot.ingresses.map((i) => [i.key, i.hash]));
}

/**
 * One virtual host of an Envoy listener's route configuration, serving `domains` (those left to it
 * by uniqueDomains). Depends only on its arguments, so xDS caching (resource-cache.ts) can keep it
 * for as long as the IR virtual host object and these values stay the same.
 */
export function envoyVirtualHost(vhost: VirtualHost, domains: readonly string[], ingressHash: string | undefined, redirectToHttps: boolean, options: RouteOptions): ProtoObject {
  const forwardingRoute = (route: Route) => envoyRoute(route, options);
  const routes = vhost.routes.map(redirectToHttps && vhost.httpOption === 'Redirected' ? redirectRoute : forwardingRoute).flatMap(servable);
  // ext_authz is off for the host's probes, redirects and unmatched paths (ext-authz.ts).
  return { name: vhost.name, domains: [...domains], routes: [...probeRoutes(ingressHash), ...routes], typed_per_filter_config: extAuthzVirtualHost(options.extAuthzFilters ?? []) };
}

/** The virtual hosts of one route configuration in the order Envoy gets them, each with the domains it keeps. */
export function placedVirtualHosts(vhosts: readonly VirtualHost[]): Array<{ vhost: VirtualHost; domains: string[] }> {
  return uniqueDomains(catchAllLast(vhosts));
}

/** A route configuration's own fields around its virtual hosts. */
export function routeConfigurationFields(name: string, virtual_hosts: readonly ProtoObject[] | undefined, bodyLimit: ProtoObject | undefined): ProtoObject {
  // Hosts are matched without their port, as by the data plane, but the Host is left as sent: the
  // connection manager's strip_any_host_port would also cut the port from the Host sent upstream
  // and from redirects, which the data plane keeps (test/contract).
  return { name, virtual_hosts, most_specific_header_mutations_wins: true, ignore_port_in_host_matching: true, max_direct_response_body_size_bytes: bodyLimit };
}

/** What one Envoy listener's route configuration is made of. */
export interface RouteConfigPlan {
  readonly name: string;
  readonly vhosts: readonly VirtualHost[];
  readonly redirectToHttps: boolean;
  readonly options: RouteOptions;
}

function routeConfiguration(plan: RouteConfigPlan, hashes: ReadonlyMap<string, string>): NamedResource {
  // Split headers are set after the route's (see route-action.ts), as the IR orders filters.
  const virtual_hosts = placedVirtualHosts(plan.vhosts).map(({ vhost, domains }) =>
    envoyVirtualHost(vhost, domains, hashes.get(vhost.ingress), plan.redirectToHttps, plan.options),
  );
  return { name: plan.name, resource: routeConfigurationFields(plan.name, virtual_hosts, directBodyLimit(virtual_hosts as Array<{ routes: ProtoObject[] }>)) };
}

/**
 * Whether a host gets a proxyless client's API listener: a host spelled like an Envoy listener
 * name would collide with it, and a wildcard is no name a client dials.
 */
export const grpcHost = (domain: string): boolean => !RESERVED_NAMES.has(domain) && !domain.includes('*') && servableDomain(domain);

/** The virtual host serving each host name, local listener first: proxyless clients run in-cluster. */
export function hostsForGrpc(snapshot: Snapshot): Map<string, VirtualHost> {
  const byHost = new Map<string, VirtualHost>();
  for (const vhost of [...snapshot.listeners.local, ...snapshot.listeners.external]) {
    for (const domain of vhost.domains) if (!byHost.has(domain) && grpcHost(domain)) byHost.set(domain, vhost);
  }
  return byHost;
}

/**
 * Route configuration for one host, as a proxyless gRPC client loads it: no probes, no redirect,
 * no CORS and no function filters (gRPC clients refuse per-filter config for filters they lack).
 */
export function grpcRouteConfiguration(host: string, vhost: VirtualHost, options: RouteOptions): NamedResource {
  const virtual_hosts = [{ name: vhost.name, domains: [host], routes: grpcRoutes(vhost, options) }];
  return { name: host, resource: { name: host, virtual_hosts, max_direct_response_body_size_bytes: directBodyLimit(virtual_hosts) } };
}

/** The routes of a proxyless client's virtual host: the same for every host it serves. */
export function grpcRoutes(vhost: VirtualHost, options: RouteOptions): ProtoObject[] {
  return vhost.routes.map((r) => envoyRoute(r, options)).flatMap(servable);
}

/** The route options of every Envoy listener's route configuration (proxyless clients' differ: grpcRouteOptions). */
export function envoyRouteOptions(snapshot: Snapshot, functions: EnvoyFunctions = envoyFunctions(snapshot)): RouteOptions {
  return { cors: true, fault: true, functions: functions.targets, functionFilters: true, extAuthzFilters: envoyPolicies(snapshot).extAuthzFilters };
}

export function grpcRouteOptions(functions: EnvoyFunctions): RouteOptions {
  return { cors: false, fault: false, functions: functions.targets, functionFilters: false };
}

/** The route configurations of Envoy's listeners, in order. */
export function routeConfigPlans(snapshot: Snapshot, options: RouteOptions): RouteConfigPlan[] {
  const { external, local } = snapshot.listeners;
  return [
    // The cluster-local gateway redirects too (the translator marks only ExternalIP rules
    // Redirected), as Kourier's internal listener does; the TLS listener never does.
    { name: LISTENER.external, vhosts: external, redirectToHttps: true, options },
    { name: LISTENER.externalTls, vhosts: external, redirectToHttps: false, options },
    { name: LISTENER.local, vhosts: local, redirectToHttps: true, options },
    // A Gateway API port's own table, named after its listener.
    ...snapshot.ports.map((p) => ({ name: p.name, vhosts: p.virtualHosts, redirectToHttps: false, options: { ...options, listenerPort: p.listenerPort ?? p.port } })),
  ];
}

export function buildRouteConfigurations(snapshot: Snapshot, functions: EnvoyFunctions = envoyFunctions(snapshot)): { envoy: NamedResource[]; grpc: NamedResource[] } {
  const hashes = ingressHashes(snapshot);
  const envoy = routeConfigPlans(snapshot, envoyRouteOptions(snapshot, functions)).map((plan) => routeConfiguration(plan, hashes));
  const grpcOptions = grpcRouteOptions(functions);
  const grpc = [...hostsForGrpc(snapshot)].map(([host, vhost]) => grpcRouteConfiguration(host, vhost, grpcOptions));
  return { envoy, grpc };
}
