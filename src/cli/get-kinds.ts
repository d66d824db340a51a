// The kinds `sluice get` lists, each as table rows made from a GatewayView (pure). Columns follow
// kubectl's and glooctl's for the same kinds; there is no AGE column, since file mode has no
// creation times.
import type { ObjectStatus } from '../snapshot/types.ts';
import type { Condition } from '../api/types.ts';
import { conditionStatus, type GatewayView, notTrueReason, placedRoutes, routeOwner } from './gateway-view.ts';
import { formatFilters, formatMatches, formatPath, formatSplits, functionIndex } from './route-format.ts';
import { listCell } from './table.ts';

export interface KindRow {
  readonly namespace: string;
  readonly name: string;
  /** one per KindSpec.headers (after NAME) */
  readonly cells: readonly string[];
  /** one per KindSpec.wide */
  readonly wide: readonly string[];
  /** what `-o json|yaml` prints */
  readonly object: unknown;
}

export interface KindSpec {
  /** the kind as describe and messages name it */
  readonly kind: string;
  /** the plural first, then what else `get` accepts */
  readonly names: readonly string[];
  readonly namespaced: boolean;
  readonly needs: { readonly config?: boolean; readonly upstreams?: boolean };
  /** the columns after NAME */
  readonly headers: readonly string[];
  /** added by `-o wide` */
  readonly wide: readonly string[];
  rows(view: GatewayView): KindRow[];
}

/** `Kind namespace/name` -> the virtual hosts' domains of the routes it owns. */
function hostsByOwner(view: GatewayView): Map<string, string[]> {
  const out = new Map<string, Set<string>>();
  for (const p of placedRoutes(view.config)) {
    const set = out.get(p.route.ingress) ?? new Set<string>();
    for (const d of p.host.domains) set.add(d);
    out.set(p.route.ingress, set);
  }
  return new Map([...out].map(([k, v]) => [k, [...v].sort()]));
}

const conditionsOf = (s: ObjectStatus): readonly Condition[] => ((s.status as { conditions?: Condition[] }).conditions ?? []);

/** A Gateway API route's or policy's parents (ancestors) folded into one verdict: every one Accepted (and refs resolved). */
function parentsVerdict(entries: readonly { conditions?: readonly Condition[] }[], types: readonly string[]): { ok: string; reason: string } {
  if (entries.length === 0) return { ok: 'False', reason: 'NoParents' };
  for (const e of entries) {
    const reason = notTrueReason(e.conditions, types);
    if (reason !== '') return { ok: 'False', reason };
  }
  return { ok: 'True', reason: '' };
}

/** Gloo's `{ statuses: { <ns>: { state, reason } } }`: the state and reason. */
export function glooState(s: ObjectStatus | undefined): { state: string; reason: string } {
  const statuses = (s?.status as { statuses?: Record<string, { state?: string; reason?: string }> } | undefined)?.statuses;
  const first = statuses ? Object.values(statuses)[0] : undefined;
  return { state: first?.state ?? 'Pending', reason: first?.reason ?? '' };
}

const ingresses: KindSpec = {
  kind: 'Ingress',
  names: ['ingresses', 'ingress', 'ing', 'kingress', 'kingresses'],
  namespaced: true,
  needs: { config: true },
  headers: ['READY', 'REASON', 'HOSTS'],
  wide: ['GENERATION', 'HASH'],
  rows(view) {
    const info = new Map((view.config?.ingresses ?? []).map((i) => [i.key, i]));
    return view.status.ingresses.map((i) => {
      const served = info.get(`${i.namespace}/${i.name}`);
      return {
        namespace: i.namespace,
        name: i.name,
        cells: [conditionStatus(i.conditions, 'Ready'), notTrueReason(i.conditions, ['Ready', 'NetworkConfigured', 'LoadBalancerReady']), listCell([...new Set([...(served?.externalHosts ?? []), ...(served?.localHosts ?? [])])])],
        wide: [String(i.generation ?? ''), i.hash.slice(0, 12)],
        object: i,
      };
    });
  },
};

const gatewayClasses: KindSpec = {
  kind: 'GatewayClass',
  names: ['gatewayclasses', 'gatewayclass', 'gc'],
  namespaced: false,
  needs: {},
  headers: ['ACCEPTED', 'REASON'],
  wide: [],
  rows: (view) => view.status.gatewayClasses.map((s) => ({ namespace: '', name: s.name, cells: [conditionStatus(conditionsOf(s), 'Accepted'), notTrueReason(conditionsOf(s), ['Accepted'])], wide: [], object: s })),
};

const gateways: KindSpec = {
  kind: 'Gateway',
  names: ['gateways', 'gateway', 'gtw'],
  namespaced: true,
  needs: {},
  headers: ['ADDRESS', 'ACCEPTED', 'PROGRAMMED', 'REASON'],
  wide: ['LISTENERS'],
  rows: (view) =>
    view.status.gateways.map((s) => {
      const st = s.status as { addresses?: { value: string }[]; listeners?: { name: string; attachedRoutes?: number }[] };
      const c = conditionsOf(s);
      return {
        namespace: s.namespace,
        name: s.name,
        cells: [listCell((st.addresses ?? []).map((a) => a.value)), conditionStatus(c, 'Accepted'), conditionStatus(c, 'Programmed'), notTrueReason(c, ['Accepted', 'Programmed'])],
        wide: [listCell((st.listeners ?? []).map((l) => `${l.name}(${l.attachedRoutes ?? 0} routes)`), 6)],
        object: s,
      };
    }),
};

function gatewayRoutes(kind: 'HTTPRoute' | 'GRPCRoute', names: string[]): KindSpec {
  return {
    kind,
    names,
    namespaced: true,
    needs: { config: true },
    headers: ['HOSTNAMES', 'PARENTS', 'ACCEPTED', 'REASON'],
    wide: [],
    rows(view) {
      const hosts = hostsByOwner(view);
      return view.status.routes
        .filter((s) => s.kind === kind)
        .map((s) => {
          const parents = (s.status as { parents?: { parentRef: { name: string; sectionName?: string }; conditions?: Condition[] }[] }).parents ?? [];
          const v = parentsVerdict(parents, ['Accepted', 'ResolvedRefs']);
          return {
            namespace: s.namespace,
            name: s.name,
            cells: [listCell(hosts.get(`${kind} ${s.namespace}/${s.name}`) ?? []), listCell(parents.map((p) => p.parentRef.name + (p.parentRef.sectionName ? `/${p.parentRef.sectionName}` : ''))), v.ok, v.reason],
            wide: [],
            object: s,
          };
        });
    },
  };
}

const routes: KindSpec = {
  kind: 'Route',
  names: ['routes', 'route', 'rt'],
  namespaced: true,
  needs: { config: true },
  headers: ['LISTENER', 'HOST', 'PATH', 'SPLITS'],
  wide: ['MATCHES', 'FILTERS'],
  rows(view) {
    const functions = functionIndex(view.config);
    return placedRoutes(view.config).map((p) => {
      const owner = routeOwner(p.route.ingress);
      return {
        namespace: owner.namespace,
        name: `${owner.kind === 'Ingress' ? 'ingress' : owner.kind.toLowerCase()}/${owner.name}`,
        cells: [p.listener, listCell(p.host.domains, 2), formatPath(p.route.path), formatSplits(p.route, functions).join(', ')],
        wide: [formatMatches(p.route), formatFilters(p.route)],
        object: { listener: p.listener, virtualHost: p.host.name, domains: p.host.domains, route: p.route },
      };
    });
  },
};

function glooKind(kind: string, names: string[]): KindSpec {
  return {
    kind,
    names,
    namespaced: true,
    needs: { config: true },
    headers: ['STATUS', 'REASON', 'DOMAINS'],
    wide: ['ROUTES'],
    rows(view) {
      const hosts = hostsByOwner(view);
      const count = new Map<string, number>();
      for (const p of placedRoutes(view.config)) count.set(p.route.ingress, (count.get(p.route.ingress) ?? 0) + 1);
      return view.status.gloo
        .filter((s) => s.kind === kind)
        .map((s) => {
          const { state, reason } = glooState(s);
          const key = `${kind} ${s.namespace}/${s.name}`;
          return { namespace: s.namespace, name: s.name, cells: [state, reason, listCell(hosts.get(key) ?? [])], wide: [String(count.get(key) ?? 0)], object: s };
        });
    },
  };
}

const upstreams: KindSpec = {
  kind: 'Upstream',
  names: ['upstreams', 'upstream', 'us'],
  namespaced: true,
  needs: { upstreams: true },
  headers: ['TYPE', 'STATUS', 'ENDPOINTS', 'FUNCTIONS'],
  wide: ['SERVICE', 'DISCOVERY', 'REASON'],
  rows: (view) =>
    view.upstreams.map((u) => ({
      namespace: u.namespace,
      name: u.name,
      cells: [u.type, u.state, u.type === 'aws' ? '-' : String(u.endpoints.length), String(u.functions.length)],
      wide: [u.service ?? '', u.discovery ? `${u.discovery.how} ${u.discovery.state}` : '', u.reason ?? ''],
      object: u,
    })),
};

const functions: KindSpec = {
  kind: 'Function',
  names: ['functions', 'function', 'fn'],
  namespaced: true,
  needs: { upstreams: true },
  headers: ['UPSTREAM', 'KIND', 'FOUND-BY'],
  wide: [],
  rows: (view) =>
    view.upstreams.flatMap((u) =>
      u.functions.map((f) => ({ namespace: u.namespace, name: f.name, cells: [u.name, f.kind, f.foundBy], wide: [], object: { upstream: `${u.namespace}/${u.name}`, ...f } })),
    ),
};

const trafficPolicies: KindSpec = {
  kind: 'TrafficPolicy',
  names: ['trafficpolicies', 'trafficpolicy', 'tp'],
  namespaced: true,
  needs: {},
  headers: ['TARGETS', 'ACCEPTED', 'REASON'],
  wide: [],
  rows: (view) =>
    view.status.trafficPolicies.map((s) => {
      const ancestors = (s.status as { ancestors?: { ancestorRef: { kind: string; name: string }; conditions?: Condition[] }[] }).ancestors ?? [];
      const v = parentsVerdict(ancestors, ['Accepted']);
      return { namespace: s.namespace, name: s.name, cells: [listCell(ancestors.map((a) => `${a.ancestorRef.kind}/${a.ancestorRef.name}`)), v.ok, v.reason], wide: [], object: s };
    }),
};

export const KINDS: readonly KindSpec[] = [
  ingresses,
  gatewayClasses,
  gateways,
  gatewayRoutes('HTTPRoute', ['httproutes', 'httproute']),
  gatewayRoutes('GRPCRoute', ['grpcroutes', 'grpcroute']),
  routes,
  glooKind('VirtualService', ['virtualservices', 'virtualservice', 'vs']),
  glooKind('RouteTable', ['routetables', 'routetable']),
  upstreams,
  functions,
  trafficPolicies,
];

export function findKind(name: string): KindSpec | undefined {
  const n = name.toLowerCase();
  return KINDS.find((k) => k.names.includes(n));
}
