// The Gateway API's match precedence for routes sharing a hostname on a listener, as a sort
// comparator (earlier = tried first). HTTPRoute (rules doc of HTTPRoute): Exact path, then the
// longest path prefix, then a method match, then most header matches, then most query matches.
// GRPCRoute (its own doc): most characters of service, then of method, then most header
// matches. Both then fall back to the oldest route, then `namespace/name` alphabetically, then
// rule order, then match order.
import type { PathMatch, Route } from '../snapshot/types.ts';
import type { GrpcMethodRank, RankedRoute } from './route-rules.ts';

// RegularExpression paths have implementation-specific precedence; as Envoy Gateway does, they
// come after Exact and before prefixes (longer expressions first), so a regex is not shadowed
// by a `/` catch-all prefix.
function pathKind(path: PathMatch): number {
  switch (path.type) {
    case 'exact':
      return 0;
    case 'regex':
      return 1;
    default:
      return 2;
  }
}

function httpOrder(a: Route, b: Route): number {
  return (
    pathKind(a.path) - pathKind(b.path) ||
    b.path.value.length - a.path.value.length ||
    Number(b.method !== undefined) - Number(a.method !== undefined) ||
    b.headers.length - a.headers.length ||
    b.query.length - a.query.length
  );
}

function grpcOrder(a: RankedRoute & { grpc: GrpcMethodRank }, b: RankedRoute & { grpc: GrpcMethodRank }): number {
  return (
    b.grpc.service.length - a.grpc.service.length ||
    b.grpc.method.length - a.grpc.method.length ||
    b.route.headers.length - a.route.headers.length ||
    // Not in the spec: between equally long names, an exact match before an expression.
    Number(a.grpc.regex) - Number(b.grpc.regex)
  );
}

// An absent or unreadable creationTimestamp counts as the newest.
function age(created: string): number {
  const t = created === '' ? Number.NaN : Date.parse(created);
  return Number.isNaN(t) ? Number.POSITIVE_INFINITY : t;
}

function tiebreak(a: RankedRoute, b: RankedRoute): number {
  const ta = age(a.created);
  const tb = age(b.created);
  if (ta !== tb) return ta < tb ? -1 : 1;
  if (a.key !== b.key) return a.key < b.key ? -1 : 1;
  return a.ruleIndex - b.ruleIndex || a.matchIndex - b.matchIndex;
}

export function byPrecedence(a: RankedRoute, b: RankedRoute): number {
  const own = a.grpc && b.grpc ? grpcOrder(a as RankedRoute & { grpc: GrpcMethodRank }, b as RankedRoute & { grpc: GrpcMethodRank }) : httpOrder(a.route, b.route);
  return own || tiebreak(a, b);
}
