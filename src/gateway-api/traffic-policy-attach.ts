// Attaches TrafficPolicies to the translated routes (pure): a policy targets an HTTPRoute or a
// GRPCRoute in its own namespace by `targetRefs` (GEP-713), and a Knative Ingress names one by its
// `sluice.dev/traffic-policy` annotation. Two policies on one target conflict: the oldest
// (creationTimestamp, then namespace/name) wins and the other is reported Conflicted, as GEP-713
// says. Not attachable yet, and reported as such: Gateway targets and sectionName (route rules).
// Routes keep their objects while their policy is unchanged, so the data plane's policy state
// (token buckets) survives unrelated edits.
import { hash } from 'node:crypto';
import type { KIngress, Sourced } from '../api/types.ts';
import type { ObjectStatus, Route, SnapshotContent, TrafficPolicies, TranslateResult, VirtualHost } from '../snapshot/types.ts';
import { condition, type GatewayCondition, generationOf } from './conditions.ts';
import { CONTROLLER_NAME } from './types.ts';
import { policiesOf, policyFilters } from './traffic-policy-ir.ts';
import { type PolicyTargetRef, SLUICE_API_V1ALPHA1, TRAFFIC_POLICY_ANNOTATION, type TrafficPolicy } from './traffic-policy-types.ts';

const irOf = new WeakMap<TrafficPolicy, TrafficPolicies>();
const attached = new WeakMap<Route, { readonly policies: TrafficPolicies; readonly route: Route }>();

function policiesFor(p: TrafficPolicy): TrafficPolicies {
  let ir = irOf.get(p);
  if (ir === undefined) irOf.set(p, (ir = policiesOf(p)));
  return ir;
}

const keyOf = (p: TrafficPolicy): string => `${p.metadata.namespace ?? 'default'}/${p.metadata.name}`;

// GEP-713: the oldest policy wins a conflict; ties by namespace/name.
function older(a: TrafficPolicy, b: TrafficPolicy): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  return keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0;
}

interface Outcome {
  /** route owner key (Route.ingress) -> the winning policy */
  readonly winners: Map<string, TrafficPolicy>;
  readonly statuses: ObjectStatus[];
}

function settle(policies: ReadonlyMap<string, TrafficPolicy>, ingresses: ReadonlyMap<string, Sourced<KIngress>>): Outcome {
  const claims = new Map<string, TrafficPolicy[]>();
  const claim = (owner: string, p: TrafficPolicy): void => {
    const list = claims.get(owner);
    if (list === undefined) claims.set(owner, [p]);
    else list.push(p);
  };
  for (const { resource } of ingresses.values()) {
    const name = resource.metadata.annotations?.[TRAFFIC_POLICY_ANNOTATION];
    const p = name === undefined ? undefined : policies.get(`${resource.metadata.namespace ?? 'default'}/${name}`);
    if (p !== undefined) claim(`${resource.metadata.namespace ?? 'default'}/${resource.metadata.name}`, p);
  }
  const sorted = [...policies.values()].sort(older);
  for (const p of sorted) for (const ref of p.spec.targetRefs ?? []) if (attachable(ref)) claim(ownerKey(p, ref), p);
  const winners = new Map<string, TrafficPolicy>();
  for (const [owner, list] of claims) winners.set(owner, list.sort(older)[0]!);
  const statuses = sorted.map((p) => statusOf(p, winners));
  return { winners, statuses };
}

const attachable = (ref: PolicyTargetRef): boolean => (ref.kind === 'HTTPRoute' || ref.kind === 'GRPCRoute') && ref.sectionName === undefined;
const ownerKey = (p: TrafficPolicy, ref: PolicyTargetRef): string => `${ref.kind} ${p.metadata.namespace ?? 'default'}/${ref.name}`;

function statusOf(p: TrafficPolicy, winners: ReadonlyMap<string, TrafficPolicy>): ObjectStatus {
  const gen = generationOf(p.metadata);
  const ancestors = (p.spec.targetRefs ?? []).map((ref) => {
    let c: GatewayCondition;
    if (!attachable(ref)) c = condition('Accepted', false, 'TargetNotFound', `${ref.kind}${ref.sectionName === undefined ? '' : ` sectionName`} targets are not supported yet`, gen);
    else {
      const w = winners.get(ownerKey(p, ref));
      c = w === p ? condition('Accepted', true, 'Accepted', 'attached', gen) : condition('Accepted', false, 'Conflicted', `${ref.kind} ${ref.name} already has TrafficPolicy ${w === undefined ? '?' : keyOf(w)} (older)`, gen);
    }
    return { ancestorRef: { ...ref, namespace: p.metadata.namespace ?? 'default' }, controllerName: CONTROLLER_NAME, conditions: [c] };
  });
  return { apiVersion: SLUICE_API_V1ALPHA1, kind: 'TrafficPolicy', namespace: p.metadata.namespace ?? 'default', name: p.metadata.name, generation: gen, status: { ancestors } };
}

function withPolicies(route: Route, policies: TrafficPolicies): Route {
  const had = attached.get(route);
  if (had !== undefined && had.policies === policies) return had.route;
  // Retries and timeouts are the route's own fields (every consumer reads them there): the policy's replace them.
  const timeout = policies.timeout === undefined ? route.timeout : Object.freeze({ ...route.timeout, ...policies.timeout });
  const out = Object.freeze({ ...route, policies, filters: policyFilters(route, policies), ...(policies.retry !== undefined && { retry: policies.retry }), ...(timeout !== undefined && { timeout }) });
  attached.set(route, { policies, route: out });
  return out;
}

function hosts(list: readonly VirtualHost[], winners: ReadonlyMap<string, TrafficPolicy>): readonly VirtualHost[] {
  let changed = false;
  const out = list.map((vh) => {
    let touched = false;
    const routes = vh.routes.map((r) => {
      const p = winners.get(r.ingress);
      if (p === undefined) return r;
      touched = true;
      return withPolicies(r, policiesFor(p));
    });
    if (!touched) return vh;
    changed = true;
    return Object.freeze({ ...vh, routes });
  });
  return changed ? out : list;
}

/** The translation with TrafficPolicies attached to the routes they target, and their statuses. */
export function attachTrafficPolicies(result: TranslateResult, policies: ReadonlyMap<string, TrafficPolicy>, ingresses: ReadonlyMap<string, Sourced<KIngress>>): TranslateResult {
  if (policies.size === 0) return result;
  const { winners, statuses } = settle(policies, ingresses);
  const s = result.snapshot;
  const snapshot: SnapshotContent = Object.freeze({
    ...s,
    listeners: Object.freeze({ external: hosts(s.listeners.external, winners), local: hosts(s.listeners.local, winners) }),
    ports: s.ports.map((p) => {
      const vhs = hosts(p.virtualHosts, winners);
      return vhs === p.virtualHosts ? p : Object.freeze({ ...p, virtualHosts: vhs });
    }),
    // The policies are part of what is served: a policy edit must change the hash.
    hash: hash('sha256', `${s.hash}\n${JSON.stringify([...winners].map(([o, p]) => [o, keyOf(p), p.spec]).sort())}`, 'hex'),
  });
  const objectStatuses = [...(result.objectStatuses ?? []), ...statuses];
  // The list diffs compared the routes before policies were attached; consumers compare instead.
  const { diffs: _dropped, ...rest } = result;
  return Object.freeze({ ...rest, snapshot, objectStatuses });
}
