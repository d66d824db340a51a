// The function host: a loopback HTTP/1.1 server in each data plane (each worker) that runs function
// calls. The router compiles a function split into a forward to this host's cluster with the call
// header set (host-header.ts), so the exchange core treats a function like any upstream: timeouts,
// retries, mirrors, header edits, metrics and streaming are written once, there. The host reads the
// body (bounded), runs the call type's handler (registry.ts) and streams its answer back.
//
// HTTP/1.1 is enough: a FunctionResponse has no trailers, so HTTP/2 to the host would carry
// nothing more, and the raw fast path can reach an HTTP/1.1 host without leaving it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Lookup } from '../proxy/compile-routes.ts';
import type { Logger } from '../log.ts';
import type { Cluster, Endpoint, Snapshot } from '../snapshot/types.ts';
import { FUNCTION_BODY_LIMIT } from './host-body.ts';
import { serveCall, type CallDeps } from './host-call.ts';
import { FUNCTION_CLUSTER_PREFIX } from './host-header.ts';
import './builtin-handlers.ts';
import { functionHandlers, type FunctionRegistry } from './registry.ts';

export interface FunctionHostOptions {
  /** the largest request body a call takes, bytes (413 past it); default FUNCTION_BODY_LIMIT */
  readonly bodyLimit?: number;
  /** default: the process's registry, where the handlers register themselves */
  readonly registry?: FunctionRegistry;
}

const NONE: readonly Endpoint[] = Object.freeze([]);

export class FunctionHost {
  readonly #deps: CallDeps;
  #server: http.Server | undefined;
  #listening: Promise<void> | undefined;
  /** where the host listens; empty until it does, and again once stopped (function splits get 503) */
  #endpoints: readonly Endpoint[] = NONE;
  /** one Cluster object per binding name for the plane's whole life, so compiled routes stay current */
  readonly #clusters = new Map<string, Cluster>();

  constructor(current: () => Snapshot | undefined, log: Logger, options: FunctionHostOptions = {}) {
    this.#deps = { current, log, registry: options.registry ?? functionHandlers, bodyLimit: options.bodyLimit ?? FUNCTION_BODY_LIMIT, cursors: new Map() };
  }

  /**
   * The Clusters function splits resolve to, by `function:<binding>` (host-header.ts): their one
   * endpoint is this host (read when each request picks, so it may start after routes compile).
   */
  readonly clusters: Lookup<Cluster> = {
    get: (name) => {
      if (!name.startsWith(FUNCTION_CLUSTER_PREFIX)) return undefined;
      let c = this.#clusters.get(name);
      if (c === undefined) {
        const host = this;
        c = { name, protocol: 'http1', type: 'static', get endpoints() { return host.#endpoints; } };
        this.#clusters.set(name, c);
      }
      return c;
    },
  };

  /** `http://127.0.0.1:port` once listening, for the pools' pruning to keep */
  get origin(): string | undefined {
    const e = this.#endpoints[0];
    return e === undefined ? undefined : `http://${e.address}:${e.port}`;
  }

  /** Starts listening on 127.0.0.1:0 (once); resolves when it does. */
  start(): Promise<void> {
    if (this.#listening !== undefined) return this.#listening;
    const server = http.createServer({ requestTimeout: 0, keepAliveTimeout: 0 }, (req, res) => {
      serveCall(this.#deps, req, res).catch((err: unknown) => {
        this.#deps.log.error({ err: err instanceof Error ? err.message : String(err) }, 'function host failed a call');
        res.destroy();
      });
    });
    // The exchange's pools close idle connections (they own keep-alive timing), never the host first.
    server.keepAliveTimeout = 0;
    server.on('clientError', (_err, socket) => socket.destroy());
    this.#server = server;
    this.#listening = new Promise<void>((resolve) => {
      server.once('error', (err) => {
        this.#deps.log.error({ err: err.message }, 'function host could not listen: function calls get 503');
        resolve();
      });
      // exclusive: in a cluster worker, a port of its own rather than one shared through the primary.
      server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
        if (this.#server !== server) return resolve();
        const { address, port } = server.address() as AddressInfo;
        this.#endpoints = Object.freeze([{ address, port }]);
        resolve();
      });
    });
    return this.#listening;
  }

  /** Resolves once the host listens (at once when it was never started). */
  listening(): Promise<void> {
    return this.#listening ?? Promise.resolve();
  }

  /** Stops accepting connections; calls in flight finish (their connections close with the pools). */
  stop(): void {
    const server = this.#server;
    this.#server = undefined;
    this.#endpoints = NONE;
    server?.close();
  }
}
