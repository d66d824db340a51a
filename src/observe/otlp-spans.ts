// Finished spans (plain records) to the OTLP ExportTraceServiceRequest bytes, through
// OpenTelemetry's own serializer: the records become the SDK's ReadableSpan shape here, in a batch,
// never per request. One resource (service name and the configured attributes) for every span.
import { createTraceState, SpanKind, SpanStatusCode, TraceFlags } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { type Resource, resourceFromAttributes } from '@opentelemetry/resources';
import { SLUICE_VERSION as VERSION } from '../version.ts';
import type { FinishedSpan } from './trace-requests.ts';

type ReadableSpan = Parameters<typeof ProtobufTraceSerializer.serializeRequest>[0][number];
type HrTime = ReadableSpan['startTime'];

/** The instrumentation scope every Sluice span is reported under. */
const SCOPE = { name: 'sluice', version: VERSION };

/** `service.name` plus the `--tracing-resource` attributes (which may override it). */
export function tracingResource(serviceName: string, attributes: Readonly<Record<string, string>> = {}): Resource {
  return resourceFromAttributes({ 'service.name': serviceName, 'service.version': VERSION, 'telemetry.sdk.name': 'sluice', ...attributes });
}

/** Epoch ms (with fractions) to OpenTelemetry's [seconds, nanoseconds]. */
export function hrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.min(999_999_999, Math.round((ms - seconds * 1000) * 1e6))];
}

export function toReadableSpan(s: FinishedSpan, resource: Resource): ReadableSpan {
  const ctx = { traceId: s.traceId, spanId: s.spanId, traceFlags: TraceFlags.SAMPLED, ...(s.tracestate === undefined ? {} : { traceState: createTraceState(s.tracestate) }) };
  const start = hrTime(s.startMs);
  const end = hrTime(Math.max(s.startMs, s.endMs));
  return {
    name: s.name,
    kind: s.kind === 'server' ? SpanKind.SERVER : SpanKind.INTERNAL,
    spanContext: () => ctx,
    ...(s.parentSpanId === undefined ? {} : { parentSpanContext: { traceId: s.traceId, spanId: s.parentSpanId, traceFlags: TraceFlags.SAMPLED, isRemote: true } }),
    startTime: start,
    endTime: end,
    duration: hrTime(Math.max(0, s.endMs - s.startMs)),
    status: { code: s.error ? SpanStatusCode.ERROR : SpanStatusCode.UNSET },
    attributes: s.attributes,
    links: [],
    events: [],
    ended: true,
    resource,
    instrumentationScope: SCOPE,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

/** The protobuf ExportTraceServiceRequest for a batch (what both transports send). */
export function encodeSpans(spans: readonly FinishedSpan[], resource: Resource): Uint8Array {
  const bytes = ProtobufTraceSerializer.serializeRequest(spans.map((s) => toReadableSpan(s, resource)));
  if (bytes === undefined) throw new Error('the OTLP serializer produced nothing');
  return bytes;
}
