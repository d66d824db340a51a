// Writes Gateway API YAML for Sluice's file mode: one Gateway (HTTP, port 80) and HTTPRoutes in the
// shape users write (a header match and a request header filter), for the gateway-route comparison
// (bench/gateway-route.ts) and the 10,000-HTTPRoute scale run (bench/scale-gateway.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NAMESPACE } from './ingress-gen.ts';

export const GATEWAY_NAME = 'bench';
/** the listener port the Gateway declares; served at this plus --port-offset */
export const GATEWAY_LISTENER_PORT = 80;
/** the header every benchmarked HTTPRoute matches on (the load generator sends it) */
export const ROUTE_MATCH_HEADER = { name: 'x-bench-user', value: 'alice' } as const;

/** How the scale run's Gateway edits change it (bench/scale-gateway-edits.ts). */
export interface GatewayShape {
  /** a second listener, on port 8080 for `extra.example.com` (no scale route matches it) */
  readonly extraListener?: boolean;
  /** the port-80 listener's allowedRoutes.namespaces.from (default All); Selector: `team: bench` */
  readonly from?: 'All' | 'Same' | 'Selector';
}

/** The label the scale run's Namespaces carry and the Selector edit selects (`team: bench`). */
export const TEAM_LABEL = { name: 'team', value: 'bench' } as const;

const allowedFrom = (from: GatewayShape['from'] = 'All'): string =>
  from === 'Selector' ? `{ from: Selector, selector: { matchLabels: { ${TEAM_LABEL.name}: ${TEAM_LABEL.value} } } }` : `{ from: ${from} }`;

/** The GatewayClass and one Gateway whose listener on port 80 takes HTTPRoutes from every namespace. */
export function gatewayYaml(shape: GatewayShape = {}): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: sluice }
spec: { controllerName: sluice.dev/gateway-controller }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: ${GATEWAY_NAME}, namespace: ${NAMESPACE} }
spec:
  gatewayClassName: sluice
  listeners:
    - { name: http, port: ${GATEWAY_LISTENER_PORT}, protocol: HTTP, allowedRoutes: { namespaces: ${allowedFrom(shape.from)} } }
${shape.extraListener === true ? '    - { name: extra, port: 8080, protocol: HTTP, hostname: extra.example.com }\n' : ''}`;
}

/** The route kinds the scale run writes. */
export type ScaleKind = 'HTTPRoute' | 'GRPCRoute';

/** What the scale run writes: routes of one kind or (mixed) HTTPRoutes and GRPCRoutes in turn, over `namespaces` namespaces. */
export interface ScaleLayout {
  readonly shape: ScaleKind | 'mixed';
  readonly namespaces: number;
}

export const DEFAULT_LAYOUT: ScaleLayout = { shape: 'HTTPRoute', namespaces: 1 };

/** The kind of scale route i. */
export const scaleKindOf = (layout: ScaleLayout, i: number): ScaleKind => (layout.shape === 'mixed' ? (i % 2 === 0 ? 'HTTPRoute' : 'GRPCRoute') : layout.shape);

/** The namespace of scale route i: the bench namespace, or one of `bench-00`... in turn. */
export const scaleNamespace = (layout: ScaleLayout, i: number): string => (layout.namespaces <= 1 ? NAMESPACE : `${NAMESPACE}-${String(i % layout.namespaces).padStart(2, '0')}`);

/** A Namespace document, labelled `team: <team>`. */
export function namespaceYaml(name: string, team: string = TEAM_LABEL.value): string {
  return `apiVersion: v1
kind: Namespace
metadata: { name: ${name}, labels: { ${TEAM_LABEL.name}: ${team} } }
`;
}

/** A route in namespace `other` sending to the Service of scale route 0 (in `to`): served only with crossGrantYaml. */
export function crossRouteYaml(kind: ScaleKind = 'HTTPRoute', to: string = NAMESPACE): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: ${kind}
metadata: { name: cross, namespace: other }
spec:
  parentRefs: [{ name: ${GATEWAY_NAME}, namespace: ${NAMESPACE} }]
  hostnames: [cross.example.com]
  rules: [{ backendRefs: [{ name: ${scaleRouteName(0)}-a, namespace: ${to}, port: 80 }] }]
`;
}

/** The ReferenceGrant that lets routes (of `kind`) of namespace `other` send to Services of namespace `to`. */
export function crossGrantYaml(kind: ScaleKind = 'HTTPRoute', to: string = NAMESPACE): string {
  return `apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: { name: from-other, namespace: ${to} }
spec:
  from: [{ group: gateway.networking.k8s.io, kind: ${kind}, namespace: other }]
  to: [{ group: '', kind: Service }]
`;
}

export interface RouteShape {
  /** route name; also the prefix of its Services (`<name>-a`, `<name>-b`) */
  readonly name: string;
  readonly host: string;
  /** path prefixes, one rule each, every rule with the header match and filter */
  readonly paths: readonly string[];
  /** 90/10 over `<name>-a` and `<name>-b`; otherwise all to `<name>-a` */
  readonly split: boolean;
  readonly portA: number;
  readonly portB: number;
  /** default: the bench namespace */
  readonly namespace?: string;
}

/** Pure: one HTTPRoute with its Services and EndpointSlices. */
export function routeYaml(r: RouteShape): string {
  return routeDocs(r, 'HTTPRoute', (p) => `path: { type: PathPrefix, value: ${JSON.stringify(p)} }`);
}

/**
 * Pure: the GRPCRoute counterpart of routeYaml: one rule per path turned into a gRPC service
 * (`/api` -> `bench.Api`), each with the header match and filter, and its Services and EndpointSlices.
 */
export function grpcRouteYaml(r: RouteShape): string {
  const service = (p: string): string => `bench.${p === '/' ? 'Root' : p.slice(1, 2).toUpperCase() + p.slice(2)}`;
  return routeDocs(r, 'GRPCRoute', (p) => `method: { service: ${service(p)} }`);
}

/** A route of `kind` with one rule per path (matched by `match(path)` and the header), and its backends. */
function routeDocs(r: RouteShape, kind: 'HTTPRoute' | 'GRPCRoute', match: (path: string) => string): string {
  const refs = r.split
    ? `[{ name: ${r.name}-a, port: 80, weight: 90 }, { name: ${r.name}-b, port: 80, weight: 10 }]`
    : `[{ name: ${r.name}-a, port: 80 }]`;
  const rules = r.paths
    .map(
      (p) => `
    - matches: [{ ${match(p)}, headers: [{ name: ${ROUTE_MATCH_HEADER.name}, value: ${ROUTE_MATCH_HEADER.value} }] }]
      filters: [{ type: RequestHeaderModifier, requestHeaderModifier: { add: [{ name: x-route, value: ${r.name} }] } }]
      backendRefs: ${refs}`,
    )
    .join('');
  const backends = r.split ? [['a', r.portA], ['b', r.portB]] as const : [['a', r.portA]] as const;
  const namespace = r.namespace ?? NAMESPACE;
  return [
    `apiVersion: gateway.networking.k8s.io/v1
kind: ${kind}
metadata: { name: ${r.name}, namespace: ${namespace} }
spec:
  parentRefs: [{ name: ${GATEWAY_NAME}, namespace: ${NAMESPACE} }]
  hostnames: [${r.host}]
  rules:${rules}
`,
    ...backends.map(([rev, port]) => backendYaml(`${r.name}-${rev}`, port, namespace)),
  ].join('---\n');
}

/** The text of scale route `r` as `kind`. */
export const scaleRouteYaml = (kind: ScaleKind, r: RouteShape): string => (kind === 'GRPCRoute' ? grpcRouteYaml(r) : routeYaml(r));

function backendYaml(name: string, port: number, namespace: string): string {
  return `apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: ${namespace} }
spec: { ports: [{ name: http, port: 80, targetPort: ${port} }] }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: ${name}-1, namespace: ${namespace}, labels: { kubernetes.io/service-name: ${name} } }
addressType: IPv4
ports: [{ name: http, port: ${port} }]
endpoints: [{ addresses: [127.0.0.1], conditions: { ready: true } }]
`;
}

export function scaleRouteName(i: number): string {
  return `route-${String(i).padStart(5, '0')}`;
}

/** Route i of the scale run: its own hostname, the scale run's four paths, a 90/10 split. */
export function scaleRoute(i: number, portA: number, portB: number, layout: ScaleLayout = DEFAULT_LAYOUT): RouteShape {
  const name = scaleRouteName(i);
  const namespace = scaleNamespace(layout, i);
  return { name, host: `${name}.${NAMESPACE}.example.com`, paths: ['/api', '/static', '/v1', '/'], split: true, portA, portB, ...(namespace !== NAMESPACE && { namespace }) };
}

/** The text of scale route i of `layout` (with `host` instead of its own, when given). */
export function scaleRouteText(layout: ScaleLayout, i: number, portA: number, portB: number, host?: string): string {
  const r = scaleRoute(i, portA, portB, layout);
  return scaleRouteYaml(scaleKindOf(layout, i), host === undefined ? r : { ...r, host });
}

/**
 * Writes the Gateway, `count` routes of `layout`, one file each (`routes/route-00000.yaml`...),
 * and with several namespaces their Namespaces (`namespaces.yaml`, each labelled `team: bench`);
 * returns the file of route i.
 */
export function writeRouteScaleConfig(dir: string, count: number, portA: number, portB: number, layout: ScaleKind | ScaleLayout = 'HTTPRoute'): (i: number) => string {
  const l: ScaleLayout = typeof layout === 'string' ? { shape: layout, namespaces: 1 } : layout;
  const routes = join(dir, 'routes');
  mkdirSync(routes, { recursive: true });
  writeFileSync(join(dir, 'gateway.yaml'), gatewayYaml());
  if (l.namespaces > 1) writeFileSync(join(dir, 'namespaces.yaml'), Array.from({ length: l.namespaces }, (_, i) => namespaceYaml(scaleNamespace(l, i))).join('---\n'));
  for (let i = 0; i < count; i++) writeFileSync(join(routes, `${scaleRouteName(i)}.yaml`), scaleRouteText(l, i, portA, portB));
  return (i) => join(routes, `${scaleRouteName(i)}.yaml`);
}
