// Shared shapes of the benchmark harness: scenarios, the upstream, contenders and load results.

/** What one scenario asks of a contender and of the load generator. */
export interface Scenario {
  readonly name: ScenarioName;
  readonly description: string;
  /** request path sent by the load generator */
  readonly path: string;
  readonly method: 'GET' | 'POST';
  /** request body size in bytes (POST only) */
  readonly bodyBytes: number;
  /** HTTP/2 cleartext with prior knowledge (h2load) instead of HTTP/1.1 */
  readonly h2: boolean;
  /** a 90/10 split between two upstream ports, each split setting its own request header */
  readonly split: boolean;
}

export type ScenarioName = 'small' | '64k' | 'upload' | 'h2' | 'split';

/** The fixed backend every contender forwards to. */
export interface Upstream {
  readonly kind: 'nginx' | 'node';
  /** HTTP/1.1 ports serving the same content; the split scenario uses both ("revision A" and "B") */
  readonly portA: number;
  readonly portB: number;
  /** an h2c (prior knowledge) port serving the same content, when the upstream can (nginx) */
  readonly h2Port: number | undefined;
  readonly pid: number;
  stop(): Promise<void>;
}

/** A running contender: where to send load, and how to stop it. */
export interface Running {
  readonly url: string;
  /** extra request headers the load generator must send (e.g. the Host an ingress matches) */
  readonly headers: Readonly<Record<string, string>>;
  /** the main process id, for RSS and profiling */
  readonly pid: number;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** CPUs (taskset list, e.g. "0") the contender's processes are pinned to; undefined: no pinning */
  readonly cpus: string | undefined;
  /** a directory the contender may write its config and logs to */
  readonly workDir: string;
}

export interface Contender {
  readonly name: ContenderName;
  /** is a Node peer: one of the rows the "vs best Node peer" ratio is taken against */
  readonly nodePeer: boolean;
  /** why the contender cannot run here, or undefined when it can */
  unavailable(): string | undefined;
  /** why the contender cannot run this scenario, or undefined when it can */
  unsupported(scenario: Scenario): string | undefined;
  start(upstream: Upstream, scenario: Scenario, opts: StartOptions): Promise<Running>;
}

export type ContenderName = 'direct' | 'sluice' | 'sluice-baseline' | 'nginx' | 'haproxy' | 'http-proxy' | 'fastify-http-proxy';

/** One measurement by the load generator. */
export interface LoadResult {
  readonly generator: 'wrk' | 'autocannon' | 'h2load';
  readonly requests: number;
  readonly seconds: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** socket errors and timeouts */
  readonly errors: number;
  /** responses with a status outside 2xx/3xx */
  readonly non2xx: number;
  /** the rest of the distribution, where the generator gives it (wrk) */
  readonly tail?: LatencyTail;
}

export interface LatencyTail {
  readonly p90Ms: number;
  readonly p999Ms: number;
  readonly p9999Ms: number;
  readonly maxMs: number;
  /** the share of requests (%) that took longer than each bound */
  readonly over: ReadonlyArray<{ readonly ms: number; readonly percent: number }>;
}

/** What the load generator needs of a scenario. */
export type LoadShape = Pick<Scenario, 'method' | 'bodyBytes' | 'h2'>;

export interface LoadOptions {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly scenario: LoadShape;
  /** HTTP/2 only: the exact request body h2load POSTs (a gRPC frame) */
  readonly h2Body?: Buffer;
  readonly connections: number;
  readonly durationSec: number;
  readonly warmupSec: number;
  /** CPUs the generator is pinned to; undefined: no pinning */
  readonly cpus: string | undefined;
  readonly generator: 'wrk' | 'autocannon';
  readonly workDir: string;
}
