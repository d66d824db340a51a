// The data plane's function calls: each binding's Cluster object (what a function split resolves
// to) carries a dispatcher that runs the call in this process (call.ts). The front ends reach it
// exactly as they reach an undici pool (`x.pool.dispatch(...)`), so the exchange core treats a
// function like any upstream: timeouts, retries, mirrors, header edits, policies, access logs and
// metrics (`cluster="function:NAME"`) are written once, there. No socket, no second parse.
import type { Dispatcher } from 'undici';
import type { Lookup } from '../proxy/compile-routes.ts';
import type { Logger } from '../log.ts';
import type { Cluster, Endpoint, Snapshot } from '../snapshot/types.ts';
import { FUNCTION_BODY_LIMIT } from './call-body.ts';
import { type CallDeps, runCall } from './call.ts';
import type { CallHandler } from './call-reply.ts';
import './builtin-handlers.ts';
import { functionHandlers, type FunctionRegistry } from './registry.ts';

/** The name a function split's cluster has in the data plane (metrics' `cluster` label). */
export const FUNCTION_CLUSTER_PREFIX = 'function:';

export function functionClusterName(binding: string): string {
  return FUNCTION_CLUSTER_PREFIX + binding;
}

export interface FunctionCallOptions {
  /** the largest request body a call takes, bytes (413 past it); default FUNCTION_BODY_LIMIT */
  readonly bodyLimit?: number;
  /** default: the process's registry, where the handlers register themselves */
  readonly registry?: FunctionRegistry;
}

/** Runs one binding's calls; front ends dispatch to it as to an undici pool. */
export class FunctionDispatcher implements Pick<Dispatcher, 'dispatch'> {
  readonly #deps: CallDeps;
  readonly #binding: string;

  constructor(deps: CallDeps, binding: string) {
    this.#deps = deps;
    this.#binding = binding;
  }

  dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    runCall(this.#deps, this.#binding, opts, handler as CallHandler);
    return true;
  }
}

/** A function split's Cluster: no endpoints of its own, its calls run by `inProcess`. */
export interface FunctionCluster extends Cluster {
  readonly inProcess: FunctionDispatcher;
}

/** Where a function call "goes" for the access log's upstream host and an autoHost rewrite. */
export const IN_PROCESS: Endpoint = Object.freeze({ address: 'in-process', port: 0 });
const ENDPOINTS: readonly Endpoint[] = Object.freeze([IN_PROCESS]);

export function isFunctionCluster(c: Cluster): c is FunctionCluster {
  return (c as Partial<FunctionCluster>).inProcess !== undefined;
}

export class FunctionCalls {
  readonly #deps: CallDeps;
  /** one Cluster object per binding name for the plane's whole life, so compiled routes stay current */
  readonly #clusters = new Map<string, FunctionCluster>();

  constructor(current: () => Snapshot | undefined, log: Logger, options: FunctionCallOptions = {}) {
    this.#deps = { current, log, registry: options.registry ?? functionHandlers, bodyLimit: options.bodyLimit ?? FUNCTION_BODY_LIMIT, cursors: new Map() };
  }

  /** The Clusters function splits resolve to, by `function:<binding>`. */
  readonly clusters: Lookup<Cluster> = {
    get: (name) => {
      if (!name.startsWith(FUNCTION_CLUSTER_PREFIX)) return undefined;
      let c = this.#clusters.get(name);
      if (c === undefined) {
        const inProcess = new FunctionDispatcher(this.#deps, name.slice(FUNCTION_CLUSTER_PREFIX.length));
        c = Object.freeze({ name, protocol: 'http1', type: 'static', endpoints: ENDPOINTS, inProcess });
        this.#clusters.set(name, c);
      }
      return c;
    },
  };
}
