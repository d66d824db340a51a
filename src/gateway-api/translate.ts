// The Gateway API translator: a ResourceSet's GatewayClasses, Gateways, HTTPRoutes, GRPCRoutes,
// ReferenceGrants, Namespaces and ConfigMaps -> PortListeners (one per bound port, a virtual host per host
// name on it), the clusters and certificates they use, and every object's status. Pure: lookups
// (Services, endpoints, Secrets) go through `lookups`, so a caller can record what was read.
// Route rules are gwroutes' (route-rules.ts); this module attaches them and assembles the result.
import { upstreamResolver } from './gloo-upstreams.ts';
import type { Cluster, ObjectStatus, PortListener, TlsCertificate } from '../snapshot/types.ts';
import type { ResourceSet } from '../store/types.ts';
import type { Lookups } from '../translate/lookups.ts';
import { gatewayAddresses } from './addresses.ts';
import { attachRoute, type Attachment, type RouteObject } from './attach.ts';
import { byAge, resolveGateways, type GatewayOptions } from './gateways.ts';
import { buildPorts } from './ports.ts';
import { indexGrants, refAllowed } from './reference-grants.ts';
import { grpcRouteRules, httpRouteRules, type RankedRoute, type RuleContext, type RouteRulesResult } from './route-rules.ts';
import { classStatus, gatewayStatus, routeStatus } from './status.ts';
import { GATEWAY_GROUP, type GRPCRoute, type HTTPRoute, type Namespace } from './types.ts';

export interface GatewayApiResult {
  /** sorted by name */
  readonly ports: readonly PortListener[];
  /** the clusters attached routes send to, sorted by name */
  readonly clusters: readonly Cluster[];
  /** listener certificates, one per Secret (hosts merged), sorted by name */
  readonly tls: readonly TlsCertificate[];
  /** sorted by kind, namespace, name */
  readonly objectStatuses: readonly ObjectStatus[];
}

/** One translated route: its rules and where it attached. */
export interface AttachedRoute {
  readonly object: RouteObject;
  readonly ranked: readonly RankedRoute[];
  readonly attachments: readonly Attachment[];
}

/**
 * Gives the rules of one route: `translate` with a Lookups of the caller's choosing (a cache
 * records what each route read and hands back an earlier result while that is unchanged).
 * `usesUpstreams` is called when the rules named a Gloo Upstream (they then read every Service).
 */
export type RouteRulesOf = (route: HTTPRoute | GRPCRoute, translate: (lookups: Lookups, usesUpstreams: () => void) => RouteRulesResult) => RouteRulesResult;

export function translateGatewayApi(set: ResourceSet, lookups: Lookups, options: GatewayOptions, rulesOf?: RouteRulesOf): GatewayApiResult {
  const grants = indexGrants(set.referenceGrants.values());
  const resolved = resolveGateways(set.gatewayClasses.values(), set.gateways.values(), lookups, grants, options, set.configMaps);
  const gateways = new Map(resolved.gateways.map((g) => [g.key, g]));
  const namespaces = new Map<string, Namespace>([...set.namespaces.values()].map((n) => [n.metadata.name, n]));

  const statuses: ObjectStatus[] = resolved.classes.map(classStatus);
  const routes: AttachedRoute[] = [];
  const clusters = new Map<string, Cluster>();
  const shared = upstreamResolver(set, lookups);
  const each = (kind: 'HTTPRoute' | 'GRPCRoute', r: HTTPRoute | GRPCRoute): void => {
    const namespace = r.metadata.namespace ?? 'default';
    const key = `${namespace}/${r.metadata.name}`;
    const object: RouteObject = { kind, key, namespace, metadata: r.metadata, parentRefs: r.spec.parentRefs ?? [], hostnames: r.spec.hostnames };
    const created = r.metadata.creationTimestamp ?? '';
    const translateRules = (own: Lookups, usesUpstreams: () => void): RouteRulesResult => {
      const resolver = own === lookups ? shared : upstreamResolver(set, own);
      const ctx: RuleContext = {
        routeKey: `${kind} ${key}`,
        kind,
        namespace,
        lookups: own,
        refAllowed: (to: { group: string; kind: string; namespace: string; name: string }) => refAllowed(grants, { group: GATEWAY_GROUP, kind, namespace }, to),
        glooUpstream: (ns, name) => {
          usesUpstreams();
          return resolver(ns, name);
        },
      };
      return routeRules(r, ctx, created);
    };
    // Rules are translated only for routes that name a served Gateway: a route of another
    // controller costs nothing and gets no status from Sluice.
    const rules: RouteRulesResult = !namesServedGateway(object, gateways)
      ? { routes: [], clusters: [] }
      : rulesOf === undefined
        ? translateRules(lookups, () => {})
        : rulesOf(r, translateRules);
    const attached = attachRoute(object, rules, { gateways, namespaces });
    statuses.push(routeStatus(r, attached.parents));
    if (attached.attachments.length === 0) return;
    routes.push({ object, ranked: rules.routes, attachments: attached.attachments });
    for (const c of rules.clusters) if (!clusters.has(c.name)) clusters.set(c.name, c);
  };
  // Oldest first: attachment order decides which of an HTTPRoute and a GRPCRoute keeps a shared
  // host name (attach.ts), and it must not depend on the order the maps were filled in.
  for (const r of [...set.httpRoutes.values(), ...set.grpcRoutes.values()].sort(byAgeAndKind)) each(r.kind, r);

  const { ports, tls } = buildPorts(resolved.gateways, routes);
  const addresses = gatewayAddresses(options, lookups);
  for (const g of resolved.gateways) statuses.push(gatewayStatus(g, addresses));
  statuses.sort(byObject);
  return {
    ports,
    clusters: [...clusters.values()].sort(byName),
    tls,
    objectStatuses: statuses,
  };
}

// A route the rule translator cannot handle (a bug meeting an input nobody foresaw) is not
// accepted, and says why; it never takes down the other routes or the translation.
function routeRules(r: HTTPRoute | GRPCRoute, ctx: RuleContext, created: string): RouteRulesResult {
  try {
    return r.kind === 'HTTPRoute' ? httpRouteRules(r.spec, ctx, created) : grpcRouteRules(r.spec, ctx, created);
  } catch (err) {
    return { routes: [], clusters: [], unsupported: { reason: 'UnsupportedValue', message: `cannot translate the route's rules: ${(err as Error).message}` } };
  }
}

function namesServedGateway(route: RouteObject, gateways: ReadonlyMap<string, unknown>): boolean {
  return route.parentRefs.some(
    (ref) => (ref.group ?? GATEWAY_GROUP) === GATEWAY_GROUP && (ref.kind ?? 'Gateway') === 'Gateway' && gateways.has(`${ref.namespace ?? route.namespace}/${ref.name}`),
  );
}

function byAgeAndKind(a: HTTPRoute | GRPCRoute, b: HTTPRoute | GRPCRoute): number {
  return byAge(a, b) || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0);
}

const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function byObject(a: ObjectStatus, b: ObjectStatus): number {
  if (a.kind !== b.kind) return a.kind < b.kind ? -1 : 1;
  if (a.namespace !== b.namespace) return a.namespace < b.namespace ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
