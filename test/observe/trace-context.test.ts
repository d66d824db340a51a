// W3C trace context on plain values: traceparent parsed strictly (every malformed value is "none",
// never a throw), continued or started by the request tracer with parent-based sampling, and set
// on upstream headers once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatTraceparent, parseTraceparent, TraceIds } from '../../src/observe/trace-context.ts';
import { type FinishedSpan, propagate, RequestTracer } from '../../src/observe/trace-requests.ts';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';
const VALID = `00-${TRACE}-${SPAN}-01`;

describe('traceparent parsing', () => {
  it('reads a valid version-00 value, with its sampled flag', () => {
    assert.deepEqual(parseTraceparent(VALID), { traceId: TRACE, spanId: SPAN, sampled: true });
    assert.deepEqual(parseTraceparent(`00-${TRACE}-${SPAN}-00`), { traceId: TRACE, spanId: SPAN, sampled: false });
    assert.equal(parseTraceparent(`00-${TRACE}-${SPAN}-03`)?.sampled, true);
    assert.deepEqual(parseTraceparent(` ${VALID} `), { traceId: TRACE, spanId: SPAN, sampled: true });
  });

  it('accepts a later version with more fields after a dash (forward compatibility)', () => {
    assert.equal(parseTraceparent(`01-${TRACE}-${SPAN}-01-what-comes-next`)?.traceId, TRACE);
    assert.equal(parseTraceparent(`cc-${TRACE}-${SPAN}-01`)?.spanId, SPAN);
  });

  const hostile: Array<[string, unknown]> = [
    ['empty', ''],
    ['undefined', undefined],
    ['not a string', 42],
    ['version ff', `ff-${TRACE}-${SPAN}-01`],
    ['upper-case hex', `00-${TRACE.toUpperCase()}-${SPAN}-01`],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${SPAN}-01`],
    ['all-zero span id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['short trace id', `00-${TRACE.slice(1)}-${SPAN}-01`],
    ['long span id', `00-${TRACE}-${SPAN}0-01`],
    ['version 00 with extra fields', `${VALID}-extra`],
    ['version 00 with a trailing character', `${VALID}x`],
    ['later version with junk not after a dash', `01-${TRACE}-${SPAN}-01x`],
    ['wrong separators', VALID.replace(/-/g, '_')],
    ['non-hex trace id', `00-${'g'.repeat(32)}-${SPAN}-01`],
    ['non-hex flags', `00-${TRACE}-${SPAN}-zz`],
    ['non-hex version', `0x-${TRACE}-${SPAN}-01`],
    ['unicode digits', `00-${'٣'.repeat(32)}-${SPAN}-01`],
    ['control characters', `00-${TRACE}-${SPAN}-0\u0000`],
    ['huge value', `00-${TRACE}-${SPAN}-01-${'a'.repeat(100_000)}`],
    ['only dashes', '-'.repeat(55)],
    ['a list of two', `${VALID},${VALID}`],
  ];
  for (const [what, value] of hostile) {
    it(`treats ${what} as no traceparent`, () => {
      assert.equal(parseTraceparent(value as string), undefined);
    });
  }

  it('formats version 00', () => {
    assert.equal(formatTraceparent(TRACE, SPAN, true), VALID);
    assert.equal(formatTraceparent(TRACE, SPAN, false), `00-${TRACE}-${SPAN}-00`);
  });

  it('makes lower-case hex ids of the right length, all different', () => {
    const ids = new TraceIds();
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const t = ids.traceId();
      const s = ids.spanId();
      assert.match(t, /^[0-9a-f]{32}$/);
      assert.match(s, /^[0-9a-f]{16}$/);
      seen.add(t);
    }
    assert.equal(seen.size, 1000);
  });
});

describe('request tracer', () => {
  const sink = { spans: [] as FinishedSpan[], push(s: FinishedSpan) { this.spans.push(s); } };

  it("continues a client's valid trace with a new span, keeping its sampled flag and tracestate", () => {
    const t = new RequestTracer(0, sink);
    const span = t.start(['traceparent', VALID, 'tracestate', 'vendor=x']);
    assert.equal(span.traceId, TRACE);
    assert.equal(span.parentSpanId, SPAN);
    assert.notEqual(span.spanId, SPAN);
    assert.equal(span.sampled, true, 'parent-based: a sampled parent is sampled whatever the rate');
    assert.equal(span.tracestate, 'vendor=x');
    assert.equal(new RequestTracer(1, sink).start(['Traceparent', `00-${TRACE}-${SPAN}-00`]).sampled, false);
  });

  it('starts a new trace for an invalid traceparent and drops its tracestate', () => {
    const span = new RequestTracer(1, sink).start(['traceparent', `ff-${TRACE}-${SPAN}-01`, 'tracestate', 'vendor=x']);
    assert.notEqual(span.traceId, TRACE);
    assert.equal(span.parentSpanId, undefined);
    assert.equal(span.tracestate, undefined);
    assert.equal(span.sampled, true);
  });

  it('drops a tracestate longer than any the spec allows, keeping the trace', () => {
    const span = new RequestTracer(1, sink).start(['traceparent', VALID, 'tracestate', `a=${'x'.repeat(9000)}`]);
    assert.equal(span.traceId, TRACE);
    assert.equal(span.tracestate, undefined);
  });

  it('samples new traces at the rate', () => {
    assert.equal(new RequestTracer(0.25, sink, () => 0.2).start([]).sampled, true);
    assert.equal(new RequestTracer(0.25, sink, () => 0.3).start([]).sampled, false);
    assert.equal(new RequestTracer(0, sink, () => 0).start([]).sampled, false);
  });

  it("records a gRPC call's status: the upstream's from its trailers, else the gateway's own answer's", () => {
    const spans: FinishedSpan[] = [];
    const t = new RequestTracer(1, { push: (s) => spans.push(s) });
    const base = {
      listener: 'http', from: 2, method: 'POST', authority: 'g', target: '/pkg.Svc/M', raw: [], clientAddress: undefined, grpcType: 'application/grpc',
      replyGrpc: true, ingress: 'ns/g', clusterName: 'ns/g:80', endpoint: undefined, requestId: '', startedAt: performance.now(),
    };
    t.end({ ...base, decided: 'forward', upstreamGrpcStatus: '7' }, t.start([]), 200, undefined);
    t.end({ ...base, decided: 'no-endpoints' }, t.start([]), 503, undefined);
    assert.deepEqual(spans.map((s) => s.attributes['rpc.grpc.status_code']), [7, 14]);
    assert.deepEqual(spans.map((s) => s.error), [false, true]);
  });

  it('sets one traceparent and the kept tracestate on upstream headers, replacing the client values', () => {
    const span = new RequestTracer(1, sink).start(['traceparent', VALID, 'tracestate', 'a=1']);
    const headers = ['host', 'h', 'traceparent', VALID, 'TraceParent', 'dup', 'tracestate', 'a=1'];
    propagate(headers, span);
    assert.deepEqual(headers, ['host', 'h', 'traceparent', `00-${TRACE}-${span.spanId}-01`, 'tracestate', 'a=1']);
    const fresh = new RequestTracer(1, sink).start(['tracestate', 'orphan=1']);
    const h2 = ['host', 'h', 'tracestate', 'orphan=1'];
    propagate(h2, fresh);
    assert.deepEqual(h2, ['host', 'h', 'traceparent', `00-${fresh.traceId}-${fresh.spanId}-01`]);
  });
});
