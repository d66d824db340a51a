// What a template line reads per request on the bytes road: a character at a time only the values
// that change per request (method, path, user agent, request id, authority); the protocol, flags and
// upstream are copied from runs made once per value, an operator that is always `-` is fixed text.
// Counted with a counting String.prototype.charCodeAt (the road's per-character read), not timed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { devNull } from 'node:os';
import { describe, it } from 'node:test';
import type { AccessEntry, LoggedExchange } from '../../src/observe/access-log-entry.ts';
import { compileFormat, ENVOY_DEFAULT_FORMAT, lineBytesOf } from '../../src/observe/access-log-format.ts';
import { valueRunsMade } from '../../src/observe/access-log-template-values.ts';
import { LineWriter } from '../../src/observe/access-log-writer.ts';

const RID = '33375048-f498-40cc-9c38-45496bed71f6';

function benchGet(over: Partial<LoggedExchange> = {}): LoggedExchange {
  return {
    listener: 'http', from: 0, method: 'GET', authority: 'bench.example.com', target: '/small',
    // Lower-case names: the header pass compares them without reading characters.
    raw: ['host', 'bench.example.com', 'user-agent', 'wrk/4.2.0', 'accept', '*/*'],
    clientAddress: '127.0.0.1', grpcType: undefined, replyGrpc: false, ingress: 'bench/bench', clusterName: 'bench/bench-a:80',
    endpoint: { address: '127.0.0.1', port: 38705 }, decided: 'forward', requestId: RID, startedAt: performance.now() - 3, bytesOut: 20, ...over,
  };
}

const entry = (x: LoggedExchange): AccessEntry => ({ x, status: 200, outcome: undefined, endedAt: x.startedAt + 3 });

/** charCodeAt and Array#fill calls while `run` runs. */
function charReads(run: () => void): { reads: number; fills: number } {
  const real = String.prototype.charCodeAt;
  const fill = Array.prototype.fill;
  let reads = 0;
  let fills = 0;
  String.prototype.charCodeAt = function (this: string, i: number): number {
    reads++;
    return real.call(this, i);
  };
  Array.prototype.fill = function <T>(this: T[], ...args: Parameters<T[]['fill']>): T[] {
    fills++;
    return fill.apply(this, args);
  };
  try {
    run();
  } finally {
    String.prototype.charCodeAt = real;
    Array.prototype.fill = fill;
  }
  return { reads, fills };
}

describe('template line reads', () => {
  it("Envoy's default line reads a character at a time only its per-request values, and writes what the string road writes", async () => {
    const format = compileFormat(ENVOY_DEFAULT_FORMAT);
    const bytes = lineBytesOf(format)!;
    const w = new LineWriter(fs.openSync(devNull, 'a'), true, { intervalMs: 600_000 });
    const e = entry(benchGet());
    // The first line makes the runs of its protocol, flags and upstream.
    assert.ok(bytes(w, e));
    const at = w.at;
    const lines = 10;
    const { reads, fills } = charReads(() => {
      for (let i = 0; i < lines; i++) assert.ok(bytes(w, e));
    });
    const written = Buffer.from(w.room(1)!.subarray(at, w.at)).toString('latin1');
    await w.close();
    const perRequest = ['GET', '/small', 'wrk/4.2.0', RID, 'bench.example.com'].join('').length;
    assert.equal(reads / lines, perRequest, 'no character read of the protocol, flags, upstream host or the `-` of an absent response header');
    assert.equal(fills, 0, 'the header slots are cleared without a builtin call (Array#fill ran in C++)');
    assert.equal(written, `${format(e)}\n`.repeat(lines));
    assert.match(format(e), /" 200 - 0 20 3 - "-" "wrk\/4\.2\.0" "33375048-[0-9a-f-]+" "bench\.example\.com" "127\.0\.0\.1:38705"$/);
  });

  it('makes the run of a value once, not once per line, and copies values past its bound as text', async () => {
    const format = compileFormat('%PROTOCOL% %RESPONSE_FLAGS% %UPSTREAM_HOST%');
    const bytes = lineBytesOf(format)!;
    const w = new LineWriter(fs.openSync(devNull, 'a'), true, { intervalMs: 600_000 });
    const a = { address: '10.0.0.7', port: 8080 };
    const b = { address: 'fd00::7', port: 9090 };
    const before = valueRunsMade.count;
    const want: string[] = [];
    const at = w.at;
    for (let i = 0; i < 100; i++) {
      const e = entry(benchGet({ endpoint: i % 2 ? a : b, from: i % 3 === 0 ? 2 : 0 }));
      assert.ok(bytes(w, e));
      want.push(format(e));
    }
    // HTTP/1.1, HTTP/2, `-`, and the two upstreams.
    assert.equal(valueRunsMade.count - before, 5);
    // Many endpoints: past the bound, their text is copied (and is the same).
    for (let i = 0; i < 200; i++) {
      const e = entry(benchGet({ endpoint: { address: `10.1.${i >> 8}.${i & 255}`, port: 80 } }));
      assert.ok(bytes(w, e));
      want.push(format(e));
    }
    // Two protocols, one flag, and at most 64 upstreams: the runs kept per operator are bounded.
    assert.equal(valueRunsMade.count - before, 2 + 1 + 64);
    const written = Buffer.from(w.room(1)!.subarray(at, w.at)).toString('latin1');
    await w.close();
    assert.equal(written, want.map((l) => `${l}\n`).join(''));
  });

  it('finds the first value of each header among names of one length and of lengths sharing a bucket', () => {
    const long = `x-${'l'.repeat(72)}`;
    const f = compileFormat(`%REQ(USER-AGENT)% %REQ(X-CUSTOM1)% %REQ(${long})% %REQ(X-REQUEST-ID)% %REQ(X-FORWARDED-FOR)%`);
    const raw = ['X-Custom1', 'c', 'USER-AGENT', 'ua', long.toUpperCase(), 'l1', 'user-agent', 'second', long, 'l2', 'x-request-id', 'r'];
    assert.equal(long.length % 64, 'user-agent'.length % 64, 'a name 64 longer than another shares its bucket');
    assert.equal(f(entry(benchGet({ raw, requestId: '' }))), 'ua c l1 r -');
    assert.equal(f(entry(benchGet({ raw: [] }))), `- - - ${RID} -`);
  });

  it('writes an operator that is always `-` as fixed text, the same on both roads', async () => {
    const format = compileFormat('%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%|%RESP(X-FOO):0%|%REQ(:SCHEME)%|%REQ(:SCHEME?:PATH):3%|%RESP(X-REQUEST-ID):4%|%RESP(X-REQUEST-ID)%\n');
    const bytes = lineBytesOf(format)!;
    const w = new LineWriter(fs.openSync(devNull, 'a'), true, { intervalMs: 600_000 });
    const lines = [entry(benchGet()), entry(benchGet({ requestId: '' }))];
    const at = w.at;
    for (const e of lines) assert.ok(bytes(w, e));
    const written = Buffer.from(w.room(1)!.subarray(at, w.at)).toString('latin1');
    await w.close();
    assert.deepEqual(lines.map((e) => format(e)), [`-|-|-|/sm|3337|${RID}`, '-|-|-|/sm|-|-']);
    assert.equal(written, lines.map((e) => `${format(e)}\n`).join(''));
  });
});
