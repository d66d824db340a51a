// Attaches TrafficPolicies to the translated routes (pure). A policy targets, in its own namespace,
// a Gateway (every route attached to it), one Gateway listener (`sectionName`), an HTTPRoute or
// GRPCRoute, or one of their rules by name (`sectionName`), by `targetRefs` (GEP-713, GEP-2648); a
// Knative Ingress names one by its `sluice.dev/traffic-policy` annotation (a route-level target).
// Each route gets the policy of its most specific target (traffic-policy-targets.ts: rule, route,
// listener, Gateway), whole. Two policies on one target conflict: the oldest (creationTimestamp, then
// namespace/name) wins and the other is reported Conflicted, as GEP-713 says; a target that does not
// exist is TargetNotFound. Routes keep their objects while their policy is unchanged, so the data
// plane's policy state (token buckets) survives unrelated edits.
import { hash } from 'node:crypto';
import type { ObjectStatus, Route, SnapshotContent, TrafficPolicies, TranslateResult, VirtualHost } from '../snapshot/types.ts';
import { mapRoutes } from '../snapshot/map-routes.ts';
import { condition, type GatewayCondition, generationOf } from './conditions.ts';
import { CONTROLLER_NAME } from './types.ts';
import { policiesOf, policyFilters } from './traffic-policy-ir.ts';
import { missingTarget, parentRefsLookup, type PolicyInputs, targetOf, targetsOf } from './traffic-policy-targets.ts';
import { SLUICE_API_V1ALPHA1, TRAFFIC_POLICY_ANNOTATION, type TrafficPolicy } from './traffic-policy-types.ts';

const irOf = new WeakMap<TrafficPolicy, TrafficPolicies>();
/** a route object -> its copies with policies (one per policy set it got; a few at most) */
const attached = new WeakMap<Route, Map<TrafficPolicies, Route>>();
const MAX_COPIES = 4;

function policiesFor(p: TrafficPolicy): TrafficPolicies {
  let ir = irOf.get(p);
  if (ir === undefined) irOf.set(p, (ir = policiesOf(p)));
  return ir;
}

const nsOf = (p: TrafficPolicy): string => p.metadata.namespace ?? 'default';
const keyOf = (p: TrafficPolicy): string => `${nsOf(p)}/${p.metadata.name}`;

// GEP-713: the oldest policy wins a conflict; ties by namespace/name.
function older(a: TrafficPolicy, b: TrafficPolicy): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  return keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0;
}

interface Outcome {
  /** target key -> the winning policy (oldest first claims it) */
  readonly winners: Map<string, TrafficPolicy>;
  /** whether any policy holds a Gateway or a listener (only then are parentRefs read) */
  readonly wide: boolean;
  readonly statuses: ObjectStatus[];
}

function settle(policies: ReadonlyMap<string, TrafficPolicy>, set: PolicyInputs): Outcome {
  const sorted = [...policies.values()].sort(older);
  const winners = new Map<string, TrafficPolicy>();
  const claim = (key: string, p: TrafficPolicy): void => {
    const had = winners.get(key);
    if (had === undefined || older(p, had) < 0) winners.set(key, p);
  };
  for (const { resource } of set.ingresses.values()) {
    const name = resource.metadata.annotations?.[TRAFFIC_POLICY_ANNOTATION];
    const ns = resource.metadata.namespace ?? 'default';
    const p = name === undefined ? undefined : policies.get(`${ns}/${name}`);
    if (p !== undefined) claim(`${ns}/${resource.metadata.name}`, p);
  }
  let wide = false;
  for (const p of sorted) {
    for (const ref of p.spec.targetRefs ?? []) {
      if (missingTarget(set, nsOf(p), ref) !== undefined) continue;
      const t = targetOf(nsOf(p), ref);
      claim(t.key, p);
      if (t.level === 'gateway' || t.level === 'listener') wide = true;
    }
  }
  return { winners, wide, statuses: sorted.map((p) => statusOf(p, winners, set)) };
}

function statusOf(p: TrafficPolicy, winners: ReadonlyMap<string, TrafficPolicy>, set: PolicyInputs): ObjectStatus {
  const gen = generationOf(p.metadata);
  const ancestors = (p.spec.targetRefs ?? []).map((ref) => {
    const missing = missingTarget(set, nsOf(p), ref);
    let c: GatewayCondition;
    if (missing !== undefined) c = condition('Accepted', false, 'TargetNotFound', missing, gen);
    else {
      const w = winners.get(targetOf(nsOf(p), ref).key);
      const what = `${ref.kind} ${ref.name}${ref.sectionName === undefined ? '' : ` (${ref.sectionName})`}`;
      c = w === p ? condition('Accepted', true, 'Accepted', 'attached', gen) : condition('Accepted', false, 'Conflicted', `${what} already has TrafficPolicy ${w === undefined ? '?' : keyOf(w)} (older)`, gen);
    }
    return { ancestorRef: { ...ref, namespace: nsOf(p) }, controllerName: CONTROLLER_NAME, conditions: [c] };
  });
  return { apiVersion: SLUICE_API_V1ALPHA1, kind: 'TrafficPolicy', namespace: nsOf(p), name: p.metadata.name, generation: gen, status: { ancestors } };
}

/** The policy of the route's most specific target; among several Gateways at one level, the oldest. */
function winnerFor(levels: readonly (readonly string[])[], winners: ReadonlyMap<string, TrafficPolicy>): TrafficPolicy | undefined {
  for (const keys of levels) {
    let best: TrafficPolicy | undefined;
    for (const k of keys) {
      const p = winners.get(k);
      if (p !== undefined && (best === undefined || older(p, best) < 0)) best = p;
    }
    if (best !== undefined) return best;
  }
  return undefined;
}

function withPolicies(route: Route, policies: TrafficPolicies): Route {
  let copies = attached.get(route);
  const had = copies?.get(policies);
  if (had !== undefined) return had;
  // Retries and timeouts are the route's own fields (every consumer reads them there): the policy's replace them.
  const timeout = policies.timeout === undefined ? route.timeout : Object.freeze({ ...route.timeout, ...policies.timeout });
  const out = Object.freeze({ ...route, policies, filters: policyFilters(route, policies), ...(policies.retry !== undefined && { retry: policies.retry }), ...(timeout !== undefined && { timeout }) });
  if (copies === undefined) attached.set(route, (copies = new Map()));
  // Edited policies leave old copies behind: keep the last few only.
  if (copies.size >= MAX_COPIES) copies.delete(copies.keys().next().value!);
  copies.set(policies, out);
  return out;
}

interface Attacher {
  readonly winners: ReadonlyMap<string, TrafficPolicy>;
  readonly wide: boolean;
  readonly parents: ReturnType<typeof parentRefsLookup>;
}

/** The route under the policy that wins for it, or the route itself. */
function attach(r: Route, vh: VirtualHost, a: Attacher): Route {
  const p = winnerFor(targetsOf(r, vh, a.parents, a.wide), a.winners);
  return p === undefined ? r : withPolicies(r, policiesFor(p));
}

/** The translation with TrafficPolicies attached to the routes they reach, and their statuses. */
export function attachTrafficPolicies(result: TranslateResult, set: PolicyInputs): TranslateResult {
  const policies = set.trafficPolicies;
  if (policies === undefined || policies.size === 0) return result;
  const { winners, wide, statuses } = settle(policies, set);
  const a: Attacher = { winners, wide, parents: parentRefsLookup(set) };
  const s = result.snapshot;
  const snapshot: SnapshotContent = Object.freeze({
    ...s,
    ...mapRoutes(s, (r, vh) => attach(r, vh, a)),
    // The policies are part of what is served: a policy edit must change the hash.
    hash: hash('sha256', `${s.hash}\n${JSON.stringify([...winners].map(([o, p]) => [o, keyOf(p), p.spec]).sort())}`, 'hex'),
  });
  const objectStatuses = [...(result.objectStatuses ?? []), ...statuses];
  // The list diffs compared the routes before policies were attached; consumers compare instead.
  const { diffs: _dropped, ...rest } = result;
  return Object.freeze({ ...rest, snapshot, objectStatuses });
}
