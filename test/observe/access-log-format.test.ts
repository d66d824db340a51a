// Access log formats and the buffered writer, on plain values: template operators (alternatives,
// truncation, pseudo-headers), response flags from the outcome, and lines dropped (counted) while
// a write cannot keep up.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { devNull, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { AccessEntry, LoggedExchange } from '../../src/observe/access-log-entry.ts';
import { headerScans, hostTextsMade, responseFlags } from '../../src/observe/access-log-entry.ts';
import { isoTextsMade } from '../../src/observe/access-log-time.ts';
import { compileFormat, compileTemplate, ENVOY_DEFAULT_FORMAT, lineBytesOf } from '../../src/observe/access-log-format.ts';
import { LineWriter } from '../../src/observe/access-log-writer.ts';

function exchange(over: Partial<LoggedExchange> = {}): LoggedExchange {
  return {
    listener: 'http', from: 0, method: 'POST', authority: 'a.example.com', target: '/p?q', raw: ['Host', 'a.example.com', 'User-Agent', 'ua/1', 'X-Original', 'orig'],
    clientAddress: '10.1.2.3', grpcType: undefined, replyGrpc: false, ingress: 'ns/a', clusterName: 'ns/a:80',
    endpoint: { address: '10.0.0.5', port: 8080 }, decided: 'forward', requestId: 'rid', startedAt: performance.now() - 12, ...over,
  };
}

const entry = (x: LoggedExchange, status = 200, outcome?: AccessEntry['outcome']): AccessEntry => ({ x, status, outcome, endedAt: x.startedAt + 12 });

describe('access log template', () => {
  it('fills headers, pseudo-headers, alternatives and truncation', () => {
    const f = compileTemplate('%REQ(:METHOD)% %REQ(X-MISSING?X-ORIGINAL)% %REQ(USER-AGENT):2% %REQ(:AUTHORITY)%%REQ(:PATH)% %RESPONSE_CODE% %DURATION% %UPSTREAM_HOST% %UPSTREAM_CLUSTER% %PROTOCOL% %REQ(X-REQUEST-ID)% %RESP(X-REQUEST-ID)% %REQ(X-NONE)%\n');
    assert.equal(f(entry(exchange())), 'POST orig ua a.example.com/p?q 200 12 10.0.0.5:8080 ns/a:80 HTTP/1.1 rid rid -');
  });

  it('fills body bytes, time to first upstream byte and trace id, with - when unknown', () => {
    const f = compileTemplate('%BYTES_RECEIVED% %BYTES_SENT% %RESPONSE_DURATION% %TRACE_ID%');
    const x = exchange({ bytesIn: 10, bytesOut: 20, span: { traceId: 'abc' } });
    assert.equal(f(entry({ ...x, firstByteAt: x.startedAt + 7 })), '10 20 7 abc');
    assert.equal(f(entry(exchange())), '0 0 - -');
    const tp = exchange({ raw: ['traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'] });
    assert.equal(f(entry(tp)), '0 0 - 4bf92f3577b34da6a3ce929d0e0e4736', "tracing off: the client's trace id");
    assert.equal(f(entry(exchange({ raw: ['traceparent', 'junk'] }))), '0 0 - -');
  });

  it("json logs a forwarded gRPC call's status from its trailers, and the split", () => {
    const line = JSON.parse(compileFormat('json')(entry(exchange({ grpcType: 'application/grpc', upstreamGrpcStatus: '5', split: 1 })))) as Record<string, unknown>;
    assert.equal(line.grpc_status, 5);
    assert.equal(line.split, 1);
  });

  it('makes the time text once per millisecond and the upstream text once per endpoint, not once per line', () => {
    const f = compileFormat(ENVOY_DEFAULT_FORMAT);
    const a = { address: '10.0.0.7', port: 8080 };
    const b = { address: 'fd00::7', port: 9090 };
    // Mid-millisecond (on the wall clock), so that the lines' fractions stay in it.
    const ms = Math.floor(performance.timeOrigin + performance.now()) + 0.25 - performance.timeOrigin;
    const [times, hosts] = [isoTextsMade.count, hostTextsMade.count];
    const lines = [];
    for (let i = 0; i < 100; i++) lines.push(f(entry(exchange({ startedAt: ms + (i % 2) * 0.5, endpoint: i < 50 ? a : b }))));
    assert.equal(isoTextsMade.count - times, 1, 'one time text for the millisecond');
    assert.equal(hostTextsMade.count - hosts, 2, 'one upstream text per endpoint');
    const next = f(entry(exchange({ startedAt: ms + 1, endpoint: a })));
    assert.equal(isoTextsMade.count - times, 2, 'the next millisecond has its own');
    assert.equal(lines[0]!.slice(0, 26), `[${new Date(Math.trunc(performance.timeOrigin + ms)).toISOString()}]`);
    assert.equal(next.slice(0, 26), `[${new Date(Math.trunc(performance.timeOrigin + ms + 1)).toISOString()}]`);
    assert.match(lines[0]!, / "10\.0\.0\.7:8080"$/);
    assert.match(lines[99]!, / "\[fd00::7\]:9090"$/);
  });

  it('reads all of a template\'s request headers in one pass over the header list per line, on either road', async () => {
    const f = compileTemplate('%REQ(USER-AGENT)% "%REQ(X-FORWARDED-FOR)%" %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %REQ(X-MISSING?X-ORIGINAL):3% %REQ(X-REQUEST-ID)% %TRACE_ID%\n');
    const raw = ['Host', 'a.example.com', 'X-Forwarded-For', '10.9.9.9', 'User-Agent', 'ua/1', 'X-Original', 'orig', 'user-agent', 'second', 'traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'];
    const e = entry(exchange({ raw, requestId: '' }));
    const before = headerScans.count;
    const line = f(e);
    assert.equal(headerScans.count - before, 1, 'one pass for the string road');
    assert.equal(line, 'ua/1 "10.9.9.9" /p?q ori - 4bf92f3577b34da6a3ce929d0e0e4736', 'the first value of each, as before');
    const file = join(tmpdir(), `sluice-template-scan-${process.pid}.log`);
    const w = new LineWriter(fs.openSync(file, 'w'), true);
    try {
      const mid = headerScans.count;
      assert.equal(lineBytesOf(f)!(w, e), true);
      assert.equal(headerScans.count - mid, 1, 'one pass for the bytes road');
      w.flush();
    } finally {
      await w.close();
      fs.rmSync(file, { force: true });
    }
    // Envoy's default reads three request headers: still one pass.
    const envoy = compileFormat(ENVOY_DEFAULT_FORMAT);
    const n0 = headerScans.count;
    envoy(e);
    assert.equal(headerScans.count - n0, 1);
  });

  it('refuses an unknown operator by name', () => {
    assert.throws(() => compileFormat('%START_TIME% %NOPE%'), /unknown command operator "%NOPE%"/);
  });

  it('json is the default format and omits what is unknown', () => {
    const line = JSON.parse(compileFormat('json')(entry(exchange({ endpoint: undefined, clusterName: '' }), 404))) as Record<string, unknown>;
    assert.equal(line.status, 404);
    assert.equal('upstream' in line, false);
    assert.equal(line.request_id, 'rid');
  });
});

describe('access log bytes road', () => {
  const hostile = ['plain', 'q"uote', 'back\\slash', 'nl\nand\ttab\u0000', '\u007f del', 'ünïcödé ✓ 😀', 'lone \ud800', '', 'long'.repeat(20_000)];
  const formats = ['json', ENVOY_DEFAULT_FORMAT, '%REQ(USER-AGENT):3% %REQ(:PATH)% ünï %RESPONSE_CODE% %UPSTREAM_HOST% %TRACE_ID%', '%START_TIME%'];
  for (const spec of formats) {
    it(`writes what the string road writes, or leaves the line to it (${spec.slice(0, 20)})`, async () => {
      const format = compileFormat(spec);
      const bytes = lineBytesOf(format);
      assert.ok(bytes, 'the format has a bytes road');
      const file = join(tmpdir(), `sluice-bytes-road-${process.pid}-${Date.now()}.log`);
      const w = new LineWriter(fs.openSync(file, 'a'), true, { intervalMs: 600_000, flushBytes: 4096 });
      const want: string[] = [];
      let direct = 0;
      try {
        for (let round = 0; round < 2; round++) {
          for (const v of hostile) {
            const e = entry(exchange({ target: `/p${v}`, raw: ['User-Agent', v, 'traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'], authority: v, bytesOut: v.length }), 200);
            want.push(format(e));
            if (bytes(w, e)) direct++;
            else w.push(format(e));
          }
        }
        await w.close();
        // Compared as bytes: the string road's UTF-8 (a lone surrogate becomes U+FFFD).
        assert.ok(fs.readFileSync(file).equals(Buffer.from(want.map((l) => l + '\n').join(''))));
        assert.ok(direct >= 4, `plain lines took the bytes road (${direct})`);
      } finally {
        fs.rmSync(file, { force: true });
      }
    });
  }
});

describe('template bytes road', () => {
  it("writes number operators' digits without making their text", async () => {
    const spec = '%RESPONSE_CODE% %DURATION% %BYTES_RECEIVED% %BYTES_SENT% %RESPONSE_DURATION% %GRPC_STATUS% %REQ(:PATH)%';
    const format = compileFormat(spec);
    const bytes = lineBytesOf(format)!;
    const w = new LineWriter(fs.openSync(devNull, 'a'), true, { intervalMs: 600_000 });
    const x = exchange({ bytesIn: 123, bytesOut: 45678, grpcType: 'grpc', upstreamGrpcStatus: '14' });
    const e = entry({ ...x, firstByteAt: x.startedAt + 3 });
    assert.ok(bytes(w, e), 'warm');
    const real = globalThis.String;
    let made = 0;
    const counting = Object.assign((v?: unknown) => {
      if (typeof v === 'number') made++;
      return real(v);
    }, real) as StringConstructor;
    globalThis.String = counting;
    try {
      for (let i = 0; i < 10; i++) assert.ok(bytes(w, e));
    } finally {
      globalThis.String = real;
    }
    await w.close();
    assert.equal(made, 0, 'no String() per number');
    assert.equal(format(e), '200 12 123 45678 3 14 /p?q');
  });

  it('writes the start time from bytes made once per millisecond, with no text per line, and a year past 9999 as its text', async () => {
    const format = compileFormat('%START_TIME% %RESPONSE_CODE%');
    const bytes = lineBytesOf(format)!;
    const buf: Buffer[] = [];
    const w = new LineWriter(fs.openSync(devNull, 'a'), true, { intervalMs: 600_000 });
    const ms = Math.floor(performance.timeOrigin + performance.now()) + 0.25 - performance.timeOrigin;
    const far = Date.UTC(10_000, 0, 1, 0, 0, 0, 7) + 0.5 - performance.timeOrigin;
    const starts = [ms, ms + 0.5, ms + 1, ms + 1000, far, ms + 2];
    const texts = isoTextsMade.count;
    for (const startedAt of starts) {
      const e = entry(exchange({ startedAt }));
      const at = w.at;
      assert.ok(bytes(w, e));
      buf.push(Buffer.from(w.room(1)!.subarray(at, w.at - 1)));
    }
    const made = isoTextsMade.count - texts;
    await w.close();
    assert.equal(made, 1, 'a text only for the year past 9999');
    assert.deepEqual(buf.map((b) => b.toString('latin1')), starts.map((startedAt) => format(entry(exchange({ startedAt })))));
    assert.match(buf[4]!.toString('latin1'), /^\+010000-01-01T00:00:00\.007Z 200$/);
  });

  it('writes odd numbers and values as the string road does', async () => {
    const spec = '[%START_TIME%] %RESPONSE_CODE% %DURATION% %BYTES_RECEIVED% %BYTES_SENT% %RESPONSE_DURATION% %GRPC_STATUS% "%REQ(USER-AGENT)%" %REQ(X-NONE?USER-AGENT):5% %UPSTREAM_HOST% %TRACE_ID%';
    const format = compileFormat(spec);
    const bytes = lineBytesOf(format)!;
    const file = join(tmpdir(), `sluice-template-odd-${process.pid}-${Date.now()}.log`);
    const w = new LineWriter(fs.openSync(file, 'a'), true, { intervalMs: 600_000, flushBytes: 4096 });
    const numbers = [0, -0, 7, 2 ** 32, 2 ** 53 + 2, 1e21, -1, -2.5, Number.NaN, Number.POSITIVE_INFINITY];
    const texts = ['', 'q"uote', 'back\\slash', 'nl\nand\ttab\u0000', '\u007f', 'ünï ✓ 😀', 'lone \ud800', 'x'.repeat(70_000), 'y'.repeat(3000)];
    const want: string[] = [];
    let direct = 0;
    try {
      for (let i = 0; i < Math.max(numbers.length, texts.length); i++) {
        const n = numbers[i % numbers.length]!;
        const v = texts[i % texts.length]!;
        const x = exchange({ bytesIn: n, bytesOut: -n, raw: ['user-agent', v], grpcType: 'grpc', upstreamGrpcStatus: String(n), endpoint: i % 2 ? undefined : { address: 'fd00::1', port: 80 } });
        const e = { ...entry({ ...x, firstByteAt: x.startedAt + 0.5 + i }, 100 + i), endedAt: x.startedAt + n };
        want.push(format(e));
        if (bytes(w, e)) direct++;
        else w.push(format(e));
      }
      await w.close();
      assert.ok(fs.readFileSync(file).equals(Buffer.from(want.map((l) => l + '\n').join(''))));
      assert.ok(direct >= 6, `ASCII lines took the bytes road (${direct})`);
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
});

describe('response flags', () => {
  const cases: Array<[string, AccessEntry]> = [
    ['NR', entry(exchange({ decided: 'not-found' }), 404)],
    ['UH', entry(exchange({ decided: 'no-endpoints' }), 503)],
    ['UF', entry(exchange(), 503, Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))],
    ['UC', entry(exchange(), 503, 'reset')],
    ['UR', entry(exchange(), 200, 'reset_after_headers')],
    ['UT', entry(exchange(), 504, 'timeout')],
    ['DC', entry(exchange(), 499)],
    ['RL', entry(exchange({ decided: 'direct-response' }), 429)],
    ['UAEX', entry(exchange({ policyFlag: 'UAEX' }), 403)],
    ['RL', entry(exchange({ policyFlag: 'RL' }), 429)],
    ['-', entry(exchange(), 200)],
  ];
  for (const [flag, e] of cases) it(`${flag} for status ${e.status}`, () => assert.equal(responseFlags(e), flag));
});

describe('access log writer', () => {
  it('drops and counts lines past its bound instead of buffering without end, and writes the rest on close', async () => {
    const file = join(tmpdir(), `sluice-writer-${process.pid}-${Date.now()}.log`);
    const fd = fs.openSync(file, 'a');
    let drops = 0;
    const w = new LineWriter(fd, true, { intervalMs: 600_000, flushBytes: 1 << 30, maxPendingBytes: 100, onDrop: () => drops++ });
    try {
      for (let i = 0; i < 20; i++) w.push(`line-${String(i).padStart(4, '0')}`);
      assert.ok(drops > 0);
      assert.equal(w.dropped, drops);
      await w.close();
      const written = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
      assert.equal(written.length, 20 - drops);
      assert.equal(written[0], 'line-0000');
      const before = drops;
      w.push('after close');
      assert.equal(w.dropped, before + 1);
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
});
