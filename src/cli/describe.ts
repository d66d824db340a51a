// `sluice describe KIND NAME`: one object of a running gateway in full (pure, over a GatewayView):
// its conditions, the routes it serves with their splits, the endpoints behind them, and the
// rejected documents that name it.
import type { UpstreamReport } from '../admin/upstreams.ts';
import type { Condition } from '../api/types.ts';
import type { ObjectStatus } from '../snapshot/types.ts';
import { conditionsSection, endpointsSection, errorsSection, fields, routesOf, routesSection, section } from './describe-sections.ts';
import type { GatewayView } from './gateway-view.ts';

/** The kinds describe knows, by get-kinds' KindSpec.kind. */
export const DESCRIBABLE = ['Ingress', 'GatewayClass', 'Gateway', 'HTTPRoute', 'GRPCRoute', 'VirtualService', 'RouteTable', 'Upstream', 'TrafficPolicy'] as const;
export type DescribableKind = (typeof DESCRIBABLE)[number];

/** The description, or undefined when the gateway has no such object. */
export function describe(view: GatewayView, kind: DescribableKind, namespace: string, name: string): string | undefined {
  switch (kind) {
    case 'Ingress':
      return describeIngress(view, namespace, name);
    case 'Upstream': {
      const u = view.upstreams.find((x) => x.namespace === namespace && x.name === name);
      return u && describeUpstream(view, u);
    }
    case 'GatewayClass':
    case 'Gateway':
    case 'HTTPRoute':
    case 'GRPCRoute':
    case 'TrafficPolicy': {
      const all = [...view.status.gatewayClasses, ...view.status.gateways, ...view.status.routes, ...view.status.trafficPolicies];
      const s = all.find((x) => x.kind === kind && x.name === name && (kind === 'GatewayClass' || x.namespace === namespace));
      return s && describeGatewayApi(view, s);
    }
    case 'VirtualService':
    case 'RouteTable': {
      const s = view.status.gloo.find((x) => x.kind === kind && x.namespace === namespace && x.name === name);
      return s && describeGloo(view, s);
    }
  }
}

function describeIngress(view: GatewayView, namespace: string, name: string): string | undefined {
  const i = view.status.ingresses.find((x) => x.namespace === namespace && x.name === name);
  if (i === undefined) return undefined;
  const info = view.config?.ingresses.find((x) => x.key === `${namespace}/${name}`);
  const routes = routesOf(view, `${namespace}/${name}`);
  const lb = (s: typeof i.publicLoadBalancer) => (s?.ingress ?? []).map((x) => x.domainInternal ?? x.domain ?? x.ip ?? '').join(',');
  return [
    fields([
      ['Name', name],
      ['Namespace', namespace],
      ['Kind', 'Ingress (networking.internal.knative.dev/v1alpha1)'],
      ['Generation', i.generation],
      ['Hash', i.hash],
      ['External hosts', info?.externalHosts.join(',')],
      ['Local hosts', info?.localHosts.join(',')],
      ['Public load balancer', lb(i.publicLoadBalancer)],
      ['Private load balancer', lb(i.privateLoadBalancer)],
    ]),
    conditionsSection(i.conditions),
    routesSection(view, routes),
    endpointsSection(view, routes),
    errorsSection(view.status.rejected, 'Ingress', namespace, name),
  ].join('');
}

type WithConditions = { conditions?: Condition[] };

function describeGatewayApi(view: GatewayView, s: ObjectStatus): string {
  const st = s.status as WithConditions & {
    addresses?: { value: string }[];
    listeners?: (WithConditions & { name: string; attachedRoutes?: number })[];
    parents?: (WithConditions & { parentRef: { name: string; namespace?: string; sectionName?: string } })[];
    ancestors?: (WithConditions & { ancestorRef: { kind: string; name: string } })[];
  };
  const parts = [
    fields([
      ['Name', s.name],
      ['Namespace', s.namespace],
      ['Kind', `${s.kind} (${s.apiVersion})`],
      ['Generation', s.generation],
      ['Addresses', st.addresses?.map((a) => a.value).join(',')],
    ]),
  ];
  if (st.conditions) parts.push(conditionsSection(st.conditions));
  if (st.listeners) {
    parts.push(section('Listeners', ['NAME', 'ATTACHED ROUTES', 'PROBLEMS'], st.listeners.map((l) => [l.name, String(l.attachedRoutes ?? 0), unhealthyList(l.conditions)])));
  }
  const refConditions = [
    ...(st.parents ?? []).map((p) => ({ ref: `Gateway ${p.parentRef.namespace ?? s.namespace}/${p.parentRef.name}${p.parentRef.sectionName ? ` (${p.parentRef.sectionName})` : ''}`, conditions: p.conditions ?? [] })),
    ...(st.ancestors ?? []).map((a) => ({ ref: `${a.ancestorRef.kind} ${s.namespace}/${a.ancestorRef.name}`, conditions: a.conditions ?? [] })),
  ];
  if (st.parents || st.ancestors) {
    parts.push(
      section(
        st.parents ? 'Parents' : 'Targets',
        [st.parents ? 'PARENT' : 'TARGET', 'TYPE', 'STATUS', 'REASON', 'MESSAGE'],
        refConditions.flatMap((r) => r.conditions.map((c) => [r.ref, c.type, c.status, c.reason ?? '', c.message ?? ''])),
      ),
    );
  }
  if (s.kind !== 'GatewayClass' && s.kind !== 'TrafficPolicy') {
    const routes = routesOf(view, `${s.kind} ${s.namespace}/${s.name}`);
    parts.push(routesSection(view, routes), endpointsSection(view, routes));
  }
  parts.push(errorsSection(view.status.rejected, s.kind, s.namespace, s.name));
  return parts.join('');
}

// Conditions whose healthy status is False (Gateway API "negative polarity" conditions).
const NEGATIVE = new Set(['Conflicted', 'OverlappingTLSConfig', 'Detached']);

/** The conditions in their unhealthy state, or `-`. */
const unhealthyList = (conditions: readonly Condition[] | undefined): string =>
  (conditions ?? [])
    .filter((c) => (NEGATIVE.has(c.type) ? c.status !== 'False' : c.status !== 'True'))
    .map((c) => `${c.type}=${c.status}(${c.reason ?? ''})`)
    .join(',') || '-';

function describeGloo(view: GatewayView, s: ObjectStatus): string {
  const statuses = (s.status as { statuses?: Record<string, { state?: string; reason?: string; messages?: string[]; reportedBy?: string }> }).statuses ?? {};
  const [writer, st] = Object.entries(statuses)[0] ?? ['', {}];
  const routes = routesOf(view, `${s.kind} ${s.namespace}/${s.name}`);
  return [
    fields([
      ['Name', s.name],
      ['Namespace', s.namespace],
      ['Kind', `${s.kind} (${s.apiVersion})`],
      ['Generation', s.generation],
      ['State', st.state ?? 'Pending'],
      ['Reported by', st.reportedBy ? `${st.reportedBy} (${writer})` : undefined],
    ]),
    section('Messages', ['MESSAGE'], (st.messages ?? []).map((m) => [m])),
    routesSection(view, routes),
    endpointsSection(view, routes),
    errorsSection(view.status.rejected, s.kind, s.namespace, s.name),
  ].join('');
}

function describeUpstream(view: GatewayView, u: UpstreamReport): string {
  const d = u.discovery;
  return [
    fields([
      ['Name', u.name],
      ['Namespace', u.namespace],
      ['Kind', u.type === 'implicit' ? 'Upstream (implicit: a Service port)' : 'Upstream (gloo.solo.io/v1)'],
      ['Type', u.type],
      ['State', u.state],
      ['Reason', u.reason],
      ['Service', u.service],
      ['Discovery', d ? `${d.how}: ${d.state}${d.attempts > 0 ? `, ${d.attempts} failed attempts` : ''}${d.error ? ` (${d.error})` : ''}` : undefined],
    ]),
    section('Endpoints', ['ADDRESS'], u.type === 'aws' ? [] : u.endpoints.map((e) => [`${e.address}:${e.port}`])),
    section('Functions', ['NAME', 'KIND', 'FOUND-BY'], u.functions.map((f) => [f.name, f.kind, f.foundBy])),
    errorsSection(view.status.rejected, 'Upstream', u.namespace, u.name),
  ].join('');
}
