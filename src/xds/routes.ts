// Snapshot virtual hosts -> Envoy RouteConfigurations.
// One route configuration per Envoy listener (`external`, `external-tls`, `local`), and one per
// host for proxyless gRPC clients (named after the host, loaded by the API listener of that name).
import type { HeaderMatch, HeaderPair, Route, RouteFilter, Snapshot, VirtualHost } from '../snapshot/types.ts';
import { LISTENER, RESERVED_NAMES, setHeaders } from './common.ts';
import type { ProtoObject } from './encode.ts';

export interface NamedResource {
  readonly name: string;
  readonly resource: ProtoObject;
}

const PROBE_HEADER = 'k-network-probe';
const HASH_HEADER = 'k-network-hash';

// An empty exact value means "the header is present": Knative accepts `exact: ""`, and net-kourier
// leaves such a matcher without a value, which Envoy reads as a presence match.
function headerMatcher(h: HeaderMatch): ProtoObject {
  return h.match.type === 'exact' ? { name: h.name, string_match: { exact: h.match.value } } : { name: h.name, present_match: true };
}

function routeMatch(route: Route): ProtoObject {
  return { prefix: route.path.value, headers: route.headers.length ? route.headers.map(headerMatcher) : undefined };
}

// Interim reading of the routing IR's Knative subset (engineer "xdsir" replaces this file's translation).
function setPairs(filters: readonly RouteFilter[]): readonly HeaderPair[] {
  return filters.flatMap((f) => (f.type === 'request-headers' ? f.edits.set : []));
}
function hostRewrite(route: Route): string | undefined {
  for (const f of route.filters) if (f.type === 'url-rewrite' && f.hostname) return f.hostname;
  return undefined;
}

/** A route of the snapshot as an Envoy route that forwards to its split clusters. */
function forwardingRoute(route: Route): ProtoObject {
  const match = routeMatch(route);
  const splits = route.splits.filter((s) => s.weight > 0);
  if (splits.length === 0) return { match, direct_response: { status: 503 } };
  // A 0s timeout turns Envoy's default 15 s route timeout off: Sluice has no timeout by default.
  if (splits.length === 1) {
    // With one split its headers go on the route, after the path-level ones so they win.
    const edits = setHeaders([...setPairs(route.filters), ...setPairs(splits[0]!.filters)]);
    return {
      match,
      route: { cluster: splits[0]!.cluster, timeout: {}, host_rewrite_literal: hostRewrite(route) ?? edits.host },
      request_headers_to_add: edits.add,
    };
  }
  const edits = setHeaders(setPairs(route.filters));
  const clusters = splits.map((s) => {
    const split = setHeaders(setPairs(s.filters));
    return {
      name: s.cluster,
      weight: { value: s.weight },
      request_headers_to_add: split.add,
      // rewriteHost wins over any Host header, so a split's Host applies only without it.
      host_rewrite_literal: hostRewrite(route) ? undefined : split.host,
    };
  });
  return {
    match,
    route: { weighted_clusters: { clusters }, timeout: {}, host_rewrite_literal: hostRewrite(route) ?? edits.host },
    request_headers_to_add: edits.add,
  };
}

/**
 * Knative readiness probes are answered by the gateway: 200 with `K-Network-Hash` echoed, or the
 * ingress's own hash when the prober asks with `override`; a probe without a non-empty hash gets
 * 400, as from Knative's probe handler (pkg/http/probe). Most specific match first.
 */
function probeRoutes(ingressHash: string | undefined): ProtoObject[] {
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
    const domains = vhost.domains.filter((d) => !seen.has(d));
    domains.forEach((d) => seen.add(d));
    if (domains.length > 0) out.push({ vhost, domains });
  }
  return out;
}

function routeConfiguration(
  name: string,
  vhosts: readonly VirtualHost[],
  snapshot: Snapshot,
  redirectToHttps: boolean,
): NamedResource {
  const hashes = new Map(snapshot.ingresses.map((i) => [i.key, i.hash]));
  const virtual_hosts = uniqueDomains(vhosts).map(({ vhost, domains }) => {
    const routes = vhost.routes.map(redirectToHttps && vhost.httpOption === 'Redirected' ? redirectRoute : forwardingRoute);
    return { name: vhost.name, domains, routes: [...probeRoutes(hashes.get(vhost.ingress)), ...routes] };
  });
  // Split headers are set after the route's (see forwardingRoute), as KIngress specifies.
  // Hosts are matched without their port, as by the data plane, but the Host is left as sent: the
  // connection manager's strip_any_host_port would also cut the port from the Host sent upstream
  // and from redirects, which the data plane keeps (test/contract).
  return { name, resource: { name, virtual_hosts, most_specific_header_mutations_wins: true, ignore_port_in_host_matching: true } };
}

/** The virtual host serving each host name, local listener first: proxyless clients run in-cluster. */
export function hostsForGrpc(snapshot: Snapshot): Map<string, VirtualHost> {
  const byHost = new Map<string, VirtualHost>();
  for (const vhost of [...snapshot.listeners.local, ...snapshot.listeners.external]) {
    for (const domain of vhost.domains) {
      // A host spelled like an Envoy listener name would collide with it; such hosts get no API listener.
      if (!byHost.has(domain) && !RESERVED_NAMES.has(domain)) byHost.set(domain, vhost);
    }
  }
  return byHost;
}

/** Route configuration for one host, as a proxyless gRPC client loads it: no probes, no redirect. */
function grpcRouteConfiguration(host: string, vhost: VirtualHost): NamedResource {
  const virtual_hosts = [{ name: vhost.name, domains: [host], routes: vhost.routes.map(forwardingRoute) }];
  return { name: host, resource: { name: host, virtual_hosts } };
}

export function buildRouteConfigurations(snapshot: Snapshot): { envoy: NamedResource[]; grpc: NamedResource[] } {
  const { external, local } = snapshot.listeners;
  const envoy = [
    // The cluster-local gateway redirects too (the translator marks only ExternalIP rules
    // Redirected), as Kourier's internal listener does; the TLS listener never does.
    routeConfiguration(LISTENER.external, external, snapshot, true),
    routeConfiguration(LISTENER.externalTls, external, snapshot, false),
    routeConfiguration(LISTENER.local, local, snapshot, true),
  ];
  const grpc = [...hostsForGrpc(snapshot)].map(([host, vhost]) => grpcRouteConfiguration(host, vhost));
  return { envoy, grpc };
}
