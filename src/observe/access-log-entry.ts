// What an access log line says about one exchange: the plain facts the exchange core holds when
// it finishes, and the two derivations every format shares (protocol name, Envoy response flags).
import type { Endpoint } from '../snapshot/types.ts';
import { upstreamErrorReason, type UpstreamErrorReason } from '../proxy/upstream-errors.ts';
import { grpcStatusForHttp } from '../proxy/grpc.ts';
import { parseTraceparent, TRACEPARENT } from './trace-context.ts';

/** The exchange as the access log reads it (src/proxy/exchange.ts satisfies this). */
export interface LoggedExchange {
  readonly listener: string;
  /** the front end (exchange.ts FROM_*): 0 fast path, 1 node:http, 2 HTTP/2, 3 Upgrade, 4 extended CONNECT */
  readonly from: number;
  readonly method: string;
  readonly authority: string;
  /** the request target as the client sent it (path and query) */
  readonly target: string;
  readonly raw: readonly string[];
  readonly clientAddress: string | undefined;
  readonly grpcType: string | undefined;
  readonly replyGrpc: boolean;
  readonly ingress: string;
  readonly clusterName: string;
  readonly endpoint: Endpoint | undefined;
  /** how begin() decided: 'forward', the local answer's kind ('not-found', 'redirect', ...), or 'no-endpoints' */
  readonly decided: string;
  readonly requestId: string;
  /** performance.now() when the exchange began */
  readonly startedAt: number;
  /** body data bytes from the client and to it (0: none, or not counted) */
  readonly bytesIn?: number;
  readonly bytesOut?: number;
  /** performance.now() when the upstream's response head came; 0 or absent: none came */
  readonly firstByteAt?: number;
  /** a forwarded gRPC call's grpc-status, when its response carried one */
  readonly upstreamGrpcStatus?: string | undefined;
  /** Envoy's response flag of the request policy that answered ('UAEX', 'RL'), else '' */
  readonly policyFlag?: string;
  /** the chosen split's index in its route; -1 or absent: none */
  readonly split?: number;
  /** the exchange's span when tracing is on */
  readonly span?: { readonly traceId: string } | undefined;
}

/** How the exchange ended, beyond its status (exchange.ts Outcome). */
export type LoggedOutcome = UpstreamErrorReason | 'reset_after_headers' | 'timeout' | (Error & { code?: string }) | undefined;

/** One finished exchange: what a format turns into a line. */
export interface AccessEntry {
  readonly x: LoggedExchange;
  readonly status: number;
  readonly outcome: LoggedOutcome;
  /** performance.now() at finish */
  readonly endedAt: number;
}

const PROTOCOLS = ['HTTP/1.1', 'HTTP/1.1', 'HTTP/2', 'HTTP/1.1', 'HTTP/2'];

export function protocolOf(x: LoggedExchange): string {
  return PROTOCOLS[x.from] ?? 'HTTP/1.1';
}

/**
 * Envoy's response flags (`%RESPONSE_FLAGS%`), from the one outcome classifier: NR no route,
 * UH no healthy upstream, UF connect failure, UC connection terminated, UR reset after headers,
 * UPE protocol error, UT timeout, DC client went away (499), RL rate limited (429), UO circuit
 * breaker overflow (503 x-envoy-overloaded), `-` none.
 */
export function responseFlags(e: AccessEntry): string {
  return flagsOf(e.x, e.status, e.outcome);
}

/** responseFlags() of an exchange's facts, without an entry object. */
export function flagsOf(x: LoggedExchange, status: number, outcome: LoggedOutcome): string {
  if (x.decided === 'not-found' || x.decided === '') return status === 404 || status === 503 ? 'NR' : '-';
  if (x.decided === 'no-endpoints') return 'UH';
  if (x.decided === 'overloaded') return 'UO';
  if (x.policyFlag) return x.policyFlag;
  if (outcome !== undefined) {
    if (outcome === 'timeout') return 'UT';
    if (outcome === 'reset_after_headers') return 'UR';
    switch (typeof outcome === 'string' ? outcome : upstreamErrorReason(outcome)) {
      case 'connection_refused':
      case 'connect_timeout':
      case 'dns':
      case 'unreachable':
        return 'UF';
      case 'protocol':
        return 'UPE';
      default:
        return 'UC';
    }
  }
  if (status === 499) return 'DC';
  if (status === 429) return 'RL';
  return '-';
}

/** Passes over request header lists made for lines (a test counts: one per template line, whatever its `%REQ(X)%` operators). */
export const headerScans = { count: 0 };

/** The first value of request header `name` (lower-case), or undefined. */
export function requestHeader(raw: readonly string[], name: string): string | undefined {
  headerScans.count++;
  for (let i = 0; i < raw.length; i += 2) {
    const n = raw[i]!;
    if (n.length === name.length && sameName(n, name)) return raw[i + 1];
  }
  return undefined;
}

/** Buckets of HeaderNames by name length (lengths past it share buckets, told apart by their length). */
const BUCKETS = 64;

/**
 * Request headers read together (a template's `%REQ(X)%` operators and `%TRACE_ID%`'s traceparent):
 * one pass over a request's list for the first value of each (read()), each header's name compared
 * only with the names as long as it (a bucket by length), not with every name.
 */
export class HeaderNames {
  /** lower-case names, by slot */
  readonly names: string[] = [];
  /** each slot's value on the current line (read()) */
  readonly values: (string | undefined)[] = [];
  /** 1 + the first slot of each bucket; 0: none */
  readonly #first = new Uint16Array(BUCKETS);
  /** 1 + the next slot in the same bucket, by slot; 0: none */
  readonly #next: number[] = [];

  /** The slot of header `name` (lower-case). */
  slot(name: string): number {
    let k = this.names.indexOf(name);
    if (k >= 0) return k;
    k = this.names.push(name) - 1;
    this.values.push(undefined);
    // Appended to its bucket's chain: slots in order, so the first name of a length is tried first.
    this.#next.push(0);
    const b = name.length % BUCKETS;
    if (this.#first[b] === 0) this.#first[b] = k + 1;
    else {
      let s = this.#first[b]! - 1;
      while (this.#next[s] !== 0) s = this.#next[s]! - 1;
      this.#next[s] = k + 1;
    }
    return k;
  }

  /** `values` from one pass over `raw`. */
  read(raw: readonly string[]): void {
    headerScans.count++;
    const { names, values } = this;
    const first = this.#first;
    const next = this.#next;
    for (let k = 0; k < values.length; k++) values[k] = undefined;
    for (let i = 0; i < raw.length; i += 2) {
      const n = raw[i]!;
      for (let s = first[n.length % BUCKETS]!; s !== 0; s = next[s - 1]!) {
        const k = s - 1;
        const name = names[k]!;
        if (values[k] === undefined && n.length === name.length && sameName(n, name)) values[k] = raw[i + 1];
      }
    }
  }
}

/** Header name `n` is `lower` (a lower-case name of the same length), whatever its case. */
export function sameName(n: string, lower: string): boolean {
  return n === lower || sameLowerCase(n, lower);
}

/** `n.toLowerCase() === lower` (same length) without a new string per header on every line. */
function sameLowerCase(n: string, lower: string): boolean {
  for (let j = 0; j < n.length; j++) {
    let c = n.charCodeAt(j);
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    else if (c > 0x7f) return n.toLowerCase() === lower;
    if (c !== lower.charCodeAt(j)) return false;
  }
  return true;
}

/** A gRPC call's status: a forwarded call's from its trailers (or trailers-only head), or the gateway's own answer's. */
export function grpcStatusCode(x: LoggedExchange, status: number): number | undefined {
  if (x.grpcType === undefined) return undefined;
  if (x.upstreamGrpcStatus !== undefined) {
    const n = Number(x.upstreamGrpcStatus);
    return Number.isInteger(n) ? n : undefined;
  }
  if (x.replyGrpc && x.decided !== 'forward') return grpcStatusForHttp(status);
  return undefined;
}

/** The trace id: this gateway's span's, or (tracing off) a valid client traceparent's. */
export function traceId(x: LoggedExchange): string | undefined {
  return x.span?.traceId ?? parseTraceparent(requestHeader(x.raw, TRACEPARENT))?.traceId;
}

/** ms from the request's head to the upstream's response head, or undefined when none came. */
export function ttfbMs(x: LoggedExchange): number | undefined {
  return x.firstByteAt === undefined || x.firstByteAt === 0 ? undefined : Math.round(x.firstByteAt - x.startedAt);
}

/** Endpoints are the snapshot's objects, the same on every request until the configuration changes: each one's text is made once. */
const hosts = new WeakMap<Endpoint, string>();
/** How many upstream texts were made (a test counts: once per endpoint, not per line). */
export const hostTextsMade = { count: 0 };

/** The endpoint of the last upstreamHost() and its text, until the batch of lines ends (forgetLastHost()). */
let lastHostOf: Endpoint | undefined;
let lastHost = '';

/** Lets go of the last line's endpoint: one removed from the configuration is not kept alive by the log. */
export function forgetLastHost(): void {
  lastHostOf = undefined;
  lastHost = '';
}

export function upstreamHost(x: LoggedExchange): string | undefined {
  const ep = x.endpoint;
  if (ep === undefined) return undefined;
  // Lines mostly go to the endpoint the line before went to: no WeakMap look-up then.
  if (ep === lastHostOf) return lastHost;
  let host = hosts.get(ep);
  if (host === undefined) {
    hostTextsMade.count++;
    host = ep.address.includes(':') ? `[${ep.address}]:${ep.port}` : `${ep.address}:${ep.port}`;
    hosts.set(ep, host);
  }
  lastHostOf = ep;
  lastHost = host;
  return host;
}
