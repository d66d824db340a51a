// Every configuration object with a status, in one shape for the status page: Knative Ingresses,
// Gateway API GatewayClasses, Gateways, HTTPRoutes, GRPCRoutes and TrafficPolicies, Gloo kinds
// (VirtualService, RouteTable, Gateway, Upstream, UpstreamGroup). Pure.
import type { IngressStatusReport, ObjectStatus } from '../snapshot/types.ts';

export interface UiCondition {
  /** for a route's or policy's parents: the parent it is about (`Gateway default/web`) */
  readonly scope?: string;
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
}

export interface UiObject {
  /** the API group (`networking.internal.knative.dev`, `gateway.networking.k8s.io`, `gloo.solo.io`, ...) */
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** `Ready`, `NotReady`, `Warning` (Gloo) or `Unknown` */
  readonly state: 'Ready' | 'NotReady' | 'Warning' | 'Unknown';
  /** why it is not Ready: the first failing condition's reason and message */
  readonly reason?: string;
  readonly conditions: readonly UiCondition[];
}

/** Gateway API conditions whose True is the bad case (negative polarity). */
const NEGATIVE = new Set(['Conflicted', 'OverlappingTLSConfig', 'PartiallyInvalid']);

export function uiObjects(ingresses: readonly IngressStatusReport[], objects: readonly ObjectStatus[]): UiObject[] {
  const out: UiObject[] = ingresses.map((i) => judge(KNATIVE, 'Ingress', i.namespace, i.name, i.conditions.map((c) => ({ type: c.type, status: c.status, reason: c.reason, message: c.message }))));
  for (const o of objects) out.push(isGloo(o) ? gloo(o) : judge(groupOf(o.apiVersion), o.kind, o.namespace, o.name, conditionsOf(o.status)));
  return out.sort((a, b) => a.kind.localeCompare(b.kind) || a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}

const KNATIVE = 'networking.internal.knative.dev';

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

function isGloo(o: ObjectStatus): boolean {
  return o.apiVersion.startsWith('gateway.solo.io/') || o.apiVersion.startsWith('gloo.solo.io/');
}

/** Conditions of a Gateway API status: its own, and those under each parent (routes) or ancestor (policies). */
function conditionsOf(status: Readonly<Record<string, unknown>>): UiCondition[] {
  const out: UiCondition[] = [...list(status.conditions)];
  for (const field of ['parents', 'ancestors'] as const) {
    const entries = status[field];
    if (!Array.isArray(entries)) continue;
    for (const e of entries as Array<Record<string, unknown>>) {
      const ref = (e.parentRef ?? e.ancestorRef) as Record<string, unknown> | undefined;
      const scope = ref === undefined ? undefined : `${String(ref.kind ?? 'Gateway')} ${ref.namespace === undefined ? '' : `${String(ref.namespace)}/`}${String(ref.name ?? '')}${ref.sectionName === undefined ? '' : `/${String(ref.sectionName)}`}`;
      out.push(...list(e.conditions).map((c) => ({ ...c, ...(scope !== undefined && { scope }) })));
    }
  }
  return out;
}

function list(value: unknown): UiCondition[] {
  if (!Array.isArray(value)) return [];
  return (value as Array<Record<string, unknown>>).map((c) => ({
    type: String(c.type ?? ''),
    status: String(c.status ?? 'Unknown'),
    ...(typeof c.reason === 'string' && { reason: c.reason }),
    ...(typeof c.message === 'string' && { message: c.message }),
  }));
}

function judge(group: string, kind: string, namespace: string, name: string, conditions: UiCondition[]): UiObject {
  if (conditions.length === 0) return { group, kind, namespace, name, state: 'Unknown', conditions };
  const ready = conditions.find((c) => c.type === 'Ready' && c.scope === undefined);
  // Knative's Ready sums up the others; Gateway API objects are ready when every condition is good.
  const failing = ready !== undefined ? (ready.status === 'True' ? undefined : ready) : conditions.find((c) => (NEGATIVE.has(c.type) ? c.status !== 'False' : c.status !== 'True'));
  if (failing === undefined) return { group, kind, namespace, name, state: 'Ready', conditions };
  const why = [failing.scope, `${failing.type} ${failing.status}`, failing.reason, failing.message].filter((x) => x !== undefined && x !== '').join(': ');
  return { group, kind, namespace, name, state: failing.status === 'Unknown' ? 'Unknown' : 'NotReady', reason: why, conditions };
}

/** Gloo's status: `statuses.<namespace>.state` Accepted, Warning or Rejected, with a reason. */
function gloo(o: ObjectStatus): UiObject {
  const statuses = (o.status.statuses ?? {}) as Record<string, { state?: string; reason?: string }>;
  const first = Object.values(statuses)[0];
  const state = first?.state ?? 'Unknown';
  const conditions: UiCondition[] = first === undefined ? [] : [{ type: 'State', status: state, ...(first.reason !== undefined && { reason: first.reason }) }];
  const base = { group: groupOf(o.apiVersion), kind: o.kind, namespace: o.namespace, name: o.name, conditions };
  if (state === 'Accepted') return { ...base, state: 'Ready' };
  if (state === 'Warning') return { ...base, state: 'Warning', ...(first?.reason !== undefined && { reason: first.reason }) };
  return { ...base, state: state === 'Rejected' ? 'NotReady' : 'Unknown', ...(first?.reason !== undefined && { reason: `${state}: ${first.reason}` }) };
}
