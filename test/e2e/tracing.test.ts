// Tracing through the real `sluice serve`, exporting to a real OTLP receiver (HTTP/protobuf and
// gRPC) that decodes the real protos: a client's trace continued upstream and exported with the
// client's span as parent, a new trace for none or a malformed traceparent (a list of hostile
// values, none of which hurts), the translation span, headers untouched when tracing is off, and
// tracing flags checked at start.
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { eventually, get } from '../support/http.ts';
import { type SluiceProcess, runSluice, startSluice } from '../support/sluice.ts';
import { type Upstream, startUpstream } from '../support/upstream.ts';
import { rawExchange, statuses } from './raw-client.ts';
import { type OtlpReceiver, type ReceivedSpan, startGrpcReceiver, startHttpReceiver } from '../observe/otlp-receiver.ts';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const PARENT = 'b7ad6b7169203331';

async function writeConfig(config: ConfigDir, upstream: Upstream): Promise<void> {
  await config.write('routes.yaml', [
    ingress('traced', [{ hosts: ['traced.example.com'], paths: [{ splits: [{ service: 'traced' }] }] }]),
    ...backend('traced', [{ ip: '127.0.0.1', port: upstream.port }]),
  ]);
}

/** The upstream's view of the request whose path is `path`. */
function upstreamSaw(upstream: Upstream, path: string): Record<string, string | string[] | undefined> {
  const r = upstream.requests.find((q) => q.url === path);
  assert.ok(r, `the upstream got no ${path}`);
  return r.headers;
}

async function spanFor(receiver: OtlpReceiver, path: string): Promise<ReceivedSpan> {
  let found: ReceivedSpan | undefined;
  await eventually(() => (found = receiver.spans.find((s) => s.attributes['url.path'] === path)) !== undefined, 10_000);
  assert.ok(found, `no span for ${path}`);
  return found;
}

function h2Get(addr: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://${addr}`);
    session.on('error', reject);
    const req = session.request({ ':method': 'GET', ...headers });
    req.setTimeout(5000, () => req.close());
    let status = 0;
    req.on('response', (h) => (status = Number(h[':status'])));
    req.resume();
    req.on('close', () => {
      session.close();
      resolve(status);
    });
    req.on('error', reject);
  });
}

for (const protocol of ['http', 'grpc'] as const) {
  describe(`tracing to an OTLP collector over ${protocol}`, () => {
    let upstream: Upstream;
    let receiver: OtlpReceiver;
    let config: ConfigDir;
    let sluice: SluiceProcess;

    before(async () => {
      upstream = await startUpstream('traced');
      receiver = protocol === 'http' ? await startHttpReceiver() : await startGrpcReceiver();
      config = await ConfigDir.create();
      await writeConfig(config, upstream);
      sluice = await startSluice(['serve', '--config', config.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0',
        '--tracing-otlp-endpoint', receiver.url, '--tracing-protocol', protocol, '--tracing-service-name', `gw-${protocol}`,
        '--tracing-resource-attributes', 'deployment.environment=e2e,team=edge%2Cnet', '--tracing-flush-interval', '100']);
      assert.ok(await eventually(async () => (await get(sluice.addresses.http!, 'traced.example.com', '/ready')).status === 200, 10_000));
    });
    after(async () => {
      await sluice?.stop();
      await receiver?.close();
      await upstream?.close();
      await config?.cleanup();
    });

    it("continues a client's trace: the upstream's parent is the exported span, whose parent is the client's", async () => {
      const r = await get(sluice.addresses.http!, 'traced.example.com', '/continued?x=1', { traceparent: `00-${TRACE}-${PARENT}-01`, tracestate: 'congo=t61rcWkgMzE' });
      assert.equal(r.status, 200);
      const sent = upstreamSaw(upstream, '/continued?x=1');
      const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(String(sent.traceparent));
      assert.ok(m, `traceparent sent upstream: ${sent.traceparent}`);
      assert.equal(m[1], TRACE);
      assert.notEqual(m[2], PARENT);
      assert.equal(sent.tracestate, 'congo=t61rcWkgMzE');
      const span = await spanFor(receiver, '/continued');
      assert.equal(span.traceId, TRACE);
      assert.equal(span.spanId, m[2]);
      assert.equal(span.parentSpanId, PARENT);
      assert.equal(span.kind, 2);
      assert.equal(span.attributes['http.request.method'], 'GET');
      assert.equal(span.attributes['http.response.status_code'], 200);
      assert.equal(span.attributes['server.address'], 'traced.example.com');
      assert.equal(span.attributes['sluice.route'], 'default/traced');
      assert.match(String(span.attributes['sluice.cluster']), /^default\/traced:/);
      assert.equal(span.attributes['sluice.upstream.address'], `127.0.0.1:${upstream.port}`);
      assert.equal(span.resource['service.name'], `gw-${protocol}`);
      assert.equal(span.resource['deployment.environment'], 'e2e');
      assert.equal(span.resource.team, 'edge,net');
    });

    it('starts a new trace when the client sends none, and sends it upstream', async () => {
      await get(sluice.addresses.http!, 'traced.example.com', '/fresh');
      const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(String(upstreamSaw(upstream, '/fresh').traceparent));
      assert.ok(m);
      const span = await spanFor(receiver, '/fresh');
      assert.equal(span.traceId, m[1]);
      assert.equal(span.spanId, m[2]);
      assert.equal(span.parentSpanId, '');
    });

    it('keeps an unsampled client trace unsampled and exports nothing for it', async () => {
      await get(sluice.addresses.http!, 'traced.example.com', '/unsampled', { traceparent: `00-${TRACE}-${PARENT}-00` });
      assert.match(String(upstreamSaw(upstream, '/unsampled').traceparent), new RegExp(`^00-${TRACE}-[0-9a-f]{16}-00$`));
      // A later sampled request's span arriving shows the unsampled one was not merely late.
      await get(sluice.addresses.http!, 'traced.example.com', '/after-unsampled');
      await spanFor(receiver, '/after-unsampled');
      assert.equal(receiver.spans.filter((s) => s.attributes['url.path'] === '/unsampled').length, 0);
    });

    it('exports a span for a local answer (no route: 404, not an error) and over HTTP/2', async () => {
      assert.equal((await get(sluice.addresses.http!, 'nowhere.example.com', '/no-route')).status, 404);
      const s404 = await spanFor(receiver, '/no-route');
      assert.equal(s404.attributes['http.response.status_code'], 404);
      assert.equal(s404.attributes['sluice.response_flags'], 'NR');
      assert.equal(s404.statusCode, 0);
      assert.equal(await h2Get(sluice.addresses.http!, { ':path': '/over-h2', ':authority': 'traced.example.com', traceparent: `00-${TRACE}-${PARENT}-01` }), 200);
      const s2 = await spanFor(receiver, '/over-h2');
      assert.equal(s2.traceId, TRACE);
      assert.equal(s2.attributes['network.protocol.version'], '2');
    });

    it('reports the configuration translation as a span', async () => {
      assert.ok(await eventually(() => receiver.spans.some((s) => s.name === 'sluice.translate' && s.attributes['sluice.snapshot.version'] === 1), 10_000));
    });

    if (protocol === 'http') {
      it('replaces every malformed traceparent with a new trace and drops its tracestate, and keeps serving', async () => {
        const hostile = [
          '', 'garbage', `ff-${TRACE}-${PARENT}-01`, `00-${TRACE.toUpperCase()}-${PARENT}-01`, `00-${'0'.repeat(32)}-${PARENT}-01`,
          `00-${TRACE}-${'0'.repeat(16)}-01`, `00-${TRACE}-${PARENT}-01-extra`, `00-${TRACE}-${PARENT}`, `00_${TRACE}_${PARENT}_01`,
          `00-${TRACE}-${PARENT}-0z`, `00-${'x'.repeat(5000)}`, `00-${TRACE}-${PARENT}-01,00-${TRACE}-${PARENT}-01`,
        ];
        for (const [i, value] of hostile.entries()) {
          const path = `/hostile-${i}`;
          const r = await get(sluice.addresses.http!, 'traced.example.com', path, { traceparent: value, tracestate: 'evil=1' });
          assert.equal(r.status, 200, `traceparent ${JSON.stringify(value.slice(0, 80))}`);
          const sent = upstreamSaw(upstream, path);
          const m = /^00-([0-9a-f]{32})-[0-9a-f]{16}-01$/.exec(String(sent.traceparent));
          assert.ok(m, `a new traceparent for ${JSON.stringify(value.slice(0, 80))}: ${sent.traceparent}`);
          assert.notEqual(m[1], TRACE);
          assert.equal(sent.tracestate, undefined);
        }
        // Two traceparent fields: the request is not refused, and the upstream gets one.
        const tp = `traceparent: 00-${TRACE}-${PARENT}-01\r\n`;
        const raw = await rawExchange(sluice.addresses.http!, [`GET /hostile-two HTTP/1.1\r\nHost: traced.example.com\r\n${tp}${tp}Connection: close\r\n\r\n`], { until: (t) => t.includes('\r\n\r\n') });
        assert.deepEqual(statuses(raw.text), [200]);
        assert.equal(typeof upstreamSaw(upstream, '/hostile-two').traceparent, 'string');
        assert.equal((await get(sluice.addresses.http!, 'traced.example.com', '/still-up')).status, 200);
      });
    }
  });
}

describe('tracing off (the default)', () => {
  it("passes the client's traceparent and tracestate upstream unchanged and makes none", async () => {
    const upstream = await startUpstream('traced');
    const config = await ConfigDir.create();
    await writeConfig(config, upstream);
    const sluice = await startSluice(['serve', '--config', config.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
    try {
      assert.ok(await eventually(async () => (await get(sluice.addresses.http!, 'traced.example.com', '/ready')).status === 200, 10_000));
      await get(sluice.addresses.http!, 'traced.example.com', '/off', { traceparent: `00-${TRACE}-${PARENT}-01`, tracestate: 'a=1' });
      const sent = upstreamSaw(upstream, '/off');
      assert.equal(sent.traceparent, `00-${TRACE}-${PARENT}-01`);
      assert.equal(sent.tracestate, 'a=1');
      await get(sluice.addresses.http!, 'traced.example.com', '/off-none');
      assert.equal(upstreamSaw(upstream, '/off-none').traceparent, undefined);
    } finally {
      await sluice.stop();
      await upstream.close();
      await config.cleanup();
    }
  });
});

describe('tracing flags', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--tracing-otlp-endpoint', 'not a url'], /--tracing-otlp-endpoint: "not a url" is not a URL/],
    [['--tracing-otlp-endpoint', 'ftp://x:1'], /--tracing-otlp-endpoint: "ftp:\/\/x:1" must be an http:\/\/ or https:\/\/ URL/],
    [['--tracing-otlp-endpoint', 'http://127.0.0.1:4318', '--tracing-sample-rate', '1.5'], /--tracing-sample-rate: "1.5" must be a number from 0 to 1/],
    [['--tracing-otlp-endpoint', 'http://127.0.0.1:4318', '--tracing-resource-attributes', 'novalue'], /--tracing-resource-attributes: "novalue" must be key=value/],
    [['--tracing-sample-rate', '0.5'], /--tracing-sample-rate: needs --tracing-otlp-endpoint/],
  ];
  for (const [flags, message] of cases) {
    it(`refuses ${flags.join(' ')} with one line`, async () => {
      const config = await ConfigDir.create();
      try {
        const r = await runSluice(['serve', '--config', config.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', ...flags], { boundMs: 20_000 });
        assert.equal(r.code, 2);
        assert.match(r.stderr, message);
      } finally {
        await config.cleanup();
      }
    });
  }
});
