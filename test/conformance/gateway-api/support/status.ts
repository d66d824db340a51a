// conformance/utils/kubernetes/helpers.go, reading the admin `GET /status` instead of the API
// server: each entry is `{apiVersion, kind, namespace, name, generation, status}`, `status` being
// what Sluice would write in Kubernetes. Every wait polls every 100 ms up to its bound, as
// wait.PollUntilContextTimeout does with DefaultPollInterval.
import type { ConformanceSuite } from './suite.ts';

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  observedGeneration?: number;
}

export interface ParentReference {
  group?: string;
  kind?: string;
  namespace?: string;
  name: string;
  sectionName?: string;
  port?: number;
}

export interface RouteParentStatus {
  parentRef: ParentReference;
  controllerName: string;
  conditions: Condition[];
}

export interface ListenerStatus {
  name: string;
  supportedKinds: Array<{ group?: string; kind: string }>;
  attachedRoutes: number;
  conditions: Condition[];
}

export interface ObjectEntry<S> {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  generation: number;
  status: S;
}

export interface GatewayStatus {
  addresses?: Array<{ type?: string; value: string }>;
  conditions?: Condition[];
  listeners?: ListenerStatus[];
}

export interface AdminStatus {
  gatewayClasses?: Array<ObjectEntry<{ conditions?: Condition[] }>>;
  gateways?: Array<ObjectEntry<GatewayStatus>>;
  routes?: Array<ObjectEntry<{ parents?: RouteParentStatus[] }>>;
  rejected?: Array<{ kind: string; namespace?: string; name?: string; file: string; errors: unknown }>;
}

export interface NamespacedName {
  namespace: string;
  name: string;
}

export interface GatewayRef extends NamespacedName {
  listenerNames?: string[];
}

export const GatewayGroup = 'gateway.networking.k8s.io';

/** Expected condition: an empty status or reason matches any (findConditionInList). */
export interface ExpectedCondition {
  type: string;
  /** 'True' | 'False' | 'Unknown' */
  status?: string;
  reason?: string;
}

/** An expected RouteParentStatus. */
export interface ExpectedParent {
  parentRef: ParentReference;
  controllerName: string;
  conditions: ExpectedCondition[];
}

/** An expected ListenerStatus. */
export interface ExpectedListener {
  name: string;
  supportedKinds: Array<{ group?: string; kind: string }>;
  attachedRoutes: number;
  conditions: ExpectedCondition[];
}

/** Polls `check` (a reason it is not met yet, or true) until it holds or `boundMs` passes. */
export async function pollUntil(what: string, boundMs: number, check: () => Promise<string | true>): Promise<void> {
  const until = Date.now() + boundMs;
  let last = '';
  for (;;) {
    try {
      const r = await check();
      if (r === true) return;
      last = r;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > until) throw new Error(`${what}: not met within ${boundMs} ms; last: ${last}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function findCondition(conds: readonly Condition[] | undefined, want: ExpectedCondition): boolean {
  return (conds ?? []).some((c) => c.type === want.type && (!want.status || c.status === want.status) && (!want.reason || c.reason === want.reason));
}

export function conditionsMatch(expected: readonly ExpectedCondition[], actual: readonly Condition[] | undefined): boolean {
  if ((actual ?? []).length < expected.length) return false;
  return expected.every((e) => findCondition(actual, e));
}

/** ConditionsHaveLatestObservedGeneration: undefined when every condition is current. */
export function staleConditions(generation: number, conds: readonly Condition[] | undefined): string | undefined {
  const stale = (conds ?? []).filter((c) => c.observedGeneration !== generation);
  if (!stale.length) return undefined;
  return `expected observedGeneration ${generation} for all conditions, stale: ${stale.map((c) => `${c.type} (generation ${c.observedGeneration})`).join(', ')}`;
}

function same(e: { namespace?: string; name: string }, nn: NamespacedName): boolean {
  return (e.namespace ?? '') === nn.namespace && e.name === nn.name;
}

export async function getGateway(s: ConformanceSuite, nn: NamespacedName): Promise<ObjectEntry<GatewayStatus> | undefined> {
  return (await s.status()).gateways?.find((g) => same(g, nn));
}

export async function getRoute(s: ConformanceSuite, kind: string, nn: NamespacedName): Promise<ObjectEntry<{ parents?: RouteParentStatus[] }> | undefined> {
  return (await s.status()).routes?.find((r) => r.kind === kind && same(r, nn));
}

const nnStr = (nn: NamespacedName): string => `${nn.namespace}/${nn.name}`;

/** The object's generation as the API server (the harness) holds it, else as the gateway read it. */
function generationOf(s: ConformanceSuite, e: ObjectEntry<unknown>): number {
  return s.knownGeneration(e.kind, e.namespace ?? '', e.name) ?? e.generation;
}

/** GWCMustHaveAcceptedConditionTrue. */
export async function gwcMustHaveAcceptedConditionTrue(s: ConformanceSuite, name: string): Promise<void> {
  await pollUntil(`GatewayClass ${name} Accepted`, s.timeouts.status, async () => {
    const gwc = (await s.status()).gatewayClasses?.find((c) => c.name === name);
    if (!gwc) return 'not in /status';
    const stale = staleConditions(generationOf(s, gwc), gwc.status.conditions);
    if (stale) return stale;
    return findCondition(gwc.status.conditions, { type: 'Accepted', status: 'True' }) || `conditions ${JSON.stringify(gwc.status.conditions)}`;
  });
}

/** GatewayMustHaveLatestConditions. */
export async function gatewayMustHaveLatestConditions(s: ConformanceSuite, nn: NamespacedName): Promise<void> {
  await pollUntil(`Gateway ${nnStr(nn)} latest conditions`, s.timeouts.status, async () => {
    const gw = await getGateway(s, nn);
    if (!gw) return 'not in /status';
    return staleConditions(generationOf(s, gw), gw.status.conditions) ?? true;
  });
}

/** HTTPRouteMustHaveLatestConditions. */
export async function routeMustHaveLatestConditions(s: ConformanceSuite, kind: string, nn: NamespacedName): Promise<void> {
  await pollUntil(`${kind} ${nnStr(nn)} latest conditions`, s.timeouts.status, async () => {
    const r = await getRoute(s, kind, nn);
    if (!r) return 'not in /status';
    for (const p of r.status.parents ?? []) {
      const stale = staleConditions(generationOf(s, r), p.conditions);
      if (stale) return stale;
    }
    return true;
  });
}

/** GatewayMustHaveCondition. */
export async function gatewayMustHaveCondition(s: ConformanceSuite, nn: NamespacedName, cond: ExpectedCondition): Promise<void> {
  await pollUntil(`Gateway ${nnStr(nn)} condition ${JSON.stringify(cond)}`, s.timeouts.status, async () => {
    const gw = await getGateway(s, nn);
    if (!gw) return 'not in /status';
    const stale = staleConditions(generationOf(s, gw), gw.status.conditions);
    if (stale) return stale;
    return findCondition(gw.status.conditions, cond) || `conditions ${JSON.stringify(gw.status.conditions)}`;
  });
}

/** WaitForGatewayAddress: `address:port` of the named (else first) listener. */
export async function waitForGatewayAddress(s: ConformanceSuite, ref: GatewayRef): Promise<string> {
  let addr = '';
  await pollUntil(`Gateway ${nnStr(ref)} address`, s.timeouts.status, async () => {
    const gw = await getGateway(s, ref);
    if (!gw) return 'not in /status';
    const stale = staleConditions(generationOf(s, gw), gw.status.conditions);
    if (stale) return stale;
    const spec = s.applied('Gateway', ref.namespace, ref.name).spec as { listeners: Array<{ name: string; port: number }> };
    const listener = spec.listeners.find((l) => l.name === ref.listenerNames?.[0]) ?? spec.listeners[0]!;
    const a = gw.status.addresses?.find((x) => x.type !== undefined);
    if (!a) return `no typed address in ${JSON.stringify(gw.status.addresses)}`;
    addr = `${a.value.includes(':') ? `[${a.value}]` : a.value}:${listener.port}`;
    return true;
  });
  return addr;
}

/** GatewayListenersMustHaveConditions (every listener, or those named). */
export async function gatewayListenersMustHaveConditions(s: ConformanceSuite, nn: NamespacedName, conds: readonly ExpectedCondition[], listenerNames: readonly string[] = []): Promise<void> {
  await pollUntil(`Gateway ${nnStr(nn)} listeners ${JSON.stringify(conds)}`, s.timeouts.status, async () => {
    const gw = await getGateway(s, nn);
    if (!gw) return 'not in /status';
    const pending = new Set(listenerNames);
    for (const l of gw.status.listeners ?? []) {
      if (listenerNames.length && !listenerNames.includes(l.name)) continue;
      for (const c of conds) if (!findCondition(l.conditions, c)) return `listener ${l.name}: ${JSON.stringify(l.conditions)}`;
      pending.delete(l.name);
    }
    return pending.size === 0 || `listeners ${[...pending].join(', ')} missing`;
  });
}

/** GatewayStatusMustHaveListeners. */
export async function gatewayStatusMustHaveListeners(s: ConformanceSuite, nn: NamespacedName, expected: readonly ExpectedListener[]): Promise<void> {
  await pollUntil(`Gateway ${nnStr(nn)} status listeners`, s.timeouts.status, async () => {
    const gw = await getGateway(s, nn);
    if (!gw) return 'not in /status';
    const stale = staleConditions(generationOf(s, gw), gw.status.conditions);
    if (stale) return stale;
    const actual = gw.status.listeners ?? [];
    if (actual.length !== expected.length) return `expected ${expected.length} listeners, got ${JSON.stringify(actual)}`;
    for (const e of expected) {
      const a = actual.find((l) => l.name === e.name);
      if (!a) return `listener ${e.name} missing`;
      if (e.supportedKinds.length === 0 && (a.supportedKinds ?? []).length !== 0) return `listener ${e.name}: supportedKinds should be empty, got ${JSON.stringify(a.supportedKinds)}`;
      for (const k of e.supportedKinds) {
        if (!(a.supportedKinds ?? []).some((x) => (x.group ?? GatewayGroup) === (k.group ?? GatewayGroup) && x.kind === k.kind)) return `listener ${e.name}: ${k.kind} not in supportedKinds ${JSON.stringify(a.supportedKinds)}`;
      }
      if (a.attachedRoutes !== e.attachedRoutes) return `listener ${e.name}: attachedRoutes ${a.attachedRoutes}, want ${e.attachedRoutes}`;
      if (!conditionsMatch(e.conditions, a.conditions)) return `listener ${e.name}: conditions ${JSON.stringify(a.conditions)}`;
    }
    return true;
  });
}

/** parentsForRouteMatch. */
function parentsMatch(expected: readonly ExpectedParent[], actual: readonly RouteParentStatus[], namespaceRequired: boolean): string | true {
  for (const e of expected) {
    const ok = actual.some(
      (a) =>
        a.controllerName === e.controllerName &&
        a.parentRef.group === e.parentRef.group &&
        a.parentRef.kind === e.parentRef.kind &&
        a.parentRef.name === e.parentRef.name &&
        (a.parentRef.namespace === e.parentRef.namespace || (!namespaceRequired && a.parentRef.namespace === undefined)) &&
        conditionsMatch(e.conditions, a.conditions),
    );
    if (!ok) return `no parent matches ${JSON.stringify(e)} in ${JSON.stringify(actual)}`;
  }
  return true;
}

/** RouteMustHaveParents. */
export async function routeMustHaveParents(s: ConformanceSuite, kind: string, nn: NamespacedName, parents: readonly ExpectedParent[], namespaceRequired: boolean): Promise<void> {
  await pollUntil(`${kind} ${nnStr(nn)} parents`, s.timeouts.status, async () => {
    const r = await getRoute(s, kind, nn);
    if (!r) return 'not in /status';
    for (const p of r.status.parents ?? []) {
      const stale = staleConditions(generationOf(s, r), p.conditions);
      if (stale) return stale;
    }
    return parentsMatch(parents, r.status.parents ?? [], namespaceRequired);
  });
}

export const httpRouteMustHaveParents = (s: ConformanceSuite, nn: NamespacedName, parents: readonly ExpectedParent[], namespaceRequired: boolean) => routeMustHaveParents(s, 'HTTPRoute', nn, parents, namespaceRequired);

const ListenerReady: ExpectedCondition[] = [
  { type: 'ResolvedRefs', status: 'True' },
  { type: 'Accepted', status: 'True' },
  { type: 'Programmed', status: 'True' },
];

/** RoutesAndParentMustBeAccepted for a Gateway parent. */
export async function routesAndParentMustBeAccepted(s: ConformanceSuite, kind: string, gw: GatewayRef, routes: readonly NamespacedName[]): Promise<void> {
  for (const route of routes) {
    const sections = gw.listenerNames?.length ? gw.listenerNames : [undefined];
    const parents: ExpectedParent[] = sections.map((sectionName) => ({
      parentRef: { group: GatewayGroup, kind: 'Gateway', name: gw.name, namespace: gw.namespace, ...(sectionName ? { sectionName } : {}) },
      controllerName: s.controllerName,
      conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted' }],
    }));
    await routeMustHaveParents(s, kind, route, parents, route.namespace !== gw.namespace);
  }
  await gatewayListenersMustHaveConditions(s, gw, ListenerReady);
}

/** GatewayAndRoutesMustBeAccepted: the Gateway's `address:port` (`address` alone unless usePort). */
export async function gatewayAndRoutesMustBeAccepted(s: ConformanceSuite, kind: string, gw: GatewayRef, routes: readonly NamespacedName[], usePort = true): Promise<string> {
  let addr = await waitForGatewayAddress(s, gw);
  if (!usePort) addr = addr.slice(0, addr.lastIndexOf(':'));
  await routesAndParentMustBeAccepted(s, kind, gw, routes);
  return addr;
}

export const gatewayAndHTTPRoutesMustBeAccepted = (s: ConformanceSuite, gw: GatewayRef, ...routes: NamespacedName[]) => gatewayAndRoutesMustBeAccepted(s, 'HTTPRoute', gw, routes);

/** HTTPRouteMustHaveCondition: the parent naming `gw` has `cond`. */
export async function routeMustHaveCondition(s: ConformanceSuite, kind: string, nn: NamespacedName, gw: NamespacedName, cond: ExpectedCondition): Promise<void> {
  await pollUntil(`${kind} ${nnStr(nn)} condition ${JSON.stringify(cond)} for ${nnStr(gw)}`, s.timeouts.status, async () => {
    const r = await getRoute(s, kind, nn);
    if (!r) return 'not in /status';
    let found = false;
    for (const p of r.status.parents ?? []) {
      const stale = staleConditions(generationOf(s, r), p.conditions);
      if (stale) return stale;
      if (p.parentRef.name === gw.name && (p.parentRef.namespace === undefined || p.parentRef.namespace === gw.namespace) && findCondition(p.conditions, cond)) found = true;
    }
    return found || `parents ${JSON.stringify(r.status.parents)}`;
  });
}

export const httpRouteMustHaveCondition = (s: ConformanceSuite, nn: NamespacedName, gw: NamespacedName, cond: ExpectedCondition) => routeMustHaveCondition(s, 'HTTPRoute', nn, gw, cond);

export const httpRouteMustHaveResolvedRefsConditionsTrue = (s: ConformanceSuite, nn: NamespacedName, gw: NamespacedName) =>
  httpRouteMustHaveCondition(s, nn, gw, { type: 'ResolvedRefs', status: 'True', reason: 'ResolvedRefs' });

/** HTTPRouteMustHaveNoAcceptedParents: no parents, or one that is not Accepted. */
export async function httpRouteMustHaveNoAcceptedParents(s: ConformanceSuite, nn: NamespacedName): Promise<void> {
  let emptyChecked = false;
  await pollUntil(`HTTPRoute ${nnStr(nn)} has no accepted parents`, s.timeouts.status, async () => {
    const r = await getRoute(s, 'HTTPRoute', nn);
    const parents = r?.status.parents ?? [];
    if (parents.length === 0) {
      // Tell "correctly left empty" from "not written yet": look twice.
      if (!emptyChecked) {
        emptyChecked = true;
        return 'empty once';
      }
      return true;
    }
    if (parents.length > 1) return `more than one parent: ${JSON.stringify(parents)}`;
    const stale = staleConditions(generationOf(s, r!), parents[0]!.conditions);
    if (stale) return stale;
    return conditionsMatch([{ type: 'Accepted', status: 'False' }], parents[0]!.conditions) || `parent ${JSON.stringify(parents[0])}`;
  });
}

/** GatewayMustHaveZeroRoutes. */
export async function gatewayMustHaveZeroRoutes(s: ConformanceSuite, nn: NamespacedName): Promise<void> {
  await pollUntil(`Gateway ${nnStr(nn)} has zero routes`, s.timeouts.status, async () => {
    const gw = await getGateway(s, nn);
    if (!gw) return 'not in /status';
    const stale = staleConditions(generationOf(s, gw), gw.status.conditions);
    if (stale) return stale;
    const ls = gw.status.listeners ?? [];
    return ls.length === 0 || (ls.length === 1 && ls[0]!.attachedRoutes === 0) || `listeners ${JSON.stringify(ls)}`;
  });
}

/** NamespacesMustBeReady: every Gateway in the namespaces Accepted and Programmed (pods here are always ready). */
export async function namespacesMustBeReady(s: ConformanceSuite, namespaces: readonly string[]): Promise<void> {
  await pollUntil(`Gateways in ${namespaces.join(', ')} ready`, s.timeouts.status, async () => {
    for (const gw of (await s.status()).gateways ?? []) {
      if (!namespaces.includes(gw.namespace ?? '')) continue;
      const stale = staleConditions(generationOf(s, gw), gw.status.conditions);
      if (stale) return `Gateway ${gw.namespace}/${gw.name}: ${stale}`;
      if (!findCondition(gw.status.conditions, { type: 'Accepted', status: 'True' }) || !findCondition(gw.status.conditions, { type: 'Programmed', status: 'True' })) {
        return `Gateway ${gw.namespace}/${gw.name} not Accepted and Programmed: ${JSON.stringify(gw.status.conditions)}`;
      }
    }
    return true;
  });
}

/** GatewayListenerMustHaveConditions: the listener named `listener` has every condition. */
export async function gatewayListenerMustHaveConditions(s: ConformanceSuite, nn: NamespacedName, listener: string, conds: readonly ExpectedCondition[]): Promise<void> {
  await pollUntil(`Gateway ${nnStr(nn)} listener ${listener} ${JSON.stringify(conds)}`, s.timeouts.status, async () => {
    const gw = await getGateway(s, nn);
    const l = gw?.status.listeners?.find((x) => x.name === listener);
    if (!l) return `listener ${listener} not in status`;
    for (const c of conds) if (!findCondition(l.conditions, c)) return `conditions ${JSON.stringify(l.conditions)}`;
    return true;
  });
}

/** GWCMustHaveAcceptedConditionAny: an Accepted condition, of any status, for the current generation. */
export async function gwcMustHaveAcceptedConditionAny(s: ConformanceSuite, name: string): Promise<void> {
  await pollUntil(`GatewayClass ${name} has Accepted`, s.timeouts.status, async () => {
    const gwc = (await s.status()).gatewayClasses?.find((c) => c.name === name);
    if (!gwc) return 'not in /status';
    const accepted = gwc.status.conditions?.find((c) => c.type === 'Accepted');
    if (!accepted) return `no Accepted condition: ${JSON.stringify(gwc.status.conditions)}`;
    return accepted.observedGeneration === generationOf(s, gwc) || `Accepted observedGeneration ${accepted.observedGeneration}, generation ${generationOf(s, gwc)}`;
  });
}

/** GatewayClassMustHaveLatestConditions. */
export async function gatewayClassMustHaveLatestConditions(s: ConformanceSuite, name: string): Promise<void> {
  await pollUntil(`GatewayClass ${name} latest conditions`, s.timeouts.status, async () => {
    const gwc = (await s.status()).gatewayClasses?.find((c) => c.name === name);
    if (!gwc) return 'not in /status';
    return staleConditions(generationOf(s, gwc), gwc.status.conditions) ?? true;
  });
}

/** The generation the gateway reports for an object (client.Get's metadata.generation). */
export async function reportedGeneration(s: ConformanceSuite, list: 'gatewayClasses' | 'gateways' | 'routes', nn: { namespace?: string; name: string }): Promise<number | undefined> {
  return (await s.status())[list]?.find((e) => (e.namespace ?? '') === (nn.namespace ?? '') && e.name === nn.name)?.generation;
}
