// A Gateway edited at 10,000 routes: which of its listeners the routes attached through them may
// keep, and which routes may attach otherwise. A listener that attaches as before (same name,
// port, hostname, kinds, state) stays the object the routes' attachments point at and takes the
// fresh resolution's other fields (spec, conditions, certificates); only the routes a new, gone or
// re-allowed listener may take (or leave) are attached again (translate.ts patchGatewayApi).
import { isDeepStrictEqual } from 'node:util';
import { allowsNamespace } from './attach.ts';
import type { GatewayView, ServedListener } from './gateways.ts';
import { routeHostsOnListener } from './hostnames.ts';
import { GATEWAY_GROUP, type AllowedRoutes, type GRPCRoute, type HTTPRoute, type Namespace } from './types.ts';

export interface GatewayChange {
  /** `namespace/name` */
  readonly key: string;
  /** every route naming the Gateway may attach otherwise (listeners reordered, or named twice) */
  readonly whole: boolean;
  /** listeners of the new view kept from the old one (the routes' attachments still point at them) */
  readonly kept: readonly ServedListener[];
  /** listeners new, or changed in what attachment reads */
  readonly added: readonly ServedListener[];
  /** listeners gone, or replaced by an added one */
  readonly removed: readonly ServedListener[];
  /** kept listeners whose allowedRoutes changed, with the allowedRoutes they had */
  readonly reallowed: readonly { readonly listener: ServedListener; readonly before: AllowedRoutes | undefined }[];
}

type Carried = { -readonly [K in keyof ServedListener]: ServedListener[K] };

// Everything attachment (attach.ts) and the route index read of a listener but allowedRoutes.
function attachesAlike(a: ServedListener, b: ServedListener): boolean {
  return (
    a.spec.port === b.spec.port &&
    a.hostname === b.hostname &&
    a.accepted === b.accepted &&
    a.programmed === b.programmed &&
    a.portName === b.portName &&
    a.bindAddress === b.bindAddress &&
    a.bindPort === b.bindPort &&
    a.kinds.length === b.kinds.length &&
    a.kinds.every((k, i) => b.kinds[i] === k)
  );
}

const unique = (ls: readonly ServedListener[]): boolean => new Set(ls.map((l) => l.spec.name)).size === ls.length;

/**
 * The view of `fresh` (Gateway `had.key` resolved again) in which every listener that attaches as
 * before is `had`'s object, updated in place with the fresh fields; and what changed. `had` is used up.
 */
export function carryListeners(had: GatewayView, fresh: GatewayView): { view: GatewayView; change: GatewayChange } {
  const whole = { key: fresh.key, whole: true, kept: [], added: fresh.listeners, removed: had.listeners, reallowed: [] };
  if (!unique(had.listeners) || !unique(fresh.listeners)) return { view: fresh, change: whole };
  const before = new Map(had.listeners.map((l, i) => [l.spec.name, { l, i }]));
  const pairs = fresh.listeners.map((m) => {
    const old = before.get(m.spec.name);
    return old !== undefined && attachesAlike(old.l, m) ? old : undefined;
  });
  // Kept listeners in another order would order a route's attachments otherwise.
  const order = pairs.flatMap((p) => (p === undefined ? [] : [p.i]));
  if (order.some((i, k) => k > 0 && i < (order[k - 1] as number))) return { view: fresh, change: whole };
  const kept: ServedListener[] = [];
  const added: ServedListener[] = [];
  const reallowed: { listener: ServedListener; before: AllowedRoutes | undefined }[] = [];
  const listeners = fresh.listeners.map((m, i) => {
    const old = pairs[i];
    if (old === undefined) {
      added.push(m);
      return m;
    }
    const allowedBefore = old.l.spec.allowedRoutes;
    const l = old.l as Carried;
    l.gateway = m.gateway;
    l.spec = m.spec;
    l.index = m.index;
    l.kinds = m.kinds;
    l.certificates = m.certificates;
    l.conditions = m.conditions;
    if (m.clientValidation === undefined) delete l.clientValidation;
    else l.clientValidation = m.clientValidation;
    if (!isDeepStrictEqual(allowedBefore, m.spec.allowedRoutes)) reallowed.push({ listener: l, before: allowedBefore });
    kept.push(l);
    return l;
  });
  const removed = had.listeners.filter((l) => !kept.includes(l));
  return { view: { ...fresh, listeners }, change: { key: fresh.key, whole: false, kept, added, removed, reallowed } };
}

/**
 * Whether a route may attach to the changed Gateway otherwise than before: some parentRef naming
 * it selects a listener added or gone that would take the route (kind, namespace, a host name in
 * common), or one whose allowedRoutes now answer otherwise for the route's namespace, or selects
 * only changed listeners (then which problem is reported may change). Otherwise every listener the
 * route went through is kept and no other takes it: its attachments and status stay as they are.
 * Made once per change: what allowedRoutes answer is kept per namespace (10,000 routes, 100 namespaces).
 */
export function attachmentMayChange(change: GatewayChange, namespaces: ReadonlyMap<string, Namespace>): (route: HTTPRoute | GRPCRoute) => boolean {
  if (change.whole) return () => true;
  const moved = [...change.added, ...change.removed];
  // what a listener's allowedRoutes (before or after) answer, by the listener's place in the change and namespace
  const answers = new Map<string, boolean>();
  const allows = (l: ServedListener, allowed: AllowedRoutes | undefined, ns: string, memo: string): boolean => {
    const k = `${memo}\0${ns}`;
    let a = answers.get(k);
    if (a === undefined) answers.set(k, (a = allowsNamespace(allowed, l.gateway.metadata.namespace ?? 'default', ns, namespaces)));
    return a;
  };
  return (route) => {
    const ns = route.metadata.namespace ?? 'default';
    const kind = route.kind;
    for (const ref of route.spec.parentRefs ?? []) {
      if ((ref.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP || (ref.kind ?? 'Gateway') !== 'Gateway' || `${ref.namespace ?? ns}/${ref.name}` !== change.key) continue;
      const named = (l: ServedListener): boolean => (ref.sectionName === undefined || l.spec.name === ref.sectionName) && (ref.port === undefined || l.spec.port === ref.port);
      let touched = false;
      for (let i = 0; i < moved.length; i++) {
        const l = moved[i] as ServedListener;
        if (!named(l)) continue;
        if (l.accepted && l.kinds.includes(kind) && allows(l, l.spec.allowedRoutes, ns, `m${i}`) && routeHostsOnListener(l.hostname, route.spec.hostnames).length > 0) return true;
        touched = true;
      }
      for (let i = 0; i < change.reallowed.length; i++) {
        const { listener, before } = change.reallowed[i] as GatewayChange['reallowed'][number];
        if (named(listener) && allows(listener, before, ns, `b${i}`) !== allows(listener, listener.spec.allowedRoutes, ns, `a${i}`)) return true;
      }
      if (touched && !change.kept.some((l, i) => named(l) && l.accepted && l.kinds.includes(kind) && allows(l, l.spec.allowedRoutes, ns, `k${i}`))) return true;
    }
    return false;
  };
}
