// What the inspection commands know of a running gateway: its admin endpoint's /status, /config
// (the snapshot) and /upstreams, fetched together, as plain typed values the pure modules
// (get-kinds.ts, describe-*.ts, check-problems.ts) read.
import type { UpstreamReport } from '../admin/upstreams.ts';
import type { Condition, FieldError, LoadBalancerStatus } from '../api/types.ts';
import type { DiscoveryReport } from '../functions/discovery/source.ts';
import type { ObjectStatus, Route, Snapshot, VirtualHost } from '../snapshot/types.ts';
import type { AdminClient } from './admin-client.ts';

export interface IngressStatusJson {
  readonly namespace: string;
  readonly name: string;
  readonly hash: string;
  readonly generation?: number;
  readonly conditions: readonly Condition[];
  readonly publicLoadBalancer?: LoadBalancerStatus;
  readonly privateLoadBalancer?: LoadBalancerStatus;
}

export interface RejectedJson {
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly file: string;
  readonly doc?: number;
  readonly line?: number;
  readonly errors: readonly FieldError[];
}

export interface StatusJson {
  readonly version: number;
  readonly ingresses: readonly IngressStatusJson[];
  readonly gatewayClasses: readonly ObjectStatus[];
  readonly gateways: readonly ObjectStatus[];
  readonly routes: readonly ObjectStatus[];
  readonly gloo: readonly ObjectStatus[];
  readonly trafficPolicies: readonly ObjectStatus[];
  readonly functionDiscovery: readonly DiscoveryReport[];
  readonly rejected: readonly RejectedJson[];
}

export interface GatewayView {
  readonly status: StatusJson;
  /** undefined while the gateway serves no configuration yet */
  readonly config: Snapshot | undefined;
  readonly upstreams: readonly UpstreamReport[];
}

/** Fetches what a command needs; the snapshot is skipped (503) before the first configuration. */
export async function fetchView(client: AdminClient, needs: { config?: boolean; upstreams?: boolean } = { config: true, upstreams: true }): Promise<GatewayView> {
  const [status, config, upstreams] = await Promise.all([
    client.json<StatusJson>('/status'),
    needs.config ? client.json<Snapshot>('/config').catch((err: Error) => (/ answered 503/.test(err.message) ? undefined : Promise.reject(err))) : undefined,
    // A gateway from before /upstreams has no Upstreams to show rather than nothing at all.
    needs.upstreams ? client.json<{ upstreams: UpstreamReport[] }>('/upstreams').then((u) => u.upstreams, (err: Error) => (/ answered 404/.test(err.message) ? [] : Promise.reject(err))) : [],
  ]);
  return { status: { ...emptyStatus, ...status }, config, upstreams };
}

const emptyStatus: StatusJson = { version: 0, ingresses: [], gatewayClasses: [], gateways: [], routes: [], gloo: [], trafficPolicies: [], functionDiscovery: [], rejected: [] };

/** One served route with the listener and virtual host it belongs to. */
export interface PlacedRoute {
  readonly listener: string;
  readonly host: VirtualHost;
  readonly route: Route;
}

/** Every route of the snapshot, listener by listener (external, local, then Gateway ports). */
export function placedRoutes(snapshot: Snapshot | undefined): PlacedRoute[] {
  if (snapshot === undefined) return [];
  const out: PlacedRoute[] = [];
  const add = (listener: string, hosts: readonly VirtualHost[]) => {
    for (const host of hosts) for (const route of host.routes) out.push({ listener, host, route });
  };
  add('external', snapshot.listeners.external);
  add('local', snapshot.listeners.local);
  for (const p of snapshot.ports) add(p.name, p.virtualHosts);
  return out;
}

/**
 * The object a route came from, as `Route.ingress` names it: `namespace/name` for a Knative
 * Ingress, `Kind namespace/name` otherwise.
 */
export function routeOwner(key: string): { kind: string; namespace: string; name: string } {
  const space = key.indexOf(' ');
  const kind = space < 0 ? 'Ingress' : key.slice(0, space);
  const ref = space < 0 ? key : key.slice(space + 1);
  const slash = ref.indexOf('/');
  return { kind, namespace: ref.slice(0, slash), name: ref.slice(slash + 1) };
}

/** `True`, `False` or `Unknown` for the condition of that type (Unknown when absent). */
export function conditionStatus(conditions: readonly Condition[] | undefined, type: string): string {
  return conditions?.find((c) => c.type === type)?.status ?? 'Unknown';
}

/** The reason of the first of `types` that is not True, or ''. */
export function notTrueReason(conditions: readonly Condition[] | undefined, types: readonly string[]): string {
  for (const t of types) {
    const c = conditions?.find((x) => x.type === t);
    if (c === undefined) return `${t}Missing`;
    if (c.status !== 'True') return c.reason ?? t;
  }
  return '';
}
