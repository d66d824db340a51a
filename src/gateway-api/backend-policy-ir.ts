// A validated BackendPolicy spec as the IR's cluster policy (snapshot/backend-policy.ts), with every
// default filled in, so the data plane and xDS read the same numbers.
import type { BackendPolicy as PolicyIR, CircuitBreakers, HealthCheck, OutlierDetection } from '../snapshot/backend-policy.ts';
import type { BackendPolicy, CircuitBreakersSpec, HealthCheckSpec, OutlierDetectionSpec } from './backend-policy-types.ts';
import { durationMs } from './spec-values.ts';

/** Envoy's outlier detection defaults. */
export const OUTLIER_DEFAULTS = { consecutive5xx: 5, consecutiveGatewayFailure: 0, consecutiveConnectFailure: 0, baseEjectionMs: 30_000, maxEjectionPercent: 10 } as const;
export const HEALTH_CHECK_DEFAULTS = { intervalMs: 10_000, timeoutMs: 1000, healthyThreshold: 2, unhealthyThreshold: 3 } as const;

export function backendPolicyOf(p: BackendPolicy): PolicyIR {
  const s = p.spec;
  return Object.freeze({
    source: `${p.metadata.namespace ?? 'default'}/${p.metadata.name}`,
    ...(s.circuitBreakers !== undefined && { circuitBreakers: breakersOf(s.circuitBreakers) }),
    ...(s.outlierDetection !== undefined && { outlierDetection: outlierOf(s.outlierDetection) }),
    ...(s.healthCheck !== undefined && { healthCheck: healthCheckOf(s.healthCheck) }),
  });
}

function breakersOf(s: CircuitBreakersSpec): CircuitBreakers {
  const out: { -readonly [K in keyof CircuitBreakers]: number } = {};
  for (const k of ['maxConnections', 'maxPendingRequests', 'maxRequests', 'maxConcurrentStreams'] as const) if (s[k] !== undefined) out[k] = s[k];
  return Object.freeze(out);
}

export function outlierOf(s: OutlierDetectionSpec): OutlierDetection {
  return Object.freeze({
    consecutive5xx: s.consecutive5xx ?? OUTLIER_DEFAULTS.consecutive5xx,
    consecutiveGatewayFailure: s.consecutiveGatewayFailure ?? OUTLIER_DEFAULTS.consecutiveGatewayFailure,
    consecutiveConnectFailure: s.consecutiveConnectFailure ?? OUTLIER_DEFAULTS.consecutiveConnectFailure,
    baseEjectionMs: durationMs(s.baseEjectionTime) ?? OUTLIER_DEFAULTS.baseEjectionMs,
    maxEjectionPercent: s.maxEjectionPercent ?? OUTLIER_DEFAULTS.maxEjectionPercent,
  });
}

function healthCheckOf(s: HealthCheckSpec): HealthCheck {
  return Object.freeze({
    path: s.path,
    ...(s.host !== undefined && { host: s.host }),
    intervalMs: durationMs(s.interval) ?? HEALTH_CHECK_DEFAULTS.intervalMs,
    timeoutMs: durationMs(s.timeout) ?? HEALTH_CHECK_DEFAULTS.timeoutMs,
    healthyThreshold: s.healthyThreshold ?? HEALTH_CHECK_DEFAULTS.healthyThreshold,
    unhealthyThreshold: s.unhealthyThreshold ?? HEALTH_CHECK_DEFAULTS.unhealthyThreshold,
    expectedStatuses: Object.freeze(statusRanges(s.expectedStatuses ?? [200])),
  });
}

/** `200` and `"200-299"` as sorted inclusive ranges; validation has checked each. */
export function statusRanges(list: readonly (number | string)[]): (readonly [number, number])[] {
  const ranges = list.map((v): readonly [number, number] => {
    if (typeof v === 'number') return [v, v];
    const [from, to = from] = v.split('-').map((x) => Number(x.trim())) as [number, number?];
    return [from, to];
  });
  return ranges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}
