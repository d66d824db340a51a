// The `sluice.dev/v1alpha1` BackendPolicy kind: cluster-side settings (circuit breakers, outlier
// detection, active health checks) attached by `targetRefs` (GEP-713) to a core Service or a Gloo
// Upstream in the policy's namespace. Every route sending to that Service (a Knative revision's
// included) or Upstream gets them. Validated by src/api/validate-backend-policy.ts.
import type { ObjectMeta } from '../api/types.ts';
import type { SLUICE_API_V1ALPHA1 } from './traffic-policy-types.ts';

export interface BackendPolicyTargetRef {
  /** `''` (core) for a Service, `gloo.solo.io` for an Upstream */
  group: string;
  kind: 'Service' | 'Upstream';
  name: string;
  /** a Service's port, by name: the policy applies to that port's clusters only, before the Service's */
  sectionName?: string;
}

export interface CircuitBreakersSpec {
  maxConnections?: number;
  maxPendingRequests?: number;
  maxRequests?: number;
  maxConcurrentStreams?: number;
}

export interface OutlierDetectionSpec {
  /** default 5 (Envoy's); 0: off */
  consecutive5xx?: number;
  /** default 0: off (as Envoy enforces it) */
  consecutiveGatewayFailure?: number;
  /** default 0: off */
  consecutiveConnectFailure?: number;
  /** a Gateway API duration; default 30s */
  baseEjectionTime?: string;
  /** default 10 */
  maxEjectionPercent?: number;
}

export interface HealthCheckSpec {
  path: string;
  host?: string;
  /** Gateway API durations; defaults 10s and 1s */
  interval?: string;
  timeout?: string;
  /** defaults 2 and 3 */
  healthyThreshold?: number;
  unhealthyThreshold?: number;
  /** statuses (`200`) or ranges (`"200-399"`); default [200] (Envoy's) */
  expectedStatuses?: (number | string)[];
}

export interface BackendPolicy {
  apiVersion: typeof SLUICE_API_V1ALPHA1;
  kind: 'BackendPolicy';
  metadata: ObjectMeta;
  spec: {
    targetRefs: BackendPolicyTargetRef[];
    circuitBreakers?: CircuitBreakersSpec;
    outlierDetection?: OutlierDetectionSpec;
    healthCheck?: HealthCheckSpec;
  };
}
