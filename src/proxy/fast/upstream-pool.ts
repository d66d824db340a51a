// Keep-alive raw sockets to upstream origins, one request at a time per socket (no pipelining).
// Keyed by origin (`http://address:port`), not by cluster, so they survive snapshot swaps like Upstreams' pools;
// one pool serves every listener (the DataPlane owns it), and a swap closes the idle sockets to
// endpoints no cluster uses any more (busy ones close when their response is done).
import net from 'node:net';
import type { Cluster, Endpoint } from '../../snapshot/types.ts';
import { type EndpointGate, gatedIndex } from '../endpoint-gate.ts';
import { originOf, type LiveOrigins } from '../live-origins.ts';
import { defaultUpstreamOptions } from '../upstreams.ts';

/** Methods a stale keep-alive connection may be retried for: they mean the same when repeated. */
export const IDEMPOTENT: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/** Bytes per upstream read, as node reads by default. */
export const READ_BUFFER_BYTES = 64 * 1024;

/** Upstream response heads: generous, they are not attacker-sized. */
export const RESPONSE_LIMITS = { maxHeaderSize: 64 * 1024, maxHeadersCount: 500 } as const;

/** What an upstream connection reports to the exchange that holds it. */
export interface UpstreamOwner {
  /** `chunk` is a view of the connection's read buffer: see keepsReadBuffer */
  upstreamData(conn: UpstreamConn, chunk: Buffer): void;
  /**
   * Asked right after upstreamData: whether anything still refers to the bytes it was given (a
   * write not yet flushed, a partial head kept). The connection then reads into a new buffer.
   */
  keepsReadBuffer(): boolean;
  /** the upstream closed (FIN, reset or error) while this owner held the connection */
  upstreamClosed(conn: UpstreamConn, err: (Error & { code?: string }) | undefined): void;
  upstreamDrain(): void;
}

export class UpstreamConn {
  readonly socket: net.Socket;
  readonly key: string;
  owner: UpstreamOwner | null = null;
  /** has carried a request before (a failure on it may just be a keep-alive race) */
  reused = false;
  /** ms timestamp after which an idle connection is dropped */
  expires = 0;
  #error: (Error & { code?: string }) | undefined;
  readonly #pool: FastUpstreams;
  /** the buffer the next read goes into (undefined: allocate one) */
  #readBuf: Buffer | undefined;

  constructor(pool: FastUpstreams, key: string, host: string, port: number, connectTimeout: number) {
    this.#pool = pool;
    this.key = key;
    // Reads go into one buffer per connection, reused while nothing holds on to its bytes: a new
    // Buffer for every read (node's default) made the 64 KB responses' external memory trigger a
    // full GC every ~150 ms, whose pauses were the proxy's p99.
    this.socket = net.connect({ host, port, noDelay: true, onread: { buffer: this.#nextBuffer, callback: this.#onRead } });
    // Bound the connect only (as Upstreams' connectTimeout does); responses have no default timeout.
    this.socket.setTimeout(connectTimeout, this.#onConnectTimeout);
    this.socket.once('connect', this.#onConnect);
    // One set of listeners per connection, for its whole life: nothing is allocated per request.
    this.socket.on('drain', this.#onDrain);
    this.socket.on('error', this.#onError);
    this.socket.on('close', this.#onClose);
    this.socket.on('end', this.#onEnd);
  }

  readonly #onConnectTimeout = (): void => {
    this.socket.destroy(Object.assign(new Error('upstream connect timeout'), { code: 'ETIMEDOUT' }));
  };

  readonly #onConnect = (): void => {
    this.socket.setTimeout(0);
    this.socket.off('timeout', this.#onConnectTimeout);
  };

  readonly #nextBuffer = (): Buffer => (this.#readBuf ??= Buffer.allocUnsafe(READ_BUFFER_BYTES));

  readonly #onRead = (n: number, buf: Buffer): boolean => {
    const owner = this.owner;
    if (owner === null) {
      // Bytes on an idle connection are a protocol error: it can never be reused safely.
      this.socket.destroy();
      return false;
    }
    owner.upstreamData(this, buf.subarray(0, n));
    // The bytes are still referred to: they are the owner's now, and the next read gets a new buffer.
    if (owner.keepsReadBuffer()) this.#readBuf = undefined;
    return true;
  };

  readonly #onDrain = (): void => this.owner?.upstreamDrain();

  readonly #onError = (err: Error): void => {
    this.#error = err;
  };

  readonly #onEnd = (): void => {
    // Half-closed by the upstream: report it now (a close-delimited body ends here).
    const owner = this.owner;
    this.owner = null;
    this.socket.destroy();
    owner?.upstreamClosed(this, this.#error);
  };

  readonly #onClose = (): void => {
    this.#pool.forget(this);
    const owner = this.owner;
    this.owner = null;
    owner?.upstreamClosed(this, this.#error);
  };
}

export interface FastUpstreamOptions {
  /** ms an idle upstream connection is kept */
  readonly idleTimeout: number;
  /** ms a connect may take */
  readonly connectTimeout: number;
}

export class FastUpstreams {
  readonly #idle = new Map<string, UpstreamConn[]>();
  readonly #cursor = new Map<string, number>();
  /** connections not yet closed (busy, idle or connecting) per key, for the metrics */
  readonly #open = new Map<string, number>();
  /** pool key per endpoint object (snapshots are immutable, so this never goes stale) */
  readonly #keys = new WeakMap<Endpoint, string>();
  readonly #idleTimeout: number;
  readonly #connectTimeout: number;
  readonly #sweep: NodeJS.Timeout;
  /** the origins the current snapshot uses (null: no snapshot yet, all live) */
  #live: LiveOrigins | null = null;
  #closed = false;
  /** skips ejected and unhealthy endpoints of clusters with a BackendPolicy (set by the DataPlane) */
  gate: EndpointGate | undefined;

  constructor(options: FastUpstreamOptions = { idleTimeout: defaultUpstreamOptions.keepAliveTimeout, connectTimeout: defaultUpstreamOptions.connectTimeout }) {
    this.#idleTimeout = options.idleTimeout;
    this.#connectTimeout = options.connectTimeout;
    this.#sweep = setInterval(() => this.#expire(Date.now()), 1000);
    this.#sweep.unref();
  }

  /** Round-robin over the cluster's endpoints (same order as Upstreams.pick). */
  pick(cluster: Cluster): Endpoint | undefined {
    const eps = cluster.endpoints;
    if (eps.length === 0) return undefined;
    if (eps.length === 1) return eps[0];
    let i = (this.#cursor.get(cluster.name) ?? 0) % eps.length;
    if (cluster.policy !== undefined && this.gate !== undefined) i = gatedIndex(cluster, i, this.gate);
    this.#cursor.set(cluster.name, i + 1);
    return eps[i];
  }

  /** An idle connection to the endpoint (most recently used first), or a new one. */
  acquire(ep: Endpoint, owner: UpstreamOwner, fresh = false): UpstreamConn {
    let key = this.#keys.get(ep);
    if (key === undefined) this.#keys.set(ep, (key = originOf(ep)));
    let conn: UpstreamConn | undefined;
    if (!fresh) {
      const list = this.#idle.get(key);
      if (list !== undefined) conn = list.pop();
    }
    if (conn === undefined) {
      conn = new UpstreamConn(this, key, ep.address, ep.port, this.#connectTimeout);
      this.#open.set(key, (this.#open.get(key) ?? 0) + 1);
    }
    conn.owner = owner;
    return conn;
  }

  /** Back to the idle list; `keepAliveMs` is the upstream's own idle limit when it sent one. */
  release(conn: UpstreamConn, keepAliveMs: number): void {
    conn.owner = null;
    if (this.#closed || conn.socket.destroyed || (this.#live !== null && !this.#live.has(conn.key))) {
      conn.socket.destroy();
      return;
    }
    conn.reused = true;
    // Leave a second of margin before the upstream's own timeout, so we do not race its close.
    const limit = keepAliveMs > 0 ? Math.min(this.#idleTimeout, keepAliveMs - 1000) : this.#idleTimeout;
    if (limit <= 0) {
      conn.socket.destroy();
      return;
    }
    conn.expires = Date.now() + limit;
    let list = this.#idle.get(conn.key);
    if (list === undefined) this.#idle.set(conn.key, (list = []));
    list.push(conn);
  }

  /** Closes idle connections to endpoints the snapshot no longer has; forgets its removed clusters' cursors. */
  prune(live: LiveOrigins): void {
    this.#live = live;
    for (const [key, list] of [...this.#idle]) {
      if (!live.has(key)) for (const conn of [...list]) conn.socket.destroy();
    }
    for (const name of this.#cursor.keys()) if (!live.hasCluster(name)) this.#cursor.delete(name);
  }

  /** Called when a connection closes: it must not be handed out again. */
  forget(conn: UpstreamConn): void {
    const open = (this.#open.get(conn.key) ?? 1) - 1;
    if (open > 0) this.#open.set(conn.key, open);
    else this.#open.delete(conn.key);
    const list = this.#idle.get(conn.key);
    if (list === undefined) return;
    const i = list.indexOf(conn);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.#idle.delete(conn.key);
  }

  /** Open and idle connections per origin (for the metrics; read at scrape time, not per request). */
  connectionsByOrigin(): Map<string, { open: number; idle: number }> {
    const out = new Map<string, { open: number; idle: number }>();
    for (const [key, open] of this.#open) out.set(key, { open, idle: this.#idle.get(key)?.length ?? 0 });
    return out;
  }

  get idleCount(): number {
    let n = 0;
    for (const list of this.#idle.values()) n += list.length;
    return n;
  }

  #expire(now: number): void {
    for (const list of this.#idle.values()) {
      for (const conn of [...list]) if (conn.expires <= now) conn.socket.destroy();
    }
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#sweep);
    for (const list of [...this.#idle.values()]) for (const conn of [...list]) conn.socket.destroy();
    this.#idle.clear();
  }
}
