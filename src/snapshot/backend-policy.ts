// The cluster-side policy of the IR (Cluster.policy): circuit breakers, passive outlier detection and
// active HTTP health checks, as a BackendPolicy (src/gateway-api/backend-policy-*.ts) or a Gloo
// Upstream's options set them. Plain frozen values with every default filled in by the translator,
// so the data plane and the xDS translator read the same numbers (nothing hidden).

/** Limits per cluster; absent: unlimited (Sluice's default, unlike Envoy's hidden 1024). */
export interface CircuitBreakers {
  /** upstream connections in use at once (HTTP/1.1 carries one request per connection) */
  readonly maxConnections?: number;
  /** requests waiting for a connection under maxConnections / maxConcurrentStreams */
  readonly maxPendingRequests?: number;
  /** requests in flight to the cluster at once */
  readonly maxRequests?: number;
  /** h2c clusters: streams in flight at once on each endpoint's connection */
  readonly maxConcurrentStreams?: number;
}

export interface OutlierDetection {
  /** consecutive 5xx answers (or connect failures, resets, timeouts) that eject an endpoint; 0: off */
  readonly consecutive5xx: number;
  /** consecutive 502/503/504 answers (or connect failures, resets, timeouts); 0: off */
  readonly consecutiveGatewayFailure: number;
  /** consecutive connect failures (refused, unreachable, connect timeout); 0: off */
  readonly consecutiveConnectFailure: number;
  /** the first ejection's length, ms; the n-th lasts n times this */
  readonly baseEjectionMs: number;
  /** at most this percent of the cluster's endpoints are ejected at once (at least one endpoint) */
  readonly maxEjectionPercent: number;
}

export interface HealthCheck {
  /** request path of each probe (GET) */
  readonly path: string;
  /** Host of each probe; absent: the endpoint's address */
  readonly host?: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** passes in a row that make an unhealthy endpoint healthy */
  readonly healthyThreshold: number;
  /** failures in a row that make a healthy endpoint unhealthy */
  readonly unhealthyThreshold: number;
  /** statuses that pass, as inclusive [from, to] ranges, sorted */
  readonly expectedStatuses: readonly (readonly [number, number])[];
}

export interface BackendPolicy {
  /** `namespace/name` of the BackendPolicy (or `Upstream namespace/name`) it came from */
  readonly source: string;
  readonly circuitBreakers?: CircuitBreakers;
  readonly outlierDetection?: OutlierDetection;
  readonly healthCheck?: HealthCheck;
}
