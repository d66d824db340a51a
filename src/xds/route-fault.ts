// IR faults -> Envoy's fault filter (envoy.filters.http.fault). The filter sits in a connection
// manager's chain, disabled, only when some route of the snapshot injects faults; each such route
// (or weighted cluster) enables it with its own HTTPFault as per-filter config. The limits are
// the data plane's (src/proxy/fault.ts): a fault that cannot fire is left out.
import type { RouteFilter, Snapshot } from '../snapshot/types.ts';
import { typed, type ProtoObject } from './encode.ts';

export type FaultFilter = Extract<RouteFilter, { type: 'fault' }>;

export const FAULT_FILTER_NAME = 'envoy.filters.http.fault';
const HTTP_FAULT = 'envoy.extensions.filters.http.fault.v3.HTTPFault';
const MAX_DELAY_MS = 86_400_000;

/** In the chain before the router, off unless a route's per-filter config turns it on. */
export const FAULT_FILTER: ProtoObject = { name: FAULT_FILTER_NAME, typed_config: typed(HTTP_FAULT, {}), disabled: true };

const share = (percent: number) => (Number.isFinite(percent) ? Math.min(100, Math.max(0, percent)) : 0);

/** A share of requests: whole percents per hundred, others per million. */
function fractionalPercent(percent: number): ProtoObject {
  const p = share(percent);
  return Number.isInteger(p) ? { numerator: p, denominator: 'HUNDRED' } : { numerator: Math.round(p * 10_000), denominator: 'MILLION' };
}

function duration(ms: number): ProtoObject {
  const seconds = Math.floor(ms / 1000);
  const nanos = Math.round((ms - seconds * 1000) * 1e6);
  return { seconds: seconds || undefined, nanos: nanos || undefined };
}

/** The HTTPFault of `f`, or undefined when nothing of it can fire. */
function httpFault(f: FaultFilter): ProtoObject | undefined {
  const a = f.abort;
  const d = f.delay;
  const abort = a !== undefined && share(a.percent) > 0 && Number.isInteger(a.status) && a.status >= 200 && a.status <= 599 ? { http_status: a.status, percentage: fractionalPercent(a.percent) } : undefined;
  const delay = d !== undefined && share(d.percent) > 0 && Number.isFinite(d.ms) && d.ms > 0 && d.ms <= MAX_DELAY_MS ? { fixed_delay: duration(d.ms), percentage: fractionalPercent(d.percent) } : undefined;
  return abort === undefined && delay === undefined ? undefined : typed(HTTP_FAULT, { abort, delay });
}

/** A route's (or weighted cluster's) per-filter config entry for its fault; undefined: none. */
export function faultPerFilterConfig(f: FaultFilter | undefined): ProtoObject | undefined {
  const config = f === undefined ? undefined : httpFault(f);
  return config === undefined ? undefined : { [FAULT_FILTER_NAME]: config };
}

/** Whether any route or backend of the snapshot injects a fault that can fire. */
export function injectsFaults(snapshot: Snapshot): boolean {
  const vhosts = [...snapshot.listeners.external, ...snapshot.listeners.local, ...snapshot.ports.flatMap((p) => p.virtualHosts)];
  const hasFault = (filters: readonly RouteFilter[]) => filters.some((f) => f.type === 'fault' && httpFault(f) !== undefined);
  return vhosts.some((v) => v.routes.some((r) => hasFault(r.filters) || r.splits.some((s) => hasFault(s.filters))));
}
