// Tracing when it is on (--tracing-otlp-endpoint): the data plane's request tracer and the control
// plane's translation spans, both feeding one batcher that exports over OTLP (HTTP/protobuf or
// gRPC) under one resource. Its owner closes it after the gateway stops, so the last spans leave.
import { Counter, type Registry } from 'prom-client';
import type { Resource } from '@opentelemetry/resources';
import { SpanBatcher } from './otlp-batcher.ts';
import { encodeSpans, tracingResource } from './otlp-spans.ts';
import { grpcSender, httpSender, type OtlpSender } from './otlp-senders.ts';
import { TraceIds } from './trace-context.ts';
import { type AttributeValue, RequestTracer } from './trace-requests.ts';

export interface TracingOptions {
  readonly endpoint: URL;
  readonly protocol: 'http' | 'grpc';
  /** the share (0..1) of new traces recorded; a client's sampled flag decides for its own trace */
  readonly sampleRate: number;
  readonly serviceName: string;
  readonly resourceAttributes?: Readonly<Record<string, string>>;
  readonly flushIntervalMs?: number;
  readonly maxQueue?: number;
  readonly batchSize?: number;
  /** told once when exports start failing and once when they work again */
  readonly log?: (level: 'warn' | 'info', msg: string, fields: Record<string, unknown>) => void;
}

/** One configuration translation, as the pipeline reports it (pipeline.ts). */
export interface TranslationReport {
  /** performance.now() at the start and end of the translation and publish */
  readonly startedAt: number;
  readonly endedAt: number;
  /** the version published, or undefined when the snapshot did not change (or translation failed) */
  readonly version: number | undefined;
  readonly rejected: number;
  readonly ingresses?: number;
  readonly clusters?: number;
  /** why translation failed (the last good configuration kept serving) */
  readonly error?: string;
}

export class Tracing {
  readonly requests: RequestTracer;
  readonly #batcher: SpanBatcher;
  readonly #sender: OtlpSender;
  readonly #resource: Resource;
  readonly #ids = new TraceIds();
  readonly #log: TracingOptions['log'];
  #failing = false;
  #drops: Counter | undefined;

  constructor(o: TracingOptions) {
    this.#resource = tracingResource(o.serviceName, o.resourceAttributes);
    this.#sender = o.protocol === 'grpc' ? grpcSender(o.endpoint) : httpSender(o.endpoint);
    this.#log = o.log;
    this.#batcher = new SpanBatcher((spans) => this.#export(spans), {
      intervalMs: o.flushIntervalMs,
      maxQueue: o.maxQueue,
      batchSize: o.batchSize,
      onDrop: (n, why, err) => this.#dropped(n, why, err),
    });
    this.requests = new RequestTracer(o.sampleRate, this.#batcher, Math.random, this.#ids);
  }

  /** Counts dropped spans as `sluice_tracing_dropped_spans_total{reason}` on the gateway's registry. */
  countDropsIn(registry: Registry): void {
    this.#drops = new Counter({ name: 'sluice_tracing_dropped_spans_total', help: 'spans not exported: the queue was full, or the collector did not take them', labelNames: ['reason'], registers: [registry] });
  }

  get dropped(): number {
    return this.#batcher.dropped;
  }

  /** A span for one translation of the configuration (always recorded: there are few). */
  translated(t: TranslationReport): void {
    const attributes: Record<string, AttributeValue> = { 'sluice.config.rejected_documents': t.rejected, 'sluice.snapshot.published': t.version !== undefined };
    if (t.version !== undefined) attributes['sluice.snapshot.version'] = t.version;
    if (t.ingresses !== undefined) attributes['sluice.snapshot.ingresses'] = t.ingresses;
    if (t.clusters !== undefined) attributes['sluice.snapshot.clusters'] = t.clusters;
    if (t.error !== undefined) attributes['error.type'] = t.error;
    this.#batcher.push({
      traceId: this.#ids.traceId(),
      spanId: this.#ids.spanId(),
      parentSpanId: undefined,
      tracestate: undefined,
      name: 'sluice.translate',
      kind: 'internal',
      startMs: performance.timeOrigin + t.startedAt,
      endMs: performance.timeOrigin + t.endedAt,
      attributes,
      error: t.error !== undefined,
    });
  }

  async #export(spans: Parameters<typeof encodeSpans>[0]): Promise<void> {
    await this.#sender.send(encodeSpans(spans, this.#resource));
    if (this.#failing) {
      this.#failing = false;
      this.#log?.('info', 'OTLP span export works again', {});
    }
  }

  #dropped(n: number, why: 'queue_full' | 'export_failed', err: unknown): void {
    this.#drops?.labels(why).inc(n);
    if (why === 'export_failed' && !this.#failing) {
      this.#failing = true;
      this.#log?.('warn', 'OTLP span export failed; spans are dropped until it works', { err: err instanceof Error ? err.message : String(err) });
    }
  }

  /** Exports what is queued, then closes the transport. */
  async close(): Promise<void> {
    await this.#batcher.close();
    this.#sender.close();
  }
}
