// A cluster's BackendPolicy (snapshot/backend-policy.ts) as Envoy Cluster fields: circuit_breakers,
// outlier_detection, health_checks. Thresholds are stated on every cluster: Envoy's own default
// (1024 connections, pending and requests) is the hidden cap net-kourier#839 hit; Sluice's default
// is unlimited in both data planes, so it says so.
import type { CircuitBreakers, HealthCheck, OutlierDetection } from '../snapshot/backend-policy.ts';
import type { Cluster } from '../snapshot/types.ts';
import type { ProtoObject } from './encode.ts';

/** The largest uint32: Envoy's way to say "no limit". */
const UNLIMITED = 4_294_967_295;

const u32 = (n: number | undefined): ProtoObject => ({ value: n ?? UNLIMITED });

function duration(ms: number): ProtoObject {
  const seconds = Math.floor(ms / 1000);
  const nanos = Math.round((ms - seconds * 1000) * 1e6);
  return { ...(seconds > 0 && { seconds }), ...(nanos > 0 && { nanos }) };
}

function circuitBreakers(b: CircuitBreakers | undefined): ProtoObject {
  return { thresholds: [{ priority: 'DEFAULT', max_connections: u32(b?.maxConnections), max_pending_requests: u32(b?.maxPendingRequests), max_requests: u32(b?.maxRequests) }] };
}

function outlierDetection(o: OutlierDetection): ProtoObject {
  const connect = o.consecutiveConnectFailure > 0;
  return {
    consecutive_5xx: { value: o.consecutive5xx },
    enforcing_consecutive_5xx: { value: o.consecutive5xx > 0 ? 100 : 0 },
    ...(o.consecutiveGatewayFailure > 0 && { consecutive_gateway_failure: { value: o.consecutiveGatewayFailure }, enforcing_consecutive_gateway_failure: { value: 100 } }),
    // Connect failures are Envoy's local-origin errors, counted apart only in split mode.
    ...(connect && {
      split_external_local_origin_errors: true,
      consecutive_local_origin_failure: { value: o.consecutiveConnectFailure },
      enforcing_consecutive_local_origin_failure: { value: 100 },
    }),
    // Envoy also ejects by success rate unless told not to; Sluice's data plane does not.
    enforcing_success_rate: { value: 0 },
    base_ejection_time: duration(o.baseEjectionMs),
    max_ejection_percent: { value: o.maxEjectionPercent },
  };
}

function healthCheck(h: HealthCheck, protocol: Cluster['protocol']): ProtoObject {
  return {
    timeout: duration(h.timeoutMs),
    interval: duration(h.intervalMs),
    healthy_threshold: { value: h.healthyThreshold },
    unhealthy_threshold: { value: h.unhealthyThreshold },
    http_health_check: {
      path: h.path,
      ...(h.host !== undefined && { host: h.host }),
      // Int64Range: the end is exclusive.
      expected_statuses: h.expectedStatuses.map(([from, to]) => ({ start: from, end: to + 1 })),
      // Probed as the cluster is spoken to (the data plane does the same).
      ...(protocol === 'h2c' && { codec_client_type: 'HTTP2' }),
    },
  };
}

/** The policy's Cluster fields (thresholds always). */
export function clusterPolicyFields(c: Cluster): ProtoObject {
  const p = c.policy;
  return {
    circuit_breakers: circuitBreakers(p?.circuitBreakers),
    ...(p?.outlierDetection !== undefined && { outlier_detection: outlierDetection(p.outlierDetection) }),
    ...(p?.healthCheck !== undefined && { health_checks: [healthCheck(p.healthCheck, c.protocol)] }),
  };
}

/** HTTP/2 options of an h2c cluster: streams per connection when the policy limits them. */
export function http2Limits(c: Cluster): ProtoObject {
  const streams = c.policy?.circuitBreakers?.maxConcurrentStreams;
  return streams === undefined ? {} : { max_concurrent_streams: { value: streams } };
}
