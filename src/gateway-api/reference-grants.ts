// ReferenceGrant (v1 and v1beta1 alike): a reference to an object in another namespace is allowed
// only when a grant in the target's namespace lists the referrer's group, kind and namespace in
// `from` and the target's group, kind (and name, when given) in `to`. A reference within one
// namespace needs no grant. Used for routes -> Services (gwroutes' RuleContext.refAllowed) and
// Gateways -> Secrets (listener certificateRefs).
import type { ReferenceGrant } from './types.ts';

export interface RefFrom {
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
}

export interface RefTo {
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

/** The grants by the namespace they grant access into (their own). */
export type GrantIndex = ReadonlyMap<string, readonly ReferenceGrant[]>;

export function indexGrants(grants: Iterable<ReferenceGrant>): GrantIndex {
  const out = new Map<string, ReferenceGrant[]>();
  for (const g of grants) {
    const ns = g.metadata.namespace ?? 'default';
    const list = out.get(ns);
    if (list === undefined) out.set(ns, [g]);
    else list.push(g);
  }
  return out;
}

const indexed = new WeakMap<object, GrantIndex>();

/** The index of a ResourceSet's grants map, built once per map (the route rules cache asks per route). */
export function grantIndexOf(grants: ReadonlyMap<string, ReferenceGrant>): GrantIndex {
  let index = indexed.get(grants);
  if (index === undefined) indexed.set(grants, (index = indexGrants(grants.values())));
  return index;
}

/**
 * What a grant can allow, as `fromKind fromNamespace toNamespace` (the crossings a route records,
 * crossingKey): the routes whose references a change of it may allow or refuse.
 */
export function grantScopes(g: ReferenceGrant): string[] {
  const to = g.metadata.namespace ?? 'default';
  return g.spec.from.map((f) => crossingKey(f.kind, f.namespace, to));
}

export const crossingKey = (fromKind: string, fromNamespace: string, toNamespace: string): string => `${fromKind} ${fromNamespace} ${toNamespace}`;

export function refAllowed(grants: GrantIndex, from: RefFrom, to: RefTo): boolean {
  if (from.namespace === to.namespace) return true;
  for (const g of grants.get(to.namespace) ?? []) {
    const fromOk = g.spec.from.some((f) => f.group === from.group && f.kind === from.kind && f.namespace === from.namespace);
    if (!fromOk) continue;
    if (g.spec.to.some((t) => t.group === to.group && t.kind === to.kind && (t.name === undefined || t.name === '' || t.name === to.name))) return true;
  }
  return false;
}
