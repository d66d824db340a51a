// The Gateway API translator: a ResourceSet's GatewayClasses, Gateways, HTTPRoutes, GRPCRoutes,
// ReferenceGrants, Namespaces and ConfigMaps -> PortListeners (one per bound port, a virtual host per host
// name on it), the clusters and certificates they use, and every object's status. Pure: lookups
// (Services, endpoints, Secrets) go through `lookups`, so a caller can record what was read.
// Route rules are gwroutes' (route-rules.ts); this module attaches them and assembles the result.
import { upstreamResolver } from './gloo-upstreams.ts';
import type { Cluster, ObjectStatus, PortListener, TlsCertificate } from '../snapshot/types.ts';
import type { ResourceSet } from '../store/types.ts';
import type { Lookups } from '../translate/lookups.ts';
import { gatewayAddresses, type GatewayAddress } from './addresses.ts';
import { attachRoute, type RouteObject } from './attach.ts';
import { resolveGateways, type GatewayOptions, type GatewayView } from './gateways.ts';
import { indexGrants, refAllowed, type GrantIndex } from './reference-grants.ts';
import { RouteIndex, routeOrder, splice, type RouteEntry } from './route-index.ts';
import { grpcRouteRules, httpRouteRules, type RuleContext, type RouteRulesResult } from './route-rules.ts';
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

/**
 * Gives the rules of one route: `translate` with a Lookups of the caller's choosing (a cache
 * records what each route read and hands back an earlier result while that is unchanged).
 * `usesUpstreams` is called when the rules named a Gloo Upstream (they then read every Service).
 */
export type RouteRulesOf = (route: HTTPRoute | GRPCRoute, translate: (lookups: Lookups, usesUpstreams: () => void) => RouteRulesResult) => RouteRulesResult;

/** What the routes of one translation attach against: the Gateway-level inputs, resolved once. */
interface AttachInputs {
  readonly grants: GrantIndex;
  /** served Gateways by `namespace/name` */
  readonly gateways: ReadonlyMap<string, GatewayView>;
  readonly namespaces: ReadonlyMap<string, Namespace>;
  readonly addresses: readonly GatewayAddress[];
  readonly classes: readonly ObjectStatus[];
}

/** The Gateway API part with what patchGatewayApi needs to update it for a few changed routes. */
export interface GatewayApiTranslation {
  readonly result: GatewayApiResult;
  readonly index: RouteIndex;
  readonly inputs: AttachInputs;
}

export function translateGatewayApi(set: ResourceSet, lookups: Lookups, options: GatewayOptions, rulesOf?: RouteRulesOf, observe?: (what: string) => void): GatewayApiResult {
  return translateGatewayApiIndexed(set, lookups, options, rulesOf, observe).result;
}

/**
 * The whole Gateway API part. `observe` hears each route attached (`attach HTTPRoute ns/name`)
 * and each virtual host built (`vhost NAME`): tests count recompositions with it.
 */
export function translateGatewayApiIndexed(set: ResourceSet, lookups: Lookups, options: GatewayOptions, rulesOf?: RouteRulesOf, observe?: (what: string) => void): GatewayApiTranslation {
  const grants = indexGrants(set.referenceGrants.values());
  const resolved = resolveGateways(set.gatewayClasses.values(), set.gateways.values(), lookups, grants, options, set.configMaps);
  const inputs: AttachInputs = {
    grants,
    gateways: new Map(resolved.gateways.map((g) => [g.key, g])),
    namespaces: new Map<string, Namespace>([...set.namespaces.values()].map((n) => [n.metadata.name, n])),
    addresses: gatewayAddresses(options, lookups),
    classes: resolved.classes.map(classStatus),
  };
  const index = new RouteIndex(resolved.gateways);
  const entryOf = routeEntries(set, lookups, inputs, rulesOf, observe);
  // Oldest first: attachment order decides which of an HTTPRoute and a GRPCRoute keeps a shared
  // host name (attach.ts), and it must not depend on the order the maps were filled in.
  for (const r of [...set.httpRoutes.values(), ...set.grpcRoutes.values()].sort(routeOrder)) index.add(entryOf(r));
  const statuses = [...inputs.classes, ...[...index.routes.values()].map((e) => e.status), ...resolved.gateways.map((g) => gatewayStatus(g, inputs.addresses))];
  statuses.sort(byObject);
  return { result: { ports: index.ports(observe), clusters: index.clusters(), tls: index.tls, objectStatuses: statuses }, index, inputs };
}

/**
 * `previous` updated for the routes `ids` (`kind namespace/name`) of `set`, added, changed, gone or
 * reading something that changed, when nothing else the part reads changed (the caller checks):
 * only those routes are attached again and only the virtual hosts they leave or join rebuilt.
 * Only for sets of one route kind: an HTTPRoute and a GRPCRoute may claim each other's host names
 * in attachment order, which a patch does not replay. `previous` is used up.
 */
export function patchGatewayApi(previous: GatewayApiTranslation, set: ResourceSet, ids: Iterable<string>, rulesOf: RouteRulesOf, observe?: (what: string) => void): GatewayApiTranslation {
  const { index, inputs } = previous;
  const entryOf = routeEntries(set, undefined, inputs, rulesOf, observe);
  const statuses = [...previous.result.objectStatuses];
  for (const id of ids) {
    const old = index.remove(id);
    if (old !== undefined) splice(statuses, statusKey(old.status), undefined, statusKey);
    const space = id.indexOf(' ');
    const key = id.slice(space + 1);
    const route = id.slice(0, space) === 'HTTPRoute' ? set.httpRoutes.get(key) : set.grpcRoutes.get(key);
    if (route === undefined) continue;
    const entry = entryOf(route);
    index.add(entry);
    splice(statuses, statusKey(entry.status), entry.status, statusKey);
  }
  // attachedRoutes counts may have moved.
  for (const g of index.gateways) {
    const s = gatewayStatus(g, inputs.addresses);
    splice(statuses, statusKey(s), s, statusKey);
  }
  const result = { ports: index.patchPorts(previous.result.ports, observe), clusters: index.patchClusters(previous.result.clusters), tls: previous.result.tls, objectStatuses: statuses };
  return { result, index, inputs };
}

// One route -> its rules (from `rulesOf`, or translated with `lookups`), its attachment and status.
function routeEntries(set: ResourceSet, lookups: Lookups | undefined, inputs: AttachInputs, rulesOf: RouteRulesOf | undefined, observe: ((what: string) => void) | undefined): (r: HTTPRoute | GRPCRoute) => RouteEntry {
  let shared: ReturnType<typeof upstreamResolver> | undefined;
  return (r) => {
    const kind = r.kind;
    const namespace = r.metadata.namespace ?? 'default';
    const key = `${namespace}/${r.metadata.name}`;
    const object: RouteObject = { kind, key, namespace, metadata: r.metadata, parentRefs: r.spec.parentRefs ?? [], hostnames: r.spec.hostnames };
    const created = r.metadata.creationTimestamp ?? '';
    const translateRules = (own: Lookups, usesUpstreams: () => void): RouteRulesResult => {
      const resolver = own === lookups ? (shared ??= upstreamResolver(set, own)) : upstreamResolver(set, own);
      const ctx: RuleContext = {
        routeKey: `${kind} ${key}`,
        kind,
        namespace,
        lookups: own,
        refAllowed: (to: { group: string; kind: string; namespace: string; name: string }) => refAllowed(inputs.grants, { group: GATEWAY_GROUP, kind, namespace }, to),
        glooUpstream: (ns, name) => {
          usesUpstreams();
          return resolver(ns, name);
        },
      };
      return routeRules(r, ctx, created);
    };
    // Rules are translated only for routes that name a served Gateway: a route of another
    // controller costs nothing and gets no status from Sluice.
    const rules: RouteRulesResult = !namesServedGateway(object, inputs.gateways)
      ? { routes: [], clusters: [] }
      : rulesOf !== undefined
        ? rulesOf(r, translateRules)
        : translateRules(lookups as Lookups, () => {});
    const attached = attachRoute(object, rules, inputs);
    observe?.(`attach ${kind} ${key}`);
    return { id: `${kind} ${key}`, route: r, status: routeStatus(r, attached.parents), attachments: attached.attachments, ranked: rules.routes, clusters: attached.attachments.length === 0 ? [] : rules.clusters };
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

// Statuses sort by kind, namespace, name: as one string, with a separator below every name character.
const statusKey = (s: ObjectStatus): string => `${s.kind}\0${s.namespace}\0${s.name}`;

function byObject(a: ObjectStatus, b: ObjectStatus): number {
  if (a.kind !== b.kind) return a.kind < b.kind ? -1 : 1;
  if (a.namespace !== b.namespace) return a.namespace < b.namespace ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
