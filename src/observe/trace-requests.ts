// The data plane's tracer: one server span per exchange when tracing is on. On the hot path a span
// is a small plain object (ids, the sampled flag); a sampled one becomes a FinishedSpan record at
// the exchange's end, handed to the exporter, which builds the SDK-shaped spans in batches.
//
// Propagation: a valid client traceparent is continued (same trace id, the client's span as parent,
// its sampled flag kept: parent-based sampling) and its tracestate passed on; none, or an invalid
// one, starts a new trace, sampled at the configured rate, and the client's tracestate is dropped
// with it (the spec: tracestate without a valid traceparent is meaningless). Upstreams get this
// gateway's span as their parent. With tracing off the gateway makes no span and leaves both
// headers as the client sent them, as Envoy does without a tracer.
import { grpcStatusCode, type LoggedExchange, type LoggedOutcome, protocolOf, requestHeader, responseFlags, upstreamHost } from './access-log-entry.ts';
import { formatTraceparent, MAX_TRACESTATE, parseTraceparent, TRACEPARENT, TRACESTATE, TraceIds } from './trace-context.ts';

/** One exchange's span while it runs. */
export interface RequestSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** the client's span, when it sent a valid traceparent */
  readonly parentSpanId: string | undefined;
  readonly sampled: boolean;
  /** the client's tracestate, kept with its valid traceparent */
  readonly tracestate: string | undefined;
}

export type AttributeValue = string | number | boolean;

/** A finished span, as the exporter queues it (OTLP's vocabulary, none of its types). */
export interface FinishedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly tracestate: string | undefined;
  readonly name: string;
  readonly kind: 'server' | 'internal';
  /** wall-clock ms since the epoch (fractions kept) */
  readonly startMs: number;
  readonly endMs: number;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  readonly error: boolean;
}

/** Where finished spans go (the exporter's bounded queue). */
export interface SpanSink {
  push(span: FinishedSpan): void;
}

export class RequestTracer {
  readonly #rate: number;
  readonly #sink: SpanSink;
  readonly #ids: TraceIds;
  readonly #random: () => number;

  /** `rate`: the share (0..1) of new traces recorded; `random`: injectable for tests */
  constructor(rate: number, sink: SpanSink, random: () => number = Math.random, ids = new TraceIds()) {
    this.#rate = rate;
    this.#sink = sink;
    this.#random = random;
    this.#ids = ids;
  }

  /** The span of a request whose raw headers are `raw`. */
  start(raw: readonly string[]): RequestSpan {
    const parent = parseTraceparent(requestHeader(raw, TRACEPARENT));
    const spanId = this.#ids.spanId();
    if (parent !== undefined) {
      const state = requestHeader(raw, TRACESTATE);
      const tracestate = state !== undefined && state !== '' && state.length <= MAX_TRACESTATE ? state : undefined;
      return { traceId: parent.traceId, spanId, parentSpanId: parent.spanId, sampled: parent.sampled, tracestate };
    }
    return { traceId: this.#ids.traceId(), spanId, parentSpanId: undefined, sampled: this.#rate >= 1 || this.#random() < this.#rate, tracestate: undefined };
  }

  /** Ends an exchange's span: a sampled one goes to the exporter. */
  end(x: LoggedExchange, span: RequestSpan, status: number, outcome: LoggedOutcome): void {
    if (!span.sampled) return;
    const endMs = performance.timeOrigin + performance.now();
    this.#sink.push({
      traceId: span.traceId,
      spanId: span.spanId,
      parentSpanId: span.parentSpanId,
      tracestate: span.tracestate,
      name: x.method,
      kind: 'server',
      startMs: performance.timeOrigin + x.startedAt,
      endMs,
      attributes: serverAttributes(x, status, outcome),
      // OpenTelemetry's HTTP conventions: a server span is an error on 5xx, not on 4xx (the client's).
      error: status >= 500,
    });
  }
}

/** Sets this gateway's traceparent (and the kept tracestate) on upstream headers [name, value, ...]. */
export function propagate(headers: string[], span: RequestSpan): void {
  setOnce(headers, TRACEPARENT, formatTraceparent(span.traceId, span.spanId, span.sampled));
  setOnce(headers, TRACESTATE, span.tracestate);
}

/** Every `name` (lower-case) entry replaced by one with `value`, or removed when it is undefined. */
function setOnce(headers: string[], name: string, value: string | undefined): void {
  let found = value === undefined;
  for (let i = 0; i < headers.length; i += 2) {
    const n = headers[i]!;
    if (n.length !== name.length || n.toLowerCase() !== name) continue;
    if (found) {
      headers.splice(i, 2);
      i -= 2;
      continue;
    }
    headers[i + 1] = value!;
    found = true;
  }
  if (!found) headers.push(name, value!);
}

/** OpenTelemetry's HTTP server attributes, and Sluice's own (route, cluster, upstream, flags). */
function serverAttributes(x: LoggedExchange, status: number, outcome: LoggedOutcome): Record<string, AttributeValue> {
  const q = x.target.indexOf('?');
  const a: Record<string, AttributeValue> = {
    'http.request.method': x.method,
    'url.path': q < 0 ? x.target : x.target.slice(0, q),
    'http.response.status_code': status,
    'network.protocol.version': protocolOf(x) === 'HTTP/2' ? '2' : '1.1',
    'sluice.listener': x.listener,
  };
  if (q >= 0) a['url.query'] = x.target.slice(q + 1);
  const host = hostOf(x.authority);
  if (host !== '') a['server.address'] = host;
  if (x.clientAddress !== undefined) a['client.address'] = x.clientAddress;
  const ua = requestHeader(x.raw, 'user-agent');
  if (ua !== undefined) a['user_agent.original'] = ua;
  if (x.ingress !== '') a['sluice.route'] = x.ingress;
  if (x.clusterName !== '') a['sluice.cluster'] = x.clusterName;
  const upstream = upstreamHost(x);
  if (upstream !== undefined) a['sluice.upstream.address'] = upstream;
  const grpc = grpcStatusCode(x, status);
  if (grpc !== undefined) a['rpc.grpc.status_code'] = grpc;
  const flags = responseFlags({ x, status, outcome, endedAt: 0 });
  if (flags !== '-') a['sluice.response_flags'] = flags;
  if (x.requestId !== '') a['sluice.request_id'] = x.requestId;
  return a;
}

/** The authority without its port (`[v6]:port` keeps the brackets' content). */
function hostOf(authority: string): string {
  if (authority.startsWith('[')) {
    const end = authority.indexOf(']');
    return end < 0 ? authority : authority.slice(1, end);
  }
  const colon = authority.lastIndexOf(':');
  return colon < 0 ? authority : authority.slice(0, colon);
}
