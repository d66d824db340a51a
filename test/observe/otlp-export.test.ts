// OTLP export on a real receiver that decodes the real opentelemetry-proto messages: spans batched
// by size and interval over HTTP/protobuf and gRPC, with the resource (service name, attributes);
// a bounded queue that drops (and counts) past its bound; a failed export dropped, not retried forever.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { SpanBatcher } from '../../src/observe/otlp-batcher.ts';
import { Tracing } from '../../src/observe/trace-export.ts';
import type { LoggedExchange } from '../../src/observe/access-log-entry.ts';
import type { FinishedSpan } from '../../src/observe/trace-requests.ts';
import { eventually } from '../support/http.ts';
import { type OtlpReceiver, startGrpcReceiver, startHttpReceiver } from './otlp-receiver.ts';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

function span(i: number, over: Partial<FinishedSpan> = {}): FinishedSpan {
  const now = Date.now();
  return {
    traceId: TRACE, spanId: (i + 1).toString(16).padStart(16, '0'), parentSpanId: 'aaaaaaaaaaaaaaaa', tracestate: 'v=1', name: 'GET', kind: 'server',
    startMs: now - 5.5, endMs: now, attributes: { 'http.request.method': 'GET', 'http.response.status_code': 200, 'url.path': `/s/${i}` }, error: false, ...over,
  };
}

function exchange(raw: string[]): LoggedExchange {
  return {
    listener: 'http', from: 0, method: 'GET', authority: 'a.example.com:8080', target: '/p?q=1', raw, clientAddress: '10.1.2.3', grpcType: undefined, replyGrpc: false,
    ingress: 'ns/a', clusterName: 'ns/a:80', endpoint: { address: '10.0.0.5', port: 8080 }, decided: 'forward', requestId: 'rid', startedAt: performance.now() - 4,
  };
}

for (const protocol of ['http', 'grpc'] as const) {
  describe(`OTLP export over ${protocol}`, () => {
    let receiver: OtlpReceiver;
    const open: Tracing[] = [];
    after(async () => {
      for (const t of open) await t.close();
      await receiver?.close();
    });

    it('sends a batch the collector decodes: ids, parent, kind, times, attributes, status and resource', async () => {
      receiver = protocol === 'http' ? await startHttpReceiver() : await startGrpcReceiver();
      const t = new Tracing({ endpoint: new URL(receiver.url), protocol, sampleRate: 1, serviceName: 'edge-gw', resourceAttributes: { 'deployment.environment': 'test' }, flushIntervalMs: 50 });
      open.push(t);
      t.translated({ startedAt: performance.now() - 3, endedAt: performance.now(), version: 7, rejected: 1, ingresses: 2, clusters: 3 });
      assert.ok(await eventually(() => receiver.spans.length === 1, 5000), 'the translation span arrives');
      const s = receiver.spans[0]!;
      assert.equal(s.name, 'sluice.translate');
      assert.equal(s.kind, 1);
      assert.match(s.traceId, /^[0-9a-f]{32}$/);
      assert.equal(s.parentSpanId, '');
      assert.equal(s.attributes['sluice.snapshot.version'], 7);
      assert.equal(s.attributes['sluice.snapshot.published'], true);
      assert.equal(s.resource['service.name'], 'edge-gw');
      assert.equal(s.resource['deployment.environment'], 'test');
      assert.equal(s.scope, 'sluice');
      assert.ok(s.endNanos >= s.startNanos);
      if (protocol === 'http') assert.deepEqual(receiver.requests, ['POST /v1/traces application/x-protobuf']);
    });

    it('exports request spans with their parent, trace state, HTTP attributes and error status', async () => {
      const t = new Tracing({ endpoint: new URL(receiver.url), protocol, sampleRate: 1, serviceName: 'edge-gw', flushIntervalMs: 50 });
      open.push(t);
      const before = receiver.spans.length;
      const raw = ['traceparent', `00-${TRACE}-aaaaaaaaaaaaaaaa-01`, 'tracestate', 'v=1', 'user-agent', 'ua/1'];
      const x = exchange(raw);
      const s1 = t.requests.start(raw);
      t.requests.end(x, s1, 503, 'connection_refused');
      assert.ok(await eventually(() => receiver.spans.length === before + 1, 5000));
      const s = receiver.spans.at(-1)!;
      assert.equal(s.traceId, TRACE);
      assert.equal(s.spanId, s1.spanId);
      assert.equal(s.parentSpanId, 'aaaaaaaaaaaaaaaa');
      assert.equal(s.traceState, 'v=1');
      assert.equal(s.kind, 2, 'SERVER');
      assert.equal(s.name, 'GET');
      assert.equal(s.statusCode, 2, 'a 5xx is an error');
      assert.deepEqual(s.attributes, {
        'http.request.method': 'GET', 'url.path': '/p', 'url.query': 'q=1', 'http.response.status_code': 503, 'network.protocol.version': '1.1',
        'sluice.listener': 'http', 'server.address': 'a.example.com', 'client.address': '10.1.2.3', 'user_agent.original': 'ua/1',
        'sluice.route': 'ns/a', 'sluice.cluster': 'ns/a:80', 'sluice.upstream.address': '10.0.0.5:8080', 'sluice.response_flags': 'UF', 'sluice.request_id': 'rid',
      });
      const unsampled = t.requests.start(['traceparent', `00-${TRACE}-aaaaaaaaaaaaaaaa-00`]);
      t.requests.end(x, unsampled, 200, undefined);
      t.translated({ startedAt: performance.now(), endedAt: performance.now(), version: undefined, rejected: 0, error: 'boom' });
      assert.ok(await eventually(() => receiver.spans.length === before + 2, 5000));
      const last = receiver.spans.at(-1)!;
      assert.equal(last.name, 'sluice.translate', 'the unsampled request span was not exported');
      assert.equal(last.statusCode, 2, 'a failed translation is an error');
      assert.equal(last.attributes['error.type'], 'boom');
    });
  });
}

describe('span batcher', () => {
  it('sends a batch as soon as batchSize wait, and the rest on the interval', async () => {
    const sent: number[] = [];
    const b = new SpanBatcher(async (spans) => void sent.push(spans.length), { batchSize: 3, intervalMs: 60_000 });
    for (let i = 0; i < 7; i++) b.push(span(i));
    assert.ok(await eventually(() => sent.length === 2, 2000));
    assert.deepEqual(sent, [3, 3]);
    await b.close();
    assert.deepEqual(sent, [3, 3, 1], 'close exports what is left');
  });

  it('drops and counts spans past its queue bound while an export is slow', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const drops: string[] = [];
    const b = new SpanBatcher(() => gate, { batchSize: 2, maxQueue: 4, intervalMs: 60_000, onDrop: (n, why) => drops.push(`${n} ${why}`) });
    for (let i = 0; i < 10; i++) b.push(span(i));
    // 2 in flight, 4 queued, 4 dropped.
    assert.equal(b.dropped, 4);
    assert.deepEqual(drops, ['1 queue_full', '1 queue_full', '1 queue_full', '1 queue_full']);
    release();
    await b.close();
    assert.equal(b.exported, 6);
  });

  it('drops a batch the collector refuses, counted as export_failed, and goes on', async () => {
    const receiver = await startHttpReceiver();
    const registry = new Registry();
    const t = new Tracing({ endpoint: new URL(receiver.url), protocol: 'http', sampleRate: 1, serviceName: 's', flushIntervalMs: 20 });
    t.countDropsIn(registry);
    try {
      receiver.failNext(1, 503);
      t.translated({ startedAt: performance.now(), endedAt: performance.now(), version: 1, rejected: 0 });
      assert.ok(await eventually(() => t.dropped === 1, 5000));
      t.translated({ startedAt: performance.now(), endedAt: performance.now(), version: 2, rejected: 0 });
      assert.ok(await eventually(() => receiver.spans.length === 1, 5000));
      assert.match(await registry.metrics(), /sluice_tracing_dropped_spans_total\{reason="export_failed"\} 1/);
    } finally {
      await t.close();
      await receiver.close();
    }
  });

  it('drops a batch when no collector listens, without an unhandled error', async () => {
    const receiver = await startHttpReceiver();
    const url = receiver.url;
    await receiver.close();
    const t = new Tracing({ endpoint: new URL(url), protocol: 'grpc', sampleRate: 1, serviceName: 's', flushIntervalMs: 20 });
    t.translated({ startedAt: performance.now(), endedAt: performance.now(), version: 1, rejected: 0 });
    assert.ok(await eventually(() => t.dropped === 1, 15_000));
    await t.close();
  });
});
