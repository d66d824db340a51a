// Route attachment: each parentRef of a route -> the listeners of a served Gateway it attaches to
// and the route's status entry for that parent. A listener takes a route when it matches the
// ref's sectionName and port, is accepted, allows the route's kind and namespace
// (allowedRoutes), and shares a host name with it (hostnames.ts). The first check that leaves no
// listener gives the reason: NoMatchingParent, NotAllowedByListeners, NoMatchingListenerHostname.
import { kept } from '../snapshot/kept-lists.ts';
import { condition, generationOf, type GatewayCondition } from './conditions.ts';
import type { GatewayView, RouteKind, ServedListener } from './gateways.ts';
import { covers, routeHostsOnListener } from './hostnames.ts';
import { selectorMatches } from './label-selector.ts';
import type { ParentReference } from './route-types.ts';
import type { RouteRulesResult } from './route-rules.ts';
import { CONTROLLER_NAME, GATEWAY_GROUP, NAMESPACE_NAME_LABEL, type AllowedRoutes, type Namespace } from './types.ts';

export interface RouteObject {
  readonly kind: RouteKind;
  readonly key: string;
  /** `kind namespace/name`: the one string the translation's indexes hold for the route */
  readonly id: string;
  readonly namespace: string;
  readonly metadata: { readonly generation?: number; readonly name: string };
  readonly parentRefs: readonly ParentReference[];
  readonly hostnames: readonly string[] | undefined;
}

/** One (listener, host name) a route serves on. */
export interface Attachment {
  readonly listener: ServedListener;
  readonly host: string;
}

export interface RouteParentStatus {
  readonly parentRef: Readonly<Record<string, unknown>>;
  readonly controllerName: string;
  readonly conditions: readonly GatewayCondition[];
}

export interface AttachResult {
  readonly attachments: readonly Attachment[];
  readonly parents: readonly RouteParentStatus[];
  /** a listener refused the route a host name a route of the other kind holds there */
  readonly conflicted: boolean;
}

export interface AttachContext {
  /** served Gateways by `namespace/name` */
  readonly gateways: ReadonlyMap<string, GatewayView>;
  /** Namespace documents by name */
  readonly namespaces: ReadonlyMap<string, Namespace>;
}

export function attachRoute(route: RouteObject, rules: RouteRulesResult, ctx: AttachContext): AttachResult {
  const generation = generationOf(route.metadata);
  const attachments: Attachment[] = [];
  const parents: RouteParentStatus[] = [];
  const seenRefs = new Set<string>();
  let conflicted = false;
  for (const ref of route.parentRefs) {
    const group = ref.group ?? GATEWAY_GROUP;
    const kind = ref.kind ?? 'Gateway';
    // Only Gateways are parents Sluice serves; a Gateway of another class is another controller's.
    if (group !== GATEWAY_GROUP || kind !== 'Gateway') continue;
    const gateway = ctx.gateways.get(`${ref.namespace ?? route.namespace}/${ref.name}`);
    if (gateway === undefined) continue;
    const refId = JSON.stringify([ref.namespace ?? route.namespace, ref.name, ref.sectionName ?? '', ref.port ?? 0]);
    if (seenRefs.has(refId)) continue;
    seenRefs.add(refId);
    const outcome = attachToGateway(route, gateway, ref, ctx);
    if (outcome.conflicted === true) conflicted = true;
    const accepted =
      rules.unsupported !== undefined
        ? condition('Accepted', false, rules.unsupported.reason, rules.unsupported.message, generation)
        : outcome.problem !== undefined
          ? condition('Accepted', false, outcome.problem.reason, outcome.problem.message, generation)
          : condition('Accepted', true, 'Accepted', 'Route accepted', generation);
    const resolved =
      rules.unresolved === undefined
        ? condition('ResolvedRefs', true, 'ResolvedRefs', 'All references resolved', generation)
        : condition('ResolvedRefs', false, rules.unresolved.reason, rules.unresolved.message, generation);
    parents.push({ parentRef: statusRef(ref), controllerName: CONTROLLER_NAME, conditions: [accepted, resolved] });
    if (accepted.status !== 'True') continue;
    attachments.push(...outcome.attachments);
    for (const a of outcome.attachments) {
      a.listener.attached.add(route.id);
      const mine = a.listener.claims[route.kind];
      if (!mine.has(a.host)) mine.set(a.host, route.key);
    }
  }
  return { attachments: kept(attachments), parents, conflicted };
}

/** The parentRef as the status echoes it: the CRD's defaults (group, kind) filled in. */
function statusRef(ref: ParentReference): Record<string, unknown> {
  return {
    group: ref.group ?? GATEWAY_GROUP,
    kind: ref.kind ?? 'Gateway',
    ...(ref.namespace !== undefined && { namespace: ref.namespace }),
    name: ref.name,
    ...(ref.sectionName !== undefined && { sectionName: ref.sectionName }),
    ...(ref.port !== undefined && { port: ref.port }),
  };
}

interface Outcome {
  readonly attachments: Attachment[];
  readonly problem?: { readonly reason: string; readonly message: string };
  readonly conflicted?: boolean;
}

function attachToGateway(route: RouteObject, gateway: GatewayView, ref: ParentReference, ctx: AttachContext): Outcome {
  const named = gateway.listeners.filter((l) => (ref.sectionName === undefined || l.spec.name === ref.sectionName) && (ref.port === undefined || l.spec.port === ref.port));
  const which = [ref.sectionName !== undefined && `sectionName ${ref.sectionName}`, ref.port !== undefined && `port ${ref.port}`].filter(Boolean).join(' and ');
  if (named.length === 0) return { attachments: [], problem: { reason: 'NoMatchingParent', message: `Gateway ${gateway.key} has no listener with ${which}` } };
  const accepted = named.filter((l) => l.accepted);
  if (accepted.length === 0) return { attachments: [], problem: { reason: 'NoMatchingParent', message: `no accepted listener of Gateway ${gateway.key}${which ? ` with ${which}` : ''}` } };
  const allowed = accepted.filter((l) => l.kinds.includes(route.kind) && namespaceAllowed(l, route.namespace, ctx));
  if (allowed.length === 0) {
    return { attachments: [], problem: { reason: 'NotAllowedByListeners', message: `no listener of Gateway ${gateway.key} allows routes of kind ${route.kind} from namespace ${route.namespace}` } };
  }
  const attachments: Attachment[] = [];
  let matched = false;
  let conflict: string | undefined;
  for (const l of allowed) {
    const hosts = routeHostsOnListener(l.hostname, route.hostnames);
    if (hosts.length === 0) continue;
    matched = true;
    const holder = otherKindHolder(l, route.kind, hosts);
    if (holder !== undefined) {
      conflict ??= `listener ${l.spec.name} of Gateway ${gateway.key} already serves a host name of this route with ${holder.kind} ${holder.key}, which is older: an HTTPRoute and a GRPCRoute may not share a host name on a listener`;
      continue;
    }
    for (const host of hosts) attachments.push({ listener: l, host });
  }
  if (!matched) return { attachments, problem: { reason: 'NoMatchingListenerHostname', message: `no hostname of the route matches a listener of Gateway ${gateway.key}` } };
  if (attachments.length === 0) return { attachments, problem: { reason: 'NotAllowedByListeners', message: conflict ?? '' }, conflicted: true };
  return conflict === undefined ? { attachments } : { attachments, conflicted: true };
}

// The GRPCRoute spec (hostnames): when an HTTPRoute and a GRPCRoute on one listener share a host
// name, exactly one is accepted, the oldest (then namespace/name). Routes are attached oldest first,
// so the first kind to take a host name on a listener keeps it.
function otherKindHolder(l: ServedListener, kind: RouteKind, hosts: readonly string[]): { kind: RouteKind; key: string } | undefined {
  const other: RouteKind = kind === 'HTTPRoute' ? 'GRPCRoute' : 'HTTPRoute';
  const claims = l.claims[other];
  // Looked up first: at 5,000 routes of each kind, a scan per route was quadratic.
  if (!claimOverlaps(hosts, claims)) return undefined;
  for (const [claimed, key] of claims) if (hosts.some((h) => overlaps(h, claimed))) return { kind: other, key };
  return undefined;
}

/** Whether a host name of `hosts` overlaps one claimed in `claims` (overlaps below), by lookups where it can. */
export function claimOverlaps(hosts: readonly string[], claims: ReadonlyMap<string, string>): boolean {
  if (claims.size === 0) return false;
  if (claims.has('*') || claims.has('')) return true;
  for (const h of hosts) {
    if (h === '*' || h === '' || claims.has(h)) return true;
    // A wildcard covers names we cannot list: compare with every claim.
    if (h.startsWith('*.')) {
      for (const c of claims.keys()) if (overlaps(h, c)) return true;
      continue;
    }
    // The wildcard claims that would cover h: `*.` and each of its proper suffixes.
    for (let dot = h.indexOf('.'); dot >= 0; dot = h.indexOf('.', dot + 1)) if (dot > 0 && claims.has(`*${h.slice(dot)}`)) return true;
  }
  return false;
}

function overlaps(a: string, b: string): boolean {
  return a === '*' || b === '*' || covers(a, b) || covers(b, a);
}

/**
 * Whether attaching `route` can meet a host name held by a route of the other kind on a listener
 * of a Gateway it names (over-approximated: claims are never taken back). A patch that attaches
 * routes out of age order is exact only when none of them can.
 */
export function meetsOtherKind(route: RouteObject, gateways: ReadonlyMap<string, GatewayView>): boolean {
  const other: RouteKind = route.kind === 'HTTPRoute' ? 'GRPCRoute' : 'HTTPRoute';
  for (const ref of route.parentRefs) {
    if ((ref.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP || (ref.kind ?? 'Gateway') !== 'Gateway') continue;
    for (const l of gateways.get(`${ref.namespace ?? route.namespace}/${ref.name}`)?.listeners ?? []) {
      if (claimOverlaps(routeHostsOnListener(l.hostname, route.hostnames), l.claims[other])) return true;
    }
  }
  return false;
}

function namespaceAllowed(l: ServedListener, routeNamespace: string, ctx: AttachContext): boolean {
  return allowsNamespace(l.spec.allowedRoutes, l.gateway.metadata.namespace ?? 'default', routeNamespace, ctx.namespaces);
}

/** Whether a listener's allowedRoutes (of a Gateway in `gatewayNamespace`) lets in routes of `routeNamespace`. */
export function allowsNamespace(allowed: AllowedRoutes | undefined, gatewayNamespace: string, routeNamespace: string, namespaces: ReadonlyMap<string, Namespace>): boolean {
  const from = allowed?.namespaces?.from ?? 'Same';
  if (from === 'All') return true;
  if (from === 'Same') return routeNamespace === gatewayNamespace;
  // The API server labels every Namespace with its name; one without a document has only that label.
  const labels = { ...namespaces.get(routeNamespace)?.metadata.labels, [NAMESPACE_NAME_LABEL]: routeNamespace };
  return selectorMatches(allowed?.namespaces?.selector, labels);
}
