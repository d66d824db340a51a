// Connection pools to upstream endpoints, keyed by origin so they survive snapshot swaps.
// A Cluster picks an endpoint round-robin; the pool for that endpoint's origin carries the request.
import type { Pool } from 'undici';
import { lazyPackage } from '../lazy-package.ts';
import type { Cluster, Endpoint } from '../snapshot/types.ts';
import { type EndpointGate, gatedIndex } from './endpoint-gate.ts';
import { originOf, type LiveOrigins } from './live-origins.ts';

export interface UpstreamOptions {
  /** idle keep-alive time for upstream sockets, ms */
  readonly keepAliveTimeout: number;
  /** connect timeout, ms */
  readonly connectTimeout: number;
}

// undici is loaded with the first pool: traffic the fast path carries (HTTP/1.1 upstreams) needs none.
const undici = lazyPackage<typeof import('undici')>('undici');

export const defaultUpstreamOptions: UpstreamOptions = { keepAliveTimeout: 30_000, connectTimeout: 10_000 };

export interface Pick {
  readonly endpoint: Endpoint;
  readonly origin: string;
  readonly pool: Pool;
}

export class Upstreams {
  readonly #pools = new Map<string, Pool>();
  readonly #cursor = new Map<string, number>();
  readonly #options: UpstreamOptions;
  /** skips ejected and unhealthy endpoints of clusters with a BackendPolicy (set by the DataPlane) */
  gate: EndpointGate | undefined;

  constructor(options: UpstreamOptions = defaultUpstreamOptions) {
    this.#options = options;
  }

  /** Round-robin over the cluster's endpoints; undefined when it has none. */
  pick(cluster: Cluster): Pick | undefined {
    const eps = cluster.endpoints;
    if (eps.length === 0) return undefined;
    let i = 0;
    if (eps.length > 1) {
      i = (this.#cursor.get(cluster.name) ?? 0) % eps.length;
      if (cluster.policy !== undefined && this.gate !== undefined) i = gatedIndex(cluster, i, this.gate);
      this.#cursor.set(cluster.name, i + 1);
    }
    const endpoint = eps[i]!;
    const origin = originOf(endpoint);
    return { endpoint, origin, pool: this.pool(origin) };
  }

  pool(origin: string): Pool {
    let pool = this.#pools.get(origin);
    if (!pool) {
      pool = new (undici().Pool)(origin, {
        // No timeouts on upstream responses by default (DESIGN: a 10 s pause passes through).
        headersTimeout: 0,
        bodyTimeout: 0,
        keepAliveTimeout: this.#options.keepAliveTimeout,
        connectTimeout: this.#options.connectTimeout,
        pipelining: 1,
      });
      this.#pools.set(origin, pool);
    }
    return pool;
  }

  /** Closes pools no cluster of the snapshot uses any more (in-flight requests finish first). */
  prune(live: LiveOrigins): void {
    for (const [origin, pool] of this.#pools) {
      if (!live.has(origin)) {
        this.#pools.delete(origin);
        pool.close().catch(() => {});
      }
    }
    for (const name of this.#cursor.keys()) if (!live.hasCluster(name)) this.#cursor.delete(name);
  }

  /** Open and idle connections per origin (undici's pool stats; for the metrics, read at scrape time). */
  connectionsByOrigin(): Map<string, { open: number; idle: number }> {
    const out = new Map<string, { open: number; idle: number }>();
    for (const [origin, pool] of this.#pools) out.set(origin, { open: pool.stats.connected, idle: pool.stats.free });
    return out;
  }

  get size(): number {
    return this.#pools.size;
  }

  async close(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((p) => p.close().catch(() => {})));
  }

  /** Ends every pool at once, failing in-flight requests (used after the drain deadline). */
  async destroy(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((p) => p.destroy().catch(() => {})));
  }
}

