// What a TrafficPolicy's targetRef names (GEP-713; sectionName per GEP-2648: a route rule by its
// `name`, a Gateway listener by its `name`), how specific it is, whether it exists, and which
// targets reach a translated route. Pure: reads the ResourceSet and the IR, nothing else.
import type { Route, VirtualHost } from '../snapshot/types.ts';
import type { ResourceSet } from '../store/types.ts';
import type { ParentReference } from './route-types.ts';
import type { PolicyTargetRef } from './traffic-policy-types.ts';
import { GATEWAY_GROUP } from './types.ts';

/**
 * Most specific first: a route rule, a route (or a Knative Ingress by annotation), a Gateway
 * listener, a Gateway. A more specific policy replaces a wider one whole, fields and all, as Envoy
 * Gateway does for its traffic policies (without `mergeType`).
 */
export const LEVELS = ['rule', 'route', 'listener', 'gateway'] as const;
export type Level = (typeof LEVELS)[number];

export interface Target {
  /** `HTTPRoute ns/name#rule`, `HTTPRoute ns/name`, `Gateway ns/name/listener`, `Gateway ns/name` */
  readonly key: string;
  readonly level: Level;
}

export function targetOf(namespace: string, ref: PolicyTargetRef): Target {
  const base = `${ref.kind} ${namespace}/${ref.name}`;
  if (ref.kind === 'Gateway') return ref.sectionName === undefined ? { key: base, level: 'gateway' } : { key: `${base}/${ref.sectionName}`, level: 'listener' };
  return ref.sectionName === undefined ? { key: base, level: 'route' } : { key: `${base}#${ref.sectionName}`, level: 'rule' };
}

/** Why the target is not there, or undefined when it is. */
export function missingTarget(set: PolicyInputs, namespace: string, ref: PolicyTargetRef): string | undefined {
  const key = `${namespace}/${ref.name}`;
  if (ref.kind === 'Gateway') {
    const g = set.gateways.get(key);
    if (g === undefined) return `Gateway ${key} not found`;
    if (ref.sectionName !== undefined && !listOf(g.spec?.listeners).some((l) => l?.name === ref.sectionName)) return `Gateway ${key} has no listener ${ref.sectionName}`;
    return undefined;
  }
  const r = ref.kind === 'HTTPRoute' ? set.httpRoutes.get(key) : set.grpcRoutes.get(key);
  if (r === undefined) return `${ref.kind} ${key} not found`;
  const rules = listOf<{ name?: unknown } | undefined>(r.spec?.rules);
  if (ref.sectionName !== undefined && !rules.some((rule) => rule?.name === ref.sectionName)) return `${ref.kind} ${key} has no rule named ${ref.sectionName}`;
  return undefined;
}

/** What attaching TrafficPolicies reads of a ResourceSet. */
export type PolicyInputs = Pick<ResourceSet, 'trafficPolicies' | 'ingresses' | 'gateways' | 'httpRoutes' | 'grpcRoutes'>;

const listOf = <T>(v: readonly T[] | undefined): readonly T[] => (Array.isArray(v) ? v : []);

/** The parentRefs of the Gateway API route a translated route came from (by Route.ingress), memoised per call. */
export function parentRefsLookup(set: PolicyInputs): (owner: string) => readonly ParentReference[] {
  const memo = new Map<string, readonly ParentReference[]>();
  return (owner) => {
    let refs = memo.get(owner);
    if (refs !== undefined) return refs;
    const space = owner.indexOf(' ');
    const kind = owner.slice(0, space);
    const key = owner.slice(space + 1);
    const r = kind === 'HTTPRoute' ? set.httpRoutes.get(key) : kind === 'GRPCRoute' ? set.grpcRoutes.get(key) : undefined;
    refs = listOf(r?.spec?.parentRefs);
    memo.set(owner, refs);
    return refs;
  };
}

/**
 * The target keys that reach `route` on `vh`, by level (LEVELS' order). A Gateway or listener reaches
 * the route when the virtual host holds that listener's routes and one of the route's parentRefs
 * names the Gateway (and that listener, when it names one).
 */
export function targetsOf(route: Route, vh: VirtualHost, parents: (owner: string) => readonly ParentReference[], wide: boolean): readonly (readonly string[])[] {
  const rule = route.rule === undefined ? [] : [`${route.ingress}#${route.rule}`];
  if (!wide || vh.listeners === undefined) return [rule, [route.ingress], [], []];
  const space = route.ingress.indexOf(' ');
  const routeNamespace = route.ingress.slice(space + 1, route.ingress.indexOf('/', space));
  const refs = parents(route.ingress);
  const listeners: string[] = [];
  const gateways = new Set<string>();
  for (const id of vh.listeners) {
    const cut = id.indexOf('/', id.indexOf('/') + 1);
    const gatewayKey = id.slice(0, cut);
    const listener = id.slice(cut + 1);
    const via = refs.some(
      (p) =>
        (p.group ?? GATEWAY_GROUP) === GATEWAY_GROUP &&
        (p.kind ?? 'Gateway') === 'Gateway' &&
        `${p.namespace ?? routeNamespace}/${p.name}` === gatewayKey &&
        (p.sectionName === undefined || p.sectionName === listener),
    );
    if (!via) continue;
    listeners.push(`Gateway ${id}`);
    gateways.add(`Gateway ${gatewayKey}`);
  }
  return [rule, [route.ingress], listeners, [...gateways]];
}
