// A Gloo Upstream's circuitBreakers, outlierDetection and healthChecks (Envoy's cluster fields in
// protobuf JSON: numbers, and durations as "1.5s") as the IR's cluster policy, the same one a
// BackendPolicy sets (gateway-api/backend-policy-ir.ts). Pure; what cannot be served is reported
// through `warn` and left out. Fields outside the served shape are warned about by
// known-fields-gloo.ts.
import { HEALTH_CHECK_DEFAULTS, OUTLIER_DEFAULTS } from '../gateway-api/backend-policy-ir.ts';
import type { BackendPolicy, CircuitBreakers, HealthCheck, OutlierDetection } from '../snapshot/backend-policy.ts';
import type { UpstreamBackendOptions, UpstreamHealthCheck } from './types.ts';

type Warn = (path: string, message: string) => void;

const PROTO_DURATION = /^(\d{1,12})(?:\.(\d{1,9}))?s$/;
const MAX_U32 = 4_294_967_295;

/** A protobuf JSON duration ("30s", "0.250s") in ms, or undefined when it is not one. */
export function protoDurationMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = PROTO_DURATION.exec(value);
  if (m === null) return undefined;
  return Number(m[1]) * 1000 + Math.round(Number(`0.${m[2] ?? '0'}`) * 1000);
}

function count(v: number | undefined, path: string, min: number, max: number, warn: Warn): number | undefined {
  if (v === undefined) return undefined;
  if (v >= min && v <= max) return v;
  warn(path, `must be ${min} to ${max}; left out`);
  return undefined;
}

function duration(v: string | undefined, path: string, warn: Warn): number | undefined {
  if (v === undefined) return undefined;
  const ms = protoDurationMs(v);
  if (ms !== undefined && ms > 0) return ms;
  warn(path, `must be a duration above 0 such as "30s"; left out`);
  return undefined;
}

function breakers(s: NonNullable<UpstreamBackendOptions['circuitBreakers']>, warn: Warn): CircuitBreakers {
  const out: { -readonly [K in keyof CircuitBreakers]: number } = {};
  for (const k of ['maxConnections', 'maxPendingRequests', 'maxRequests'] as const) {
    const v = count(s[k], `spec.circuitBreakers.${k}`, 1, MAX_U32, warn);
    if (v !== undefined) out[k] = v;
  }
  return Object.freeze(out);
}

function outlier(s: NonNullable<UpstreamBackendOptions['outlierDetection']>, warn: Warn): OutlierDetection {
  const at = 'spec.outlierDetection';
  // Envoy enforces consecutive 5xx by default (100%) and gateway failures not at all (0%); any
  // other percentage is taken as on.
  const on5xx = (count(s.enforcingConsecutive5xx, `${at}.enforcingConsecutive5xx`, 0, 100, warn) ?? 100) > 0;
  const onGateway = (count(s.enforcingConsecutiveGatewayFailure, `${at}.enforcingConsecutiveGatewayFailure`, 0, 100, warn) ?? 0) > 0;
  return Object.freeze({
    consecutive5xx: on5xx ? (count(s.consecutive5xx, `${at}.consecutive5xx`, 0, 1_000_000, warn) ?? OUTLIER_DEFAULTS.consecutive5xx) : 0,
    consecutiveGatewayFailure: onGateway ? (count(s.consecutiveGatewayFailure, `${at}.consecutiveGatewayFailure`, 0, 1_000_000, warn) ?? 5) : 0,
    consecutiveConnectFailure: 0,
    baseEjectionMs: duration(s.baseEjectionTime, `${at}.baseEjectionTime`, warn) ?? OUTLIER_DEFAULTS.baseEjectionMs,
    maxEjectionPercent: count(s.maxEjectionPercent, `${at}.maxEjectionPercent`, 0, 100, warn) ?? OUTLIER_DEFAULTS.maxEjectionPercent,
  });
}

function healthCheck(list: readonly UpstreamHealthCheck[], warn: Warn): HealthCheck | undefined {
  if (list.length > 1) warn('spec.healthChecks', 'only the first health check is served');
  const h = list[0];
  if (h === undefined) return undefined;
  const http = h.httpHealthCheck;
  if (http?.path === undefined || !/^\/[\x21-\x7e]*$/.test(http.path)) {
    warn('spec.healthChecks[0]', 'only an httpHealthCheck with a path (starting with /) is served: this health check is left out');
    return undefined;
  }
  const ranges = (http.expectedStatuses ?? [])
    .filter((r) => Number.isInteger(r.start) && Number.isInteger(r.end) && r.start! >= 100 && r.end! > r.start! && r.end! <= 600)
    // Envoy's Int64Range end is exclusive.
    .map((r): readonly [number, number] => [r.start!, r.end! - 1])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (ranges.length !== (http.expectedStatuses ?? []).length) warn('spec.healthChecks[0].httpHealthCheck.expectedStatuses', 'ranges must be within 100 to 600 with start below end; the others are left out');
  return Object.freeze({
    path: http.path,
    ...(http.host !== undefined && /^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(http.host) && { host: http.host }),
    intervalMs: duration(h.interval, 'spec.healthChecks[0].interval', warn) ?? HEALTH_CHECK_DEFAULTS.intervalMs,
    timeoutMs: duration(h.timeout, 'spec.healthChecks[0].timeout', warn) ?? HEALTH_CHECK_DEFAULTS.timeoutMs,
    healthyThreshold: count(h.healthyThreshold, 'spec.healthChecks[0].healthyThreshold', 1, 1000, warn) ?? HEALTH_CHECK_DEFAULTS.healthyThreshold,
    unhealthyThreshold: count(h.unhealthyThreshold, 'spec.healthChecks[0].unhealthyThreshold', 1, 1000, warn) ?? HEALTH_CHECK_DEFAULTS.unhealthyThreshold,
    expectedStatuses: Object.freeze(ranges.length > 0 ? ranges : [[200, 200] as const]),
  });
}

/** The Upstream's cluster policy, or undefined when it sets none of the three. */
export function upstreamPolicy(key: string, spec: UpstreamBackendOptions, warn: Warn): BackendPolicy | undefined {
  const hc = spec.healthChecks === undefined ? undefined : healthCheck(spec.healthChecks, warn);
  if (spec.circuitBreakers === undefined && spec.outlierDetection === undefined && hc === undefined) return undefined;
  return Object.freeze({
    source: `Upstream ${key}`,
    ...(spec.circuitBreakers !== undefined && { circuitBreakers: breakers(spec.circuitBreakers, warn) }),
    ...(spec.outlierDetection !== undefined && { outlierDetection: outlier(spec.outlierDetection, warn) }),
    ...(hc !== undefined && { healthCheck: hc }),
  });
}
