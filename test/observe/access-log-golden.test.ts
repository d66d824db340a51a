// The access log's bytes, pinned: a few JSON lines written through the real AccessLog into a file
// and compared byte for byte with lines written down once (the format's contract with log
// shippers). Whatever builds a line, these must not move: a bench-like forwarded GET, a local 404,
// an HTTP/2 gRPC call to an IPv6 upstream with a trace id, and hostile client values.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { LoggedExchange, LoggedOutcome } from '../../src/observe/access-log-entry.ts';
import { ENVOY_DEFAULT_FORMAT } from '../../src/observe/access-log-format.ts';
import { openAccessLog } from '../../src/observe/access-log.ts';

/** 2026-12-07T01:02:03.456Z, as a performance.now() instant (half a millisecond in: no rounding at the edge). */
const START = Date.UTC(2026, 11, 7, 1, 2, 3, 456) + 0.5 - performance.timeOrigin;

const bench: LoggedExchange = {
  listener: 'http', from: 0, method: 'GET', authority: 'bench.example.com', target: '/small',
  raw: ['host', 'bench.example.com'], clientAddress: '127.0.0.1', grpcType: undefined, replyGrpc: false,
  ingress: 'bench/bench', clusterName: 'bench/bench-a:80', endpoint: { address: '127.0.0.1', port: 38705 } as LoggedExchange['endpoint'],
  decided: 'forward', requestId: '33375048-f498-40cc-9c38-45496bed71f6', startedAt: START, bytesIn: 0, bytesOut: 20, firstByteAt: START + 0.4, split: 0,
};

const notFound: LoggedExchange = {
  listener: 'gateway/0.0.0.0:8080', from: 1, method: 'POST', authority: 'nowhere.example.com:8080', target: '/a/b?c=d&e=%20f',
  raw: ['Host', 'nowhere.example.com:8080', 'User-Agent', 'curl/8.5.0', 'X-Request-Id', 'client-id-7'], clientAddress: '10.0.0.9', grpcType: undefined,
  replyGrpc: false, ingress: '', clusterName: '', endpoint: undefined, decided: 'not-found', requestId: '', startedAt: START + 1500.25, bytesIn: 1234567, bytesOut: 9,
};

const grpc: LoggedExchange = {
  listener: 'https', from: 2, method: 'POST', authority: 'grpc.example.com', target: '/pkg.Svc/Call',
  raw: [':authority', 'grpc.example.com', 'user-agent', 'grpc-go/1.60', 'content-type', 'application/grpc'], clientAddress: '2001:db8::7', grpcType: 'grpc',
  replyGrpc: true, ingress: 'apps/grpc', clusterName: 'apps/grpc-00002:8080', endpoint: { address: 'fd00::1', port: 9000 } as LoggedExchange['endpoint'],
  decided: 'forward', requestId: 'rid-grpc', startedAt: START + 61_000, bytesIn: 5, bytesOut: 77, firstByteAt: START + 61_003.6, upstreamGrpcStatus: '14', split: 2,
  span: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736' },
};

const hostile: LoggedExchange = {
  ...bench, method: 'GET', authority: 'q"uote\\back', target: '/p\u0000\n\t?ünï=✓😀&lone=\ud800',
  raw: ['host', 'x', 'user-agent', 'ua "quoted" \u001b[31m \u007f', 'x-request-id', 'ignored'], requestId: 'ü-id', startedAt: START + 86_400_000, firstByteAt: START + 86_400_002.5,
};

const LINES: [LoggedExchange, number, LoggedOutcome, number, string][] = [
  [bench, 200, undefined, 0.9, '{"time":"2026-12-07T01:02:03.456Z","listener":"http","protocol":"HTTP/1.1","method":"GET","authority":"bench.example.com","path":"/small","status":200,"duration_ms":1,"ttfb_ms":0,"bytes_received":0,"bytes_sent":20,"client":"127.0.0.1","request_id":"33375048-f498-40cc-9c38-45496bed71f6","route":"bench/bench","split":0,"cluster":"bench/bench-a:80","upstream":"127.0.0.1:38705","flags":"-"}'],
  [notFound, 404, undefined, 2.5, '{"time":"2026-12-07T01:02:04.956Z","listener":"gateway/0.0.0.0:8080","protocol":"HTTP/1.1","method":"POST","authority":"nowhere.example.com:8080","path":"/a/b?c=d&e=%20f","status":404,"duration_ms":3,"bytes_received":1234567,"bytes_sent":9,"client":"10.0.0.9","user_agent":"curl/8.5.0","request_id":"client-id-7","flags":"NR"}'],
  [grpc, 200, undefined, 1234.5, '{"time":"2026-12-07T01:03:04.456Z","listener":"https","protocol":"HTTP/2","method":"POST","authority":"grpc.example.com","path":"/pkg.Svc/Call","status":200,"grpc_status":14,"duration_ms":1235,"ttfb_ms":4,"bytes_received":5,"bytes_sent":77,"client":"2001:db8::7","user_agent":"grpc-go/1.60","request_id":"rid-grpc","route":"apps/grpc","split":2,"cluster":"apps/grpc-00002:8080","upstream":"[fd00::1]:9000","flags":"-","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"}'],
  [hostile, 499, undefined, 0, '{"time":"2026-12-08T01:02:03.456Z","listener":"http","protocol":"HTTP/1.1","method":"GET","authority":"q\\"uote\\\\back","path":"/p\\u0000\\n\\t?ünï=✓😀&lone=\\ud800","status":499,"duration_ms":0,"ttfb_ms":3,"bytes_received":0,"bytes_sent":20,"client":"127.0.0.1","user_agent":"ua \\"quoted\\" \\u001b[31m \u007f","request_id":"ü-id","route":"bench/bench","split":0,"cluster":"bench/bench-a:80","upstream":"127.0.0.1:38705","flags":"DC"}'],
];

/** What `format` writes for `lines` through the real AccessLog and its writer, as bytes. */
async function written(format: string, lines: typeof LINES): Promise<Buffer> {
  const file = join(tmpdir(), `sluice-access-golden-${process.pid}-${Date.now()}.log`);
  try {
    const log = openAccessLog(file, format)!;
    for (const [x, status, outcome, took] of lines) log.record(x, status, outcome, x.startedAt + took);
    await log.close();
    return fs.readFileSync(file);
  } finally {
    fs.rmSync(file, { force: true });
  }
}

const TEMPLATE_LINES = [
  '[2026-12-07T01:02:03.456Z] "GET /small HTTP/1.1" 200 - 0 20 1 - "-" "-" "33375048-f498-40cc-9c38-45496bed71f6" "bench.example.com" "127.0.0.1:38705"',
  '[2026-12-07T01:02:04.956Z] "POST /a/b?c=d&e=%20f HTTP/1.1" 404 NR 1234567 9 3 - "-" "curl/8.5.0" "client-id-7" "nowhere.example.com:8080" "-"',
  '[2026-12-07T01:03:04.456Z] "POST /pkg.Svc/Call HTTP/2" 200 - 5 77 1235 - "-" "grpc-go/1.60" "rid-grpc" "grpc.example.com" "[fd00::1]:9000"',
  // The template escapes nothing (as Envoy's text format); a lone surrogate becomes U+FFFD in UTF-8.
  '[2026-12-08T01:02:03.456Z] "GET /p\u0000\n\t?ünï=✓😀&lone=\ufffd HTTP/1.1" 499 DC 0 20 0 - "-" "ua "quoted" \u001b[31m \u007f" "ü-id" "q"uote\\back" "127.0.0.1:38705"',
];

describe('access log bytes', () => {
  it('writes JSON lines byte for byte as written down', async () => {
    const got = await written('json', LINES);
    const want = Buffer.from(LINES.map((l) => l[4] + '\n').join(''));
    assert.equal(got.toString('utf8'), want.toString('utf8'));
    assert.ok(got.equals(want));
  });

  it("writes Envoy's default template byte for byte as written down", async () => {
    const got = await written(ENVOY_DEFAULT_FORMAT, LINES);
    assert.equal(got.toString('utf8'), TEMPLATE_LINES.map((l) => l + '\n').join(''));
  });
});
