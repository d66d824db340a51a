// What `sluice check` finds wrong with a running gateway (pure, over a GatewayView), as glooctl
// check does for Gloo: rejected documents, objects not Ready or not Accepted (Gloo's Warning state
// included, as glooctl counts it), served clusters and Upstreams without endpoints. Function
// discovery still failing is a warning: routing does not wait for it.
import type { Condition } from '../api/types.ts';
import type { ObjectStatus } from '../snapshot/types.ts';
import { type GatewayView, placedRoutes, routeOwner } from './gateway-view.ts';
import { glooState } from './get-kinds.ts';

export interface CheckResult {
  readonly problems: readonly string[];
  readonly warnings: readonly string[];
  /** what was looked at, for the all-clear line */
  readonly counts: Readonly<Record<string, number>>;
}

const conditionsOf = (s: { conditions?: readonly Condition[] } | undefined): readonly Condition[] => s?.conditions ?? [];

/** `Type Status (Reason: message)` for each of `types` that is not True. */
function notTrue(conditions: readonly Condition[], types: readonly string[]): string[] {
  return types.flatMap((t) => {
    const c = conditions.find((x) => x.type === t);
    if (c === undefined) return [`${t} missing`];
    if (c.status === 'True') return [];
    return [`${t} ${c.status}${c.reason ? ` (${c.reason}${c.message ? `: ${c.message}` : ''})` : ''}`];
  });
}

const label = (s: ObjectStatus): string => `${s.kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name}`;

function gatewayApiProblems(view: GatewayView): string[] {
  const out: string[] = [];
  for (const s of view.status.gatewayClasses) for (const p of notTrue(conditionsOf(s.status as { conditions?: Condition[] }), ['Accepted'])) out.push(`${label(s)}: ${p}`);
  for (const s of view.status.gateways) {
    const st = s.status as { conditions?: Condition[]; listeners?: { name: string; conditions?: Condition[] }[] };
    for (const p of notTrue(conditionsOf(st), ['Accepted', 'Programmed'])) out.push(`${label(s)}: ${p}`);
    for (const l of st.listeners ?? []) for (const p of notTrue(conditionsOf(l), ['Accepted', 'Programmed', 'ResolvedRefs'])) out.push(`${label(s)} listener ${l.name}: ${p}`);
  }
  for (const s of view.status.routes) {
    const parents = (s.status as { parents?: { parentRef: { name: string }; conditions?: Condition[] }[] }).parents ?? [];
    if (parents.length === 0) out.push(`${label(s)}: attached to no parent`);
    for (const parent of parents) for (const p of notTrue(conditionsOf(parent), ['Accepted', 'ResolvedRefs'])) out.push(`${label(s)} on ${parent.parentRef.name}: ${p}`);
  }
  for (const s of view.status.trafficPolicies) {
    const ancestors = (s.status as { ancestors?: { ancestorRef: { kind: string; name: string }; conditions?: Condition[] }[] }).ancestors ?? [];
    for (const a of ancestors) for (const p of notTrue(conditionsOf(a), ['Accepted'])) out.push(`${label(s)} on ${a.ancestorRef.kind} ${a.ancestorRef.name}: ${p}`);
  }
  return out;
}

/** Served clusters without an endpoint, with the objects whose routes send to them. */
function emptyClusters(view: GatewayView): string[] {
  const users = new Map<string, Set<string>>();
  for (const p of placedRoutes(view.config)) {
    for (const s of p.route.splits) {
      if (s.cluster === undefined || s.weight === 0) continue;
      const o = routeOwner(p.route.ingress);
      const set = users.get(s.cluster) ?? new Set<string>();
      set.add(`${o.kind} ${o.namespace}/${o.name}`);
      users.set(s.cluster, set);
    }
  }
  return (view.config?.clusters ?? [])
    .filter((c) => c.endpoints.length === 0 && users.has(c.name))
    .map((c) => `cluster ${c.name}: no ready endpoints (requests get 503), used by ${[...users.get(c.name)!].sort().join(', ')}`);
}

export function checkGateway(view: GatewayView): CheckResult {
  const problems: string[] = [];
  const warnings: string[] = [];
  for (const r of view.status.rejected) {
    const where = `${r.file}${r.line !== undefined ? `:${r.line}` : ''}`;
    const what = r.kind ? ` ${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name ?? ''}` : '';
    for (const e of r.errors) problems.push(`rejected ${where}${what}: ${e.path ? `${e.path}: ` : ''}${e.message}`);
  }
  for (const i of view.status.ingresses) for (const p of notTrue(i.conditions, ['Ready'])) problems.push(`Ingress ${i.namespace}/${i.name}: ${p}`);
  problems.push(...gatewayApiProblems(view));
  for (const s of view.status.gloo) {
    const { state, reason } = glooState(s);
    if (state !== 'Accepted') problems.push(`${label(s)}: ${state}${reason ? ` (${reason})` : ''}`);
  }
  if (view.config === undefined) problems.push('no configuration served yet');
  problems.push(...emptyClusters(view));
  const served = new Set((view.config?.clusters ?? []).map((c) => c.name));
  for (const u of view.upstreams) {
    // A served one is listed above as its cluster, with the routes that use it.
    const unused = !served.has(`upstream:${u.namespace}/${u.name}`);
    if (u.type !== 'implicit' && u.type !== 'aws' && u.state === 'Accepted' && u.endpoints.length === 0 && unused) problems.push(`Upstream ${u.namespace}/${u.name}: no ready endpoints`);
    if (u.discovery?.state === 'failed') warnings.push(`Upstream ${u.namespace}/${u.name}: function discovery (${u.discovery.how}) failing${u.discovery.error ? `: ${u.discovery.error}` : ''}`);
  }
  const s = view.status;
  return {
    problems,
    warnings,
    counts: {
      ingresses: s.ingresses.length,
      gateways: s.gateways.length,
      routes: s.routes.length,
      'Gloo objects': s.gloo.length,
      'traffic policies': s.trafficPolicies.length,
      clusters: view.config?.clusters.length ?? 0,
    },
  };
}
