// One served route in words, as the tables and `describe` print it: its path match, its splits
// with their share of traffic, and what else it does.
import type { FunctionBinding } from '../functions/types.ts';
import type { PathMatch, Route, RouteFilter, Snapshot, Split } from '../snapshot/types.ts';

/** Function bindings by name (Split.function). */
export type FunctionIndex = ReadonlyMap<string, FunctionBinding>;

export function functionIndex(snapshot: Snapshot | undefined): FunctionIndex {
  return new Map((snapshot?.functions ?? []).map((f) => [f.name, f]));
}

export function formatPath(p: PathMatch): string {
  switch (p.type) {
    case 'prefix':
      return `${p.value}*`;
    case 'segment-prefix':
      return p.value === '/' ? '/*' : `${p.value.replace(/\/$/, '')}/*`;
    case 'exact':
      return p.value;
    case 'regex':
      return `~${p.value}`;
  }
}

/** What a split sends to: its cluster, the function it calls, or why it has neither. */
export function splitTarget(s: Split, functions: FunctionIndex): string {
  if (s.function !== undefined) {
    const call = functions.get(s.function)?.call;
    if (call?.type === 'aws-lambda') return `lambda:${call.functionName}${call.qualifier ? `:${call.qualifier}` : ''}`;
    const fn = call?.type === 'rest' ? `rest:${call.function}` : call?.type === 'grpc-json' ? 'grpc-json' : 'function';
    return `${s.cluster ?? '-'} (${fn})`;
  }
  return s.cluster ?? '(invalid backend: 500)';
}

/** `target percent%` per split with weight, in order; what the route answers itself when it has none. */
export function formatSplits(route: Route, functions: FunctionIndex): string[] {
  const total = route.splits.reduce((n, s) => n + s.weight, 0);
  if (route.splits.length === 0 || total === 0) return [selfAnswer(route.filters)];
  return route.splits.map((s) => `${splitTarget(s, functions)} ${percent(s.weight, total)}`);
}

function percent(weight: number, total: number): string {
  const p = (weight / total) * 100;
  return `${Number.isInteger(p) ? p : p.toFixed(1)}%`;
}

function selfAnswer(filters: readonly RouteFilter[]): string {
  for (const f of filters) {
    if (f.type === 'redirect') return `redirect ${f.statusCode}`;
    if (f.type === 'direct-response') return `direct response ${f.status}`;
  }
  return '(no backend: 500)';
}

/** The route's matches beyond its path: method, headers, query parameters. */
export function formatMatches(route: Route): string {
  const parts = [
    ...(route.method !== undefined ? [route.method] : []),
    ...route.headers.map((h) => `${h.name}${h.invert ? '!' : ''}${h.match.type === 'present' ? '' : h.match.type === 'exact' ? `=${h.match.value}` : `~${h.match.value}`}`),
    ...route.query.map((q) => `?${q.name}${q.match.type === 'present' ? '' : q.match.type === 'exact' ? `=${q.match.value}` : `~${q.match.value}`}`),
  ];
  return parts.join(' ');
}

/** The kinds of the route's filters, in order (`url-rewrite,cors`), and of its policies. */
export function formatFilters(route: Route): string {
  const kinds = route.filters.map((f) => f.type);
  const policies = Object.keys(route.policies ?? {});
  return [...kinds, ...(route.retry ? ['retry'] : []), ...(route.timeout ? ['timeout'] : []), ...policies].join(',');
}
