// The data plane's side of BackendPolicy: one object per DataPlane holding each cluster's circuit
// breaker (circuit-breaker.ts), outlier records (outlier.ts) and health checks (health-check.ts),
// keyed by cluster name so they survive snapshot swaps. The exchange asks it to admit a request
// and tells it how the request ended; the pickers ask it which endpoints are available.
import type { Registry } from 'prom-client';
import type { SnapshotChange } from '../snapshot/change.ts';
import type { Cluster, Endpoint } from '../snapshot/types.ts';
import { BackendMetrics } from './backend-metrics.ts';
import { ADMITTED, type BreakerWaiter, ClusterBreaker, QUEUED } from './circuit-breaker.ts';
import type { EndpointGate } from './endpoint-gate.ts';
import { HealthChecks } from './health-check.ts';
import { originOf } from './live-origins.ts';
import { type LocalReply, textReply } from './local-reply.ts';
import { ClusterOutliers, type EndpointResult } from './outlier.ts';
import { upstreamErrorReason } from './upstream-errors.ts';

/** A request's place in its cluster's breaker, from admission until its exchange finishes. */
export class BackendTicket implements BreakerWaiter {
  /** waiting for a connection (QUEUED) */
  queued = false;
  /** its exchange finished (an exchange of the fast path may be carrying its next request by then) */
  closed = false;
  constructor(
    readonly cluster: Cluster,
    readonly breaker: ClusterBreaker,
    readonly exchange: { breakerAdmitted(): void },
  ) {}

  breakerAdmitted(): void {
    if (!this.closed) this.exchange.breakerAdmitted();
  }
}

// Envoy marks the 503s of an open circuit breaker with this header; clients and retry policies
// written for Envoy recognise it.
export const OVERLOADED_HEADER = 'x-envoy-overloaded';
const overloaded = (reason: string): LocalReply => textReply(503, `upstream overloaded: circuit breaker ${reason}`, [[OVERLOADED_HEADER, 'true']]);
const OVERLOADED: Readonly<Record<string, LocalReply>> = { max_requests: overloaded('max_requests'), max_pending_requests: overloaded('max_pending_requests') };

/** The failure statuses of a forwarded exchange, and what kind of failure each is. */
function resultOf(status: number, outcome: Error | string | undefined): EndpointResult | undefined {
  if (outcome === 'reset_after_headers') return status >= 500 ? '5xx' : 'success';
  if (outcome === 'timeout') return 'gateway';
  if (outcome !== undefined) {
    const reason = typeof outcome === 'string' ? outcome : upstreamErrorReason(outcome as Error & { code?: string });
    return reason === 'connection_refused' || reason === 'connect_timeout' || reason === 'unreachable' || reason === 'dns' ? 'connect' : 'gateway';
  }
  // The client went away: says nothing about the endpoint.
  if (status === 499) return undefined;
  if (status === 502 || status === 503 || status === 504) return 'gateway';
  return status >= 500 ? '5xx' : 'success';
}

export class BackendGuards implements EndpointGate {
  readonly #breakers = new Map<string, ClusterBreaker>();
  readonly #outliers = new Map<string, ClusterOutliers>();
  readonly health: HealthChecks;
  readonly #metrics: BackendMetrics;
  /** the cluster list followed last, and its clusters with a policy by name */
  #followed: readonly Cluster[] | undefined;
  readonly #withPolicy = new Map<string, Cluster>();
  /** clusters gone from the snapshot whose breaker was busy: looked at again on each change until idle */
  readonly #lingering = new Set<string>();

  constructor(registry: Registry) {
    this.#metrics = new BackendMetrics(registry);
    this.health = new HealthChecks((cluster, _endpoint, healthy) => this.#metrics.healthTransitions.labels(cluster, healthy ? 'healthy' : 'unhealthy').inc());
  }

  /** Admits a request to a cluster with a policy: a ticket (maybe queued), or the 503 to answer. */
  admit(cluster: Cluster, exchange: { breakerAdmitted(): void }): BackendTicket | LocalReply {
    let b = this.#breakers.get(cluster.name);
    if (b === undefined) this.#breakers.set(cluster.name, (b = new ClusterBreaker(cluster)));
    else b.update(cluster);
    const ticket = new BackendTicket(cluster, b, exchange);
    const v = b.enter(ticket);
    if (v === ADMITTED || v === QUEUED) return ticket;
    this.#metrics.rejections.labels(cluster.name, v).inc();
    return OVERLOADED[v]!;
  }

  /** The exchange finished: frees its place; a forwarded one counts for its endpoint. */
  done(ticket: BackendTicket, endpoint: Endpoint | undefined, forwarded: boolean, status: number, outcome: Error | string | undefined): void {
    ticket.closed = true;
    if (ticket.queued) {
      ticket.breaker.cancel(ticket);
      return;
    }
    ticket.breaker.leave();
    if (forwarded) this.#record(ticket, endpoint, resultOf(status, outcome));
  }

  /** An attempt that a retry follows (retry.ts): it counts for the endpoint it went to. */
  retrying(ticket: BackendTicket, endpoint: Endpoint | undefined, cause: number | string): void {
    this.#record(ticket, endpoint, typeof cause === 'number' ? resultOf(cause, undefined) : resultOf(503, cause));
  }

  #record(ticket: BackendTicket, endpoint: Endpoint | undefined, result: EndpointResult | undefined): void {
    const od = ticket.cluster.policy?.outlierDetection;
    if (od === undefined || endpoint === undefined || result === undefined) return;
    const name = ticket.cluster.name;
    let o = this.#outliers.get(name);
    if (o === undefined) this.#outliers.set(name, (o = new ClusterOutliers()));
    const reason = o.record(od, originOf(endpoint), result, ticket.cluster.endpoints.length, Date.now());
    if (reason !== undefined) this.#metrics.ejections.labels(name, reason).inc();
  }

  available(cluster: Cluster, endpoint: Endpoint, now: number): boolean {
    const origin = originOf(endpoint);
    if (this.#outliers.get(cluster.name)?.ejected(origin, now) === true) return false;
    return this.health.healthy(cluster.name, origin);
  }

  /**
   * Follows a snapshot change: from its cluster diff when it leads from the list followed last (an
   * edit touches a few clusters of 20,000: only those are looked at), else from the whole list.
   */
  followChange(change: SnapshotChange): void {
    const clusters = change.snapshot.clusters;
    if (clusters === this.#followed) return;
    const diff = change.diffs?.clusters;
    if (diff === undefined || this.#followed === undefined || change.previous?.clusters !== this.#followed) {
      this.follow(clusters);
      return;
    }
    this.#followed = clusters;
    const touched = new Set(this.#lingering);
    // Removed first: a replaced cluster is in both lists under the same name.
    for (const c of diff.removed) {
      if (this.#withPolicy.get(c.name) !== c) continue;
      this.#withPolicy.delete(c.name);
      touched.add(c.name);
    }
    for (const c of diff.added) {
      if (c.policy === undefined) continue;
      this.#withPolicy.set(c.name, c);
      touched.add(c.name);
    }
    for (const name of touched) this.#settle(name);
  }

  /** Follows a new snapshot's whole cluster list: health checkers to its clusters, and state of clusters gone dropped. */
  follow(clusters: readonly Cluster[]): void {
    this.#followed = clusters;
    this.#withPolicy.clear();
    for (const c of clusters) if (c.policy !== undefined) this.#withPolicy.set(c.name, c);
    this.health.follow(clusters);
    for (const name of [...this.#breakers.keys(), ...this.#outliers.keys()]) this.#settle(name, false);
  }

  /** Drops the state of `name` when no cluster with a policy has it (a busy breaker once idle). */
  #settle(name: string, health = true): void {
    const c = this.#withPolicy.get(name);
    if (health) this.health.followOne(name, c);
    this.#lingering.delete(name);
    if (c !== undefined) return;
    this.#outliers.delete(name);
    const b = this.#breakers.get(name);
    if (b === undefined) return;
    if (b.idle) this.#breakers.delete(name);
    else this.#lingering.add(name);
  }

  /** What /status shows: per cluster with a policy, its limits' use, ejections and health. */
  report(clusters: readonly Cluster[]): object[] {
    const now = Date.now();
    const health = new Map(this.health.report().map((h) => [h.cluster, h.endpoints]));
    return clusters
      .filter((c) => c.policy !== undefined)
      .map((c) => {
        const b = this.#breakers.get(c.name);
        return {
          cluster: c.name,
          policy: c.policy!.source,
          circuitBreakers: { ...UNLIMITED, ...c.policy!.circuitBreakers, active: b?.active ?? 0, pending: b?.pending ?? 0 },
          ejected: this.#outliers.get(c.name)?.list(now) ?? [],
          ...(health.has(c.name) && { health: health.get(c.name) }),
        };
      });
  }

  stop(): void {
    this.health.stop();
  }
}

/** The limits as /status spells the unset ones: no hidden default. */
const UNLIMITED = { maxConnections: 'unlimited', maxPendingRequests: 'unlimited', maxRequests: 'unlimited', maxConcurrentStreams: 'unlimited' } as const;
