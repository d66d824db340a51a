// Circuit breakers per cluster (Cluster.policy.circuitBreakers; Envoy's cluster circuit_breakers):
// how many requests a cluster carries at once, and how many may wait for a connection. Counted per
// gateway process, from when a request is dispatched until its exchange finishes. Every limit is
// unlimited unless configured: Sluice has no hidden cap (net-kourier#839 was Envoy's 1024).
import type { CircuitBreakers } from '../snapshot/backend-policy.ts';
import type { Cluster } from '../snapshot/types.ts';

export type BreakerRejection = 'max_requests' | 'max_pending_requests';

/** A request waiting for a connection: `queued` is cleared the moment it is admitted, then it is told. */
export interface BreakerWaiter {
  queued: boolean;
  breakerAdmitted(): void;
}

export const ADMITTED = 0;
export const QUEUED = 1;

export class ClusterBreaker {
  /** requests dispatched and not finished */
  active = 0;
  #limits: CircuitBreakers;
  #slots: number;
  readonly #queue: BreakerWaiter[] = [];

  constructor(cluster: Cluster) {
    this.#limits = {};
    this.#slots = Number.POSITIVE_INFINITY;
    this.update(cluster);
  }

  /** Takes the limits of the cluster's latest version (a snapshot swap may change them). */
  update(cluster: Cluster): void {
    const limits = cluster.policy?.circuitBreakers ?? {};
    this.#limits = limits;
    this.#slots = connectionSlots(cluster, limits);
  }

  get pending(): number {
    return this.#queue.length;
  }

  /** Admits a request now, queues it for a connection, or refuses it. */
  enter(w: BreakerWaiter): typeof ADMITTED | typeof QUEUED | BreakerRejection {
    const max = this.#limits.maxRequests;
    if (max !== undefined && this.active >= max) return 'max_requests';
    if (this.active < this.#slots && this.#queue.length === 0) {
      this.active++;
      return ADMITTED;
    }
    const pending = this.#limits.maxPendingRequests;
    if (pending !== undefined && this.#queue.length >= pending) return 'max_pending_requests';
    w.queued = true;
    this.#queue.push(w);
    return QUEUED;
  }

  /** An admitted request finished: the longest waiting ones take the freed slots. */
  leave(): void {
    this.active--;
    const max = this.#limits.maxRequests ?? Number.POSITIVE_INFINITY;
    while (this.#queue.length > 0 && this.active < this.#slots && this.active < max) {
      this.active++;
      const w = this.#queue.shift()!;
      w.queued = false;
      // Not from inside the finishing exchange's own finish(): the waiter starts on its own turn.
      queueMicrotask(() => w.breakerAdmitted());
    }
  }

  /** A queued request went away before it was admitted. */
  cancel(w: BreakerWaiter): void {
    const i = this.#queue.indexOf(w);
    if (i >= 0) this.#queue.splice(i, 1);
  }

  get idle(): boolean {
    return this.active === 0 && this.#queue.length === 0;
  }
}

/**
 * Requests the cluster's connections can carry at once: an HTTP/1.1 connection carries one, so
 * maxConnections; an h2c cluster has one connection per endpoint, each carrying
 * maxConcurrentStreams.
 */
function connectionSlots(cluster: Cluster, limits: CircuitBreakers): number {
  if (cluster.protocol === 'h2c') {
    const streams = limits.maxConcurrentStreams;
    return streams === undefined ? Number.POSITIVE_INFINITY : streams * Math.max(1, cluster.endpoints.length);
  }
  return limits.maxConnections ?? Number.POSITIVE_INFINITY;
}
