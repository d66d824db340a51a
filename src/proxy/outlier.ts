// Passive outlier detection per cluster (Cluster.policy.outlierDetection; Envoy's outlier_detection):
// each finished exchange tells how its endpoint did; enough consecutive failures eject the endpoint
// from picking for baseEjectionTime times the number of ejections in a row, for at most
// maxEjectionPercent of the cluster (at least one endpoint, as Envoy). Ejections end lazily: an
// endpoint is back as soon as its time is up, with its counts cleared.
import type { OutlierDetection } from '../snapshot/backend-policy.ts';

/** How an exchange went for its endpoint. `connect`: never connected; `gateway`: reset, timeout, 502-504. */
export type EndpointResult = 'success' | '5xx' | 'gateway' | 'connect';

export type EjectionReason = 'consecutive_5xx' | 'consecutive_gateway_failure' | 'consecutive_connect_failure';

interface EndpointRecord {
  c5xx: number;
  gateway: number;
  connect: number;
  /** ejections in a row (reset once the endpoint stays in for a base ejection time) */
  ejections: number;
  /** ms (Date.now()) until which it is ejected; 0: never was */
  until: number;
}

export interface Ejected {
  readonly endpoint: string;
  readonly until: string;
  readonly ejections: number;
}

export class ClusterOutliers {
  /** by endpoint origin */
  readonly #records = new Map<string, EndpointRecord>();

  /** Whether the endpoint is out of picking at `now`. */
  ejected(origin: string, now: number): boolean {
    const r = this.#records.get(origin);
    return r !== undefined && r.until > now;
  }

  /**
   * Counts a result; returns why the endpoint was ejected by it, or undefined. `size` is the
   * cluster's endpoint count (for maxEjectionPercent).
   */
  record(policy: OutlierDetection, origin: string, result: EndpointResult, size: number, now: number): EjectionReason | undefined {
    let r = this.#records.get(origin);
    if (result === 'success') {
      if (r !== undefined && r.until <= now) r.c5xx = r.gateway = r.connect = 0;
      return undefined;
    }
    if (r === undefined) this.#records.set(origin, (r = { c5xx: 0, gateway: 0, connect: 0, ejections: 0, until: 0 }));
    // Answers from before an ejection that come in during it change nothing.
    if (r.until > now) return undefined;
    // Each count is of failures of its kind in a row: a failure of another kind breaks the row.
    r.c5xx++;
    r.gateway = result === '5xx' ? 0 : r.gateway + 1;
    r.connect = result === 'connect' ? r.connect + 1 : 0;
    const reason = tripped(policy, r);
    if (reason === undefined || !this.#room(policy, size, now)) return undefined;
    if (now - r.until > policy.baseEjectionMs * Math.max(1, r.ejections)) r.ejections = 0;
    r.ejections++;
    r.until = now + policy.baseEjectionMs * r.ejections;
    r.c5xx = r.gateway = r.connect = 0;
    return reason;
  }

  /** Whether one more endpoint may be ejected. */
  #room(policy: OutlierDetection, size: number, now: number): boolean {
    let out = 0;
    for (const r of this.#records.values()) if (r.until > now) out++;
    return out < Math.max(1, Math.floor((size * policy.maxEjectionPercent) / 100));
  }

  /** The endpoints ejected at `now`, sorted, for /status. */
  list(now: number): Ejected[] {
    const out: Ejected[] = [];
    for (const [endpoint, r] of this.#records) if (r.until > now) out.push({ endpoint, until: new Date(r.until).toISOString(), ejections: r.ejections });
    return out.sort((a, b) => (a.endpoint < b.endpoint ? -1 : 1));
  }

  /** Forgets endpoints the cluster no longer has. */
  keep(origins: ReadonlySet<string>): void {
    for (const o of this.#records.keys()) if (!origins.has(o)) this.#records.delete(o);
  }
}

function tripped(p: OutlierDetection, r: EndpointRecord): EjectionReason | undefined {
  if (p.consecutiveConnectFailure > 0 && r.connect >= p.consecutiveConnectFailure) return 'consecutive_connect_failure';
  if (p.consecutiveGatewayFailure > 0 && r.gateway >= p.consecutiveGatewayFailure) return 'consecutive_gateway_failure';
  if (p.consecutive5xx > 0 && r.c5xx >= p.consecutive5xx) return 'consecutive_5xx';
  return undefined;
}
