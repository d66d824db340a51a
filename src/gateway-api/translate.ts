// The Gateway API translator: a ResourceSet's GatewayClasses, Gateways, HTTPRoutes, GRPCRoutes,
// ReferenceGrants, Namespaces and ConfigMaps -> PortListeners (one per bound port, a virtual host per host
// name on it), the clusters and certificates they use, and every object's status. Pure: lookups
// (Services, endpoints, Secrets) go through `lookups`, so a caller can record what was read.
// Route rules are gwroutes' (route-rules.ts); this module attaches them and assembles the result.
import { upstreamResolver } from './gloo-upstreams.ts';
import { SharedValues } from '../snapshot/shared-values.ts';
import type { Cluster, ObjectStatus, PortListener, TlsCertificate } from '../snapshot/types.ts';
import type { ResourceSet } from '../store/types.ts';
import type { Lookups } from '../translate/lookups.ts';
import { gatewayAddresses, type GatewayAddress } from './addresses.ts';
import { attachRoute, meetsOtherKind, type RouteObject } from './attach.ts';
import { attachmentMayChange, carryListeners, type GatewayChange } from './gateway-change.ts';
import { resolveGateways, sameView, type GatewayOptions, type GatewayView } from './gateways.ts';
import { grantIndexOf, refAllowed, type GrantIndex, type RefTo } from './reference-grants.ts';
import { RouteIndex, routeOrder, splice, type RouteEntry } from './route-index.ts';
import { grpcRouteRules, httpRouteRules, type RuleContext, type RouteRulesResult } from './route-rules.ts';
import { classStatus, gatewayStatus, routeStatus, sameRouteStatus } from './status.ts';
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

/** What a route's rules read besides their lookups, told to whoever keeps them (gateway-routes.ts). */
export interface RuleReads {
  /** the rules named a Gloo Upstream (they then read every Service) */
  usesUpstreams(): void;
  /** a reference into another namespace was checked against the ReferenceGrants, with this answer */
  crossed(to: RefTo, allowed: boolean): void;
}

/**
 * Gives the rules of one route (`id`: `kind namespace/name`): `translate` with a Lookups of the caller's choosing (a cache
 * records what each route read and hands back an earlier result while that is unchanged).
 */
export type RouteRulesOf = (route: HTTPRoute | GRPCRoute, id: string, translate: (lookups: Lookups, reads: RuleReads) => RouteRulesResult) => RouteRulesResult;

/** What the routes of one translation attach against: the Gateway-level inputs, resolved once. */
interface AttachInputs {
  readonly grants: GrantIndex;
  /** served Gateways, in precedence order */
  readonly views: readonly GatewayView[];
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
  const inputs = attachInputs(set, lookups, options);
  const index = new RouteIndex(inputs.views);
  const entryOf = routeEntries(set, lookups, inputs, rulesOf, observe);
  // Oldest first: attachment order decides which of an HTTPRoute and a GRPCRoute keeps a shared
  // host name (attach.ts), and it must not depend on the order the maps were filled in.
  for (const r of [...set.httpRoutes.values(), ...set.grpcRoutes.values()].sort(routeOrder)) index.add(entryOf(r));
  const statuses = [...inputs.classes, ...[...index.routes.values()].map((e) => e.status), ...inputs.views.map((g) => gatewayStatus(g, inputs.addresses))];
  statuses.sort(byObject);
  return { result: { ports: index.ports(observe), clusters: index.clusters(), tls: index.tls, objectStatuses: statuses }, index, inputs };
}

/**
 * `previous` updated for the routes `ids` (`kind namespace/name`) of `set`, added, changed, gone or
 * reading something that changed, when nothing else the part reads changed but (with `gatewayLevel`)
 * the Gateway-level inputs: GatewayClasses, Gateways, ReferenceGrants, ConfigMaps, the listeners'
 * Secrets. Those are resolved again (a few objects); a Gateway whose resolution changed has the
 * routes naming it attached again, and a port whose listeners changed is rebuilt; other routes,
 * hosts and statuses stay as they were. Only the virtual hosts whose content changed are rebuilt.
 * Undefined when a patch cannot be exact: an HTTPRoute and a GRPCRoute may claim each other's host
 * names in age order, which a patch does not replay, so a set where some route meets a host name
 * of the other kind is translated whole. `previous` and `ids` are used up.
 */
export function patchGatewayApi(
  previous: GatewayApiTranslation,
  set: ResourceSet,
  ids: Set<string>,
  rulesOf: RouteRulesOf,
  observe?: (what: string) => void,
  gatewayLevel?: { readonly lookups: Lookups; readonly options: GatewayOptions; readonly namespaces?: ReadonlySet<string> },
): GatewayApiTranslation | undefined {
  const { index } = previous;
  const statuses = [...previous.result.objectStatuses];
  let inputs = previous.inputs;
  if (gatewayLevel !== undefined) {
    inputs = reresolve(previous.inputs, set, gatewayLevel.lookups, gatewayLevel.options, index, ids);
    // A Namespace's labels matter only to a listener selecting by them: then its routes attach again.
    const namespaces = gatewayLevel.namespaces;
    if (namespaces !== undefined && namespaces.size > 0 && [...previous.inputs.views, ...inputs.views].some(selectsNamespaces)) index.routesIn(namespaces, ids);
    for (const c of previous.inputs.classes) splice(statuses, statusKey(c), undefined, statusKey);
    for (const c of inputs.classes) splice(statuses, statusKey(c), c, statusKey);
    for (const g of previous.inputs.views) if (!inputs.gateways.has(g.key)) splice(statuses, `Gateway\0${g.key.replace('/', '\0')}`, undefined, statusKey);
  }
  // Routes are attached here in no particular order: exact only while no route meets a host name of
  // the other kind (attach.ts otherKindHolder, which settles that in age order). Else: undefined.
  if (index.conflicted.size > 0) return undefined;
  for (const id of ids) {
    const old = index.routes.get(id)?.route;
    const route = routeOf(set, id);
    if ((old !== undefined && meetsOtherKind(routeObject(old), inputs.gateways)) || (route !== undefined && meetsOtherKind(routeObject(route), inputs.gateways))) return undefined;
  }
  const entryOf = routeEntries(set, undefined, inputs, rulesOf, observe);
  for (const id of ids) {
    const old = index.routes.get(id);
    const route = routeOf(set, id);
    if (route === undefined) {
      if (old === undefined) continue;
      index.remove(id);
      splice(statuses, statusKey(old.status), undefined, statusKey);
      continue;
    }
    let entry = entryOf(route);
    // An unchanged status stays the object it was: status writers see no change.
    if (old !== undefined && sameRouteStatus(old.status, entry.status)) entry = { ...entry, status: old.status };
    index.replace(entry);
    if (entry.status !== old?.status) splice(statuses, statusKey(entry.status), entry.status, statusKey);
  }
  // attachedRoutes counts may have moved.
  for (const g of index.gateways) {
    const s = gatewayStatus(g, inputs.addresses);
    splice(statuses, statusKey(s), s, statusKey);
  }
  if (index.conflicted.size > 0) return undefined;
  const result = { ports: index.patchPorts(previous.result.ports, observe), clusters: index.patchClusters(previous.result.clusters), tls: index.tls, objectStatuses: statuses };
  return { result, index, inputs };
}

// The Gateway-level inputs of `set`, where each Gateway resolved as before keeps its earlier view,
// and one edited keeps the listeners that attach as before (gateway-change.ts); the index takes
// them, and `ids` gets the routes that may attach otherwise: those naming a Gateway added or gone,
// and those a changed listener may take or leave.
function reresolve(previous: AttachInputs, set: ResourceSet, lookups: Lookups, options: GatewayOptions, index: RouteIndex, ids: Set<string>): AttachInputs {
  const fresh = attachInputs(set, lookups, options);
  const whole = new Set<string>();
  const changes: GatewayChange[] = [];
  const views = fresh.views.map((v) => {
    const had = previous.gateways.get(v.key);
    if (had !== undefined && sameView(had, v)) return had;
    if (had === undefined) {
      whole.add(v.key);
      return v;
    }
    const { view, change } = carryListeners(had, v);
    changes.push(change);
    return view;
  });
  for (const key of previous.gateways.keys()) if (!fresh.gateways.has(key)) whole.add(key);
  index.setGateways(views);
  index.routesNaming(whole, ids);
  for (const c of changes) index.routesNaming([c.key], ids, attachmentMayChange(c, fresh.namespaces));
  return { ...fresh, views, gateways: new Map(views.map((g) => [g.key, g])) };
}

/** The route `kind namespace/name` of `set`. */
function routeOf(set: ResourceSet, id: string): HTTPRoute | GRPCRoute | undefined {
  const space = id.indexOf(' ');
  const key = id.slice(space + 1);
  return id.slice(0, space) === 'HTTPRoute' ? set.httpRoutes.get(key) : set.grpcRoutes.get(key);
}

function routeObject(r: HTTPRoute | GRPCRoute): RouteObject {
  const namespace = r.metadata.namespace ?? 'default';
  const key = `${namespace}/${r.metadata.name}`;
  return { kind: r.kind, key, id: `${r.kind} ${key}`, namespace, metadata: r.metadata, parentRefs: r.spec.parentRefs ?? [], hostnames: r.spec.hostnames };
}

// One route -> its rules (from `rulesOf`, or translated with `lookups`), its attachment and status.
function routeEntries(set: ResourceSet, lookups: Lookups | undefined, inputs: AttachInputs, rulesOf: RouteRulesOf | undefined, observe: ((what: string) => void) | undefined): (r: HTTPRoute | GRPCRoute) => RouteEntry {
  let shared: ReturnType<typeof upstreamResolver> | undefined;
  // Equal paths and match lists of the routes this pass translates, one object each (10,000 routes
  // with one header match hold one list); dropped with the pass.
  const values = new SharedValues();
  return (r) => {
    const object = routeObject(r);
    const { kind, namespace, key, id } = object;
    const created = r.metadata.creationTimestamp ?? '';
    const translateRules = (own: Lookups, reads: RuleReads): RouteRulesResult => {
      const resolver = own === lookups ? (shared ??= upstreamResolver(set, own)) : upstreamResolver(set, own);
      const ctx: RuleContext = {
        routeKey: id,
        key,
        kind,
        namespace,
        lookups: own,
        refAllowed: (to: RefTo) => {
          const allowed = refAllowed(inputs.grants, { group: GATEWAY_GROUP, kind, namespace }, to);
          if (to.namespace !== namespace) reads.crossed(to, allowed);
          return allowed;
        },
        glooUpstream: (ns, name) => {
          reads.usesUpstreams();
          return resolver(ns, name);
        },
        shared: values,
      };
      return routeRules(r, ctx, created);
    };
    // Rules are translated only for routes that name a served Gateway: a route of another
    // controller costs nothing and gets no status from Sluice.
    const rules: RouteRulesResult = !namesServedGateway(object, inputs.gateways)
      ? { routes: [], clusters: [] }
      : rulesOf !== undefined
        ? rulesOf(r, id, translateRules)
        : translateRules(lookups as Lookups, IGNORED_READS);
    const attached = attachRoute(object, rules, inputs);
    observe?.(`attach ${id}`);
    const entry: RouteEntry = { id, route: r, status: routeStatus(r, attached.parents, values), attachments: attached.attachments, ranked: rules.routes, clusters: attached.attachments.length === 0 ? [] : rules.clusters };
    return attached.conflicted ? { ...entry, conflicted: true } : entry;
  };
}

const selectsNamespaces = (g: GatewayView): boolean => g.listeners.some((l) => l.spec.allowedRoutes?.namespaces?.from === 'Selector');

const IGNORED_READS: RuleReads = { usesUpstreams: () => {}, crossed: () => {} };

/** The Gateway-level inputs of `set`: GatewayClasses, Gateways (with their listeners' Secrets and CAs), grants, Namespaces. */
function attachInputs(set: ResourceSet, lookups: Lookups, options: GatewayOptions): AttachInputs {
  const grants = grantIndexOf(set.referenceGrants);
  const resolved = resolveGateways(set.gatewayClasses.values(), set.gateways.values(), lookups, grants, options, set.configMaps);
  return {
    grants,
    views: resolved.gateways,
    gateways: new Map(resolved.gateways.map((g) => [g.key, g])),
    namespaces: new Map<string, Namespace>([...set.namespaces.values()].map((n) => [n.metadata.name, n])),
    addresses: gatewayAddresses(options, lookups),
    classes: resolved.classes.map(classStatus),
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
