// The JSON access log line is built by hand (no object, no JSON.stringify per line) for its cost;
// these check it says exactly what JSON.stringify of the same fields says, whatever a client sent
// (quotes, backslashes, control characters, lone surrogates, non-ASCII), and that the cached
// wall-clock text is toISOString's at every millisecond, across seconds and days.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonLine } from '../../src/observe/access-log-format.ts';
import { jsonLineInto } from '../../src/observe/access-log-json-bytes.ts';
import { runsMade } from '../../src/observe/access-log-json-pieces.ts';
import { isoTime, timeRunsMade } from '../../src/observe/access-log-time.ts';
import { type AccessEntry, grpcStatusCode, protocolOf, requestHeader, responseFlags, traceId, ttfbMs, upstreamHost, type LoggedExchange } from '../../src/observe/access-log-entry.ts';

/** The line as the first version built it: every field through JSON.stringify. */
function reference(e: AccessEntry): string {
  const x = e.x;
  return JSON.stringify({
    time: new Date(performance.timeOrigin + x.startedAt).toISOString(),
    listener: x.listener,
    protocol: protocolOf(x),
    method: x.method,
    authority: x.authority,
    path: x.target,
    status: e.status,
    grpc_status: grpcStatusCode(x, e.status),
    duration_ms: Math.round(e.endedAt - x.startedAt),
    ttfb_ms: ttfbMs(x),
    bytes_received: x.bytesIn ?? 0,
    bytes_sent: x.bytesOut ?? 0,
    client: x.clientAddress,
    user_agent: requestHeader(x.raw, 'user-agent'),
    request_id: x.requestId === '' ? requestHeader(x.raw, 'x-request-id') : x.requestId,
    route: x.ingress === '' ? undefined : x.ingress,
    split: x.split === undefined || x.split < 0 ? undefined : x.split,
    cluster: x.clusterName === '' ? undefined : x.clusterName,
    upstream: upstreamHost(x),
    flags: responseFlags(e),
    trace_id: traceId(x),
  });
}

const HOSTILE = ['plain', 'q"uote', 'back\\slash', 'nl\nand\ttab\u0000', '\u007f del', 'ünïcödé ✓ 😀', 'lone \ud800 surrogate', 'low \udc00', '</script>', 'long "' + 'v\\'.repeat(50_000) + '\u0001', ''];

function exchange(v: string, i: number): LoggedExchange {
  const started = performance.now() - 5;
  return {
    listener: i % 2 ? 'http' : 'gateway/0.0.0.0:8080', from: i % 5, method: v === '' ? 'GET' : `GET${v}`, authority: v, target: `/p${v}?q=${v}`,
    raw: ['user-agent', v, 'X-Request-Id', `id${v}`, 'traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', 'content-type', i % 3 === 0 ? 'application/grpc' : 'text/plain'],
    clientAddress: i % 4 === 0 ? undefined : `10.0.0.${i}`, grpcType: i % 3 === 0 ? 'grpc' : undefined, replyGrpc: i % 3 === 0, ingress: i % 4 === 1 ? '' : `ns/${v}`,
    clusterName: i % 4 === 2 ? '' : `ns/svc:${v}`, endpoint: i % 2 ? { address: i % 3 ? '10.1.1.1' : 'fd00::1', port: 8080 } as LoggedExchange['endpoint'] : undefined,
    decided: ['forward', 'not-found', 'no-endpoints', 'redirect'][i % 4]!, requestId: i % 3 === 1 ? '' : `rid-${v}`, startedAt: started,
    ...(i % 2 ? { bytesIn: i * 10, bytesOut: i * 100, firstByteAt: started + 1.4 } : {}), ...(i % 3 === 2 ? { upstreamGrpcStatus: '14' } : {}),
    split: (i % 3) - 1, ...(i % 5 === 0 ? { span: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736' } } : {}),
  };
}

describe('JSON access log line', () => {
  it('equals JSON.stringify of the same fields for hostile values', () => {
    HOSTILE.forEach((v, i) => {
      for (const status of [200, 404, 499, 503]) {
        const e: AccessEntry = { x: exchange(v, i), status, outcome: undefined, endedAt: performance.now() };
        const line = jsonLine(e);
        assert.equal(line, reference(e), `value ${JSON.stringify(v)} status ${status}`);
        JSON.parse(line);
      }
    });
  });

  it('writes the same bytes straight into a buffer, or declines a line with anything to escape', () => {
    const buf = Buffer.alloc(1 << 20, 0xff);
    let direct = 0;
    HOSTILE.forEach((v, i) => {
      for (const status of [200, 404, 499, 503]) {
        const e: AccessEntry = { x: exchange(v, i), status, outcome: undefined, endedAt: performance.now() };
        const at = 7 + i;
        const end = jsonLineInto(buf, at, e.x, e.status, e.outcome, e.endedAt);
        if (end < 0) continue;
        direct++;
        assert.equal(buf.toString('utf8', at, end), reference(e), `value ${JSON.stringify(v)} status ${status}`);
      }
    });
    // The plain values (plain, DEL, </script>, empty) and nothing else take the direct road.
    assert.equal(direct, 16);
  });

  it("writes an endpoint's route, split and cluster as they are on each line, whichever came before", () => {
    const buf = Buffer.alloc(8192);
    const endpoint = { address: '10.9.9.9', port: 8443 } as LoggedExchange['endpoint'];
    const shapes = [
      { ingress: 'ns/a', split: 0, clusterName: 'ns/a:80' },
      { ingress: 'ns/b', split: 0, clusterName: 'ns/a:80' },
      { ingress: 'ns/b', split: 2, clusterName: 'ns/a:80' },
      { ingress: 'ns/b', split: 2, clusterName: 'ns/c:80' },
      { ingress: '', split: -1, clusterName: '' },
      { ingress: 'ns/"q"', split: 1, clusterName: 'ns/a:80' },
    ];
    for (let round = 0; round < 3; round++) {
      for (const shape of shapes) {
        const e: AccessEntry = { x: { ...exchange('plain', 1), endpoint, ...shape }, status: 200, outcome: undefined, endedAt: performance.now() };
        const end = jsonLineInto(buf, 0, e.x, e.status, e.outcome, e.endedAt);
        if (shape.ingress.includes('"')) assert.equal(end, -1, 'a route name to escape takes the string road');
        else assert.equal(buf.toString('utf8', 0, end), reference(e), JSON.stringify(shape));
      }
    }
  });

  it('writes numbers as JavaScript prints them, whatever they are', () => {
    const buf = Buffer.alloc(4096);
    const base = exchange('plain', 1);
    for (const n of [0, -0, 7, 10, 99, 100, 65535, 1234567, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53 + 2, 1e21, -1, -2.5, 0.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      const e: AccessEntry = { x: { ...base, bytesIn: n, bytesOut: n, split: 1, startedAt: base.startedAt, firstByteAt: base.startedAt + 2 }, status: 200, outcome: undefined, endedAt: base.startedAt + 3 };
      const end = jsonLineInto(buf, 0, e.x, e.status, e.outcome, e.endedAt);
      assert.ok(end > 0);
      assert.equal(buf.toString('utf8', 0, end), jsonLine(e), String(n));
    }
  });

  it('escapes a configured name whose check is remembered, every time it comes again', () => {
    for (let round = 0; round < 3; round++) {
      for (const v of HOSTILE) {
        const e: AccessEntry = { x: { ...exchange('plain', 1), ingress: `ns/${v}`, clusterName: `c${v}`, listener: `l${v}` }, status: 200, outcome: undefined, endedAt: performance.now() };
        assert.equal(jsonLine(e), reference(e));
        const buf = Buffer.alloc(8192);
        const end = jsonLineInto(buf, 0, e.x, e.status, e.outcome, e.endedAt);
        if (end >= 0) assert.equal(buf.toString('utf8', 0, end), reference(e));
      }
    }
  });

  it('finds request headers whatever the case of their names, as toLowerCase compares them', () => {
    const raw = ['Host', 'h', 'USER-agent', 'ua', 'X-Request-ID', 'rid', '\u212Aeep', 'kelvin', 'traceparent', 't'];
    assert.equal(requestHeader(raw, 'user-agent'), 'ua');
    assert.equal(requestHeader(raw, 'x-request-id'), 'rid');
    assert.equal(requestHeader(raw, 'traceparent'), 't');
    assert.equal(requestHeader(raw, 'keep'), '\u212Aeep'.toLowerCase() === 'keep' ? 'kelvin' : undefined);
    assert.equal(requestHeader(['user-agenu', 'x', 'user-agent@', 'y'], 'user-agent'), undefined);
    assert.equal(requestHeader(['USER-AGENT', 'first', 'user-agent', 'second'], 'user-agent'), 'first');
  });

  it("reads each request header's name once per line, for the user agent, the client's request id and traceparent together", () => {
    const buf = Buffer.alloc(8192);
    const names = ['Host', 'Accept', 'X-Request-Id', 'User-Agent', 'traceparent', 'user-agent', 'Cookie', 'X-Forwarded-For'];
    const values = ['h', '*/*', 'rid-1', 'ua-1', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', 'ua-2', 'c=1', '10.0.0.1'];
    const list = names.flatMap((n, i) => [n, values[i]!]);
    let nameReads = 0;
    const raw = new Proxy(list, {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key) && Number(key) % 2 === 0) nameReads++;
        return Reflect.get(target, key, receiver);
      },
    });
    for (const [requestId, span] of [['', undefined], ['gw-id', undefined], ['', { traceId: '4bf92f3577b34da6a3ce929d0e0e4736' }]] as const) {
      const e: AccessEntry = { x: { ...exchange('plain', 1), raw, requestId, ...(span && { span }) }, status: 200, outcome: undefined, endedAt: performance.now() };
      nameReads = 0;
      const end = jsonLineInto(buf, 0, e.x, e.status, e.outcome, e.endedAt);
      assert.equal(nameReads, names.length, `one read per header name (request id ${JSON.stringify(requestId)}, span ${span !== undefined})`);
      assert.equal(buf.toString('utf8', 0, end), reference({ ...e, x: { ...e.x, raw: list } }));
    }
  });

  it('makes the time run once per millisecond and the listener-to-authority and status runs once per value, not once per line', () => {
    const buf = Buffer.alloc(1 << 16);
    // Two milliseconds a little ahead, 100 lines in each (fractions inside the millisecond: no rounding at its edges).
    const wall = Math.floor(performance.timeOrigin + performance.now()) + 5;
    const base = exchange('plain', 1);
    const listener = `listener-${process.pid}-${wall}`;
    const [times, heads, statuses] = [timeRunsMade.count, runsMade.heads, runsMade.statuses];
    for (let i = 0; i < 200; i++) {
      const startedAt = wall + (i < 100 ? 0.25 : 1.25) + (i % 10) * 0.05 - performance.timeOrigin;
      const e: AccessEntry = { x: { ...base, listener, startedAt, firstByteAt: startedAt + 1 }, status: 297, outcome: undefined, endedAt: startedAt + 2 };
      const end = jsonLineInto(buf, 0, e.x, e.status, e.outcome, e.endedAt);
      assert.equal(buf.toString('utf8', 0, end), reference(e));
    }
    assert.equal(timeRunsMade.count - times, 2, 'one time run per millisecond');
    assert.equal(runsMade.heads - heads, 1, 'one listener/protocol/method run');
    assert.equal(runsMade.statuses - statuses, 1, 'one status run');
  });

  it('writes the start time as toISOString does, at every millisecond', () => {
    const base = Date.UTC(2026, 11, 31, 23, 59, 58, 990);
    for (let ms = base - 5; ms < base + 2100; ms += 1) assert.equal(isoTime(ms), new Date(ms).toISOString());
    for (const ms of [base + 0.4, base + 0.6, base - 1e6, 0, 1e12 + 0.999]) assert.equal(isoTime(ms), new Date(ms).toISOString(), String(ms));
  });
});
