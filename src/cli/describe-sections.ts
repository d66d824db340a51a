// The parts `sluice describe` prints, kubectl describe's way: `Field:  value` lines, then titled
// sections holding indented tables. Pure.
import type { Condition } from '../api/types.ts';
import type { Cluster } from '../snapshot/types.ts';
import { type GatewayView, type PlacedRoute, placedRoutes, type RejectedJson } from './gateway-view.ts';
import { formatMatches, formatPath, formatSplits, functionIndex } from './route-format.ts';
import { clean, renderTable } from './table.ts';

/** `Name:  value` lines, the values aligned. */
export function fields(pairs: readonly (readonly [string, string | number | undefined])[]): string {
  const shown = pairs.filter(([, v]) => v !== undefined && v !== '');
  const width = Math.max(...shown.map(([k]) => k.length + 1));
  return shown.map(([k, v]) => `${`${k}:`.padEnd(width)}  ${clean(String(v))}\n`).join('');
}

/** A titled section: its table indented by two spaces, or `<none>`. */
export function section(title: string, headers: readonly string[], rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return `${title}:  <none>\n`;
  const body = renderTable(headers, rows)
    .trimEnd()
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
  return `${title}:\n${body}\n`;
}

export function conditionsSection(conditions: readonly Condition[], title = 'Conditions'): string {
  return section(
    title,
    ['TYPE', 'STATUS', 'REASON', 'MESSAGE'],
    conditions.map((c) => [c.type, c.status, c.reason ?? '', c.message ?? '']),
  );
}

/** The served routes whose owner (Route.ingress) or virtual host owner is `owner`. */
export function routesOf(view: GatewayView, owner: string): PlacedRoute[] {
  return placedRoutes(view.config).filter((p) => p.route.ingress === owner || p.host.ingress === owner);
}

export function routesSection(view: GatewayView, routes: readonly PlacedRoute[]): string {
  const functions = functionIndex(view.config);
  return section(
    'Routes',
    ['LISTENER', 'HOSTS', 'PATH', 'MATCHES', 'SPLITS'],
    routes.map((p) => [p.listener, p.host.domains.join(','), formatPath(p.route.path), formatMatches(p.route), formatSplits(p.route, functions).join(', ')]),
  );
}

/** The clusters those routes send to (splits and mirrors), each with its endpoints. */
export function endpointsSection(view: GatewayView, routes: readonly PlacedRoute[]): string {
  const names = new Set<string>();
  for (const p of routes) {
    for (const s of p.route.splits) if (s.cluster !== undefined) names.add(s.cluster);
    for (const f of p.route.filters) if (f.type === 'mirror') names.add(f.cluster);
  }
  const clusters = (view.config?.clusters ?? []).filter((c) => names.has(c.name));
  return clusterEndpoints(clusters);
}

export function clusterEndpoints(clusters: readonly Cluster[]): string {
  return section(
    'Endpoints',
    ['CLUSTER', 'PROTOCOL', 'TYPE', 'ENDPOINTS'],
    clusters.map((c) => [c.name, c.protocol, c.type, c.endpoints.length === 0 ? '<none> (requests get 503)' : c.endpoints.map((e) => `${e.address}:${e.port}`).join(',')]),
  );
}

/** The documents currently rejected that name this object (its last good version, if any, serves). */
export function errorsSection(rejected: readonly RejectedJson[], kind: string, namespace: string, name: string): string {
  const mine = rejected.filter((r) => r.kind?.toLowerCase() === kind.toLowerCase() && r.name === name && (r.namespace ?? 'default') === (namespace || 'default'));
  const rows = mine.flatMap((r) => r.errors.map((e) => [`${r.file}:${e.line ?? r.line ?? ''}`, e.path, e.message]));
  return section('Errors', ['FILE', 'FIELD', 'MESSAGE'], rows);
}
