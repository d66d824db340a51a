// Envoy's fault filter (envoy.filters.http.fault, fault.proto and the filter's docs) for the route
// evaluator: the most specific per-filter HTTPFault (weighted cluster, route, virtual host), or the
// filter's own config unless it is disabled; a delay first, then an abort answered as a local
// reply (`fault filter abort`; a gRPC request gets it trailers-only, grpc-status mapped from the
// HTTP status as Grpc::Utility::httpToGrpcStatus does).
import type { Obj } from './envoy-resources.ts';

export const FAULT_FILTER = 'envoy.filters.http.fault';

type WithPerFilter = { typed_per_filter_config?: Record<string, Record<string, unknown>> };

interface FractionalPercent {
  numerator?: number;
  denominator?: 'HUNDRED' | 'TEN_THOUSAND' | 'MILLION';
}
interface Duration {
  seconds?: number | string;
  nanos?: number;
}
export interface HttpFault {
  delay?: { fixed_delay?: Duration; percentage?: FractionalPercent };
  abort?: { http_status?: number; grpc_status?: number; percentage?: FractionalPercent };
}

/** The fault filter of a connection manager's chain: whether it is there, and its own config. */
export function faultFilterOf(hcm: Obj): { readonly disabled: boolean; readonly config: HttpFault } | undefined {
  const f = ((hcm.http_filters as Obj[] | undefined) ?? []).find((x) => x.name === FAULT_FILTER);
  return f ? { disabled: f.disabled === true, config: (f.typed_config ?? {}) as HttpFault } : undefined;
}

/** The HTTPFault that applies: the most specific level's, else the filter's own if it is enabled. */
export function faultConfigOf(filter: { disabled: boolean; config: HttpFault }, mostSpecificFirst: readonly WithPerFilter[]): HttpFault | undefined {
  for (const level of mostSpecificFirst) {
    const c = level.typed_per_filter_config?.[FAULT_FILTER];
    if (c !== undefined) return c as HttpFault;
  }
  return filter.disabled ? undefined : filter.config;
}

const PER = { HUNDRED: 100, TEN_THOUSAND: 10_000, MILLION: 1_000_000 };

/** A share as a percent; an absent percentage is 100%. */
function percentOf(p: FractionalPercent | undefined): number {
  if (p === undefined) return 100;
  return ((p.numerator ?? 0) * 100) / PER[p.denominator ?? 'HUNDRED'];
}

/** What the fault does to a request whose roll (uniform in [0, 100)) is `roll`. */
export function faultOutcome(fault: HttpFault, roll: number): { delayMs?: number; abortStatus?: number } {
  const out: { delayMs?: number; abortStatus?: number } = {};
  const d = fault.delay;
  if (d?.fixed_delay && roll < percentOf(d.percentage)) out.delayMs = Number(d.fixed_delay.seconds ?? 0) * 1000 + (d.fixed_delay.nanos ?? 0) / 1e6;
  const a = fault.abort;
  if (a?.http_status !== undefined && roll < percentOf(a.percentage)) out.abortStatus = a.http_status;
  return out;
}

function grpcStatusOf(http: number): number {
  const map: Record<number, number> = { 400: 13, 401: 16, 403: 7, 404: 12, 429: 14, 502: 14, 503: 14, 504: 14 };
  return map[http] ?? 2;
}

/** The local reply of an abort: status, body and headers as the client sees them. */
export function abortReply(status: number, grpc: boolean): { status: number; body: string; headers: Map<string, string[]> } {
  if (grpc) {
    return { status: 200, body: '', headers: new Map([['content-type', ['application/grpc']], ['grpc-status', [String(grpcStatusOf(status))]], ['grpc-message', ['fault filter abort']]]) };
  }
  return { status, body: 'fault filter abort', headers: new Map([['content-type', ['text/plain']]]) };
}
