// Graceful shutdown (RFC 9113 6.8): GOAWAY 2^31-1 and a PING, the real GOAWAY after the PING's
// round trip, in-flight streams finish, later ones are refused, the socket closes by the deadline.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { H2Connection } from '../../../src/net/h2/connection.ts';
import {
  DATA, FLAG_ACK, FLAG_END_HEADERS, FLAG_END_STREAM, GOAWAY, HEADERS, NO_ERROR, PING, REFUSED_STREAM, RST_STREAM,
} from '../../../src/net/h2/frames.ts';
import type { H2Stream } from '../../../src/net/h2/stream.ts';
import { coreFixture } from './core-fixture.ts';
import { RawClient, goawayCode, rstCode } from './raw-client.ts';
import { literalBlock } from './support.ts';
import { until } from './client.ts';

const core = coreFixture();

const GET = literalBlock([':method', 'GET', ':scheme', 'http', ':authority', 'x', ':path', '/']);
const lastId = (f: { payload: Buffer }): number => f.payload.readUInt32BE(0) & 0x7fffffff;

/** A server whose handler holds every stream until the test answers it. */
async function holdingServer(): Promise<{ held: Map<number, H2Stream>; conn: () => H2Connection; c: RawClient }> {
  const held = new Map<number, H2Stream>();
  await core.start((s) => void held.set(s.id, s));
  const c = await RawClient.open(core.server.port);
  core.track(c);
  return { held, conn: () => core.server.connections.values().next().value!, c };
}

const answer = (s: H2Stream): void => {
  s.respond(200, []);
  s.write(Buffer.from('done'));
  s.end();
};

describe('HTTP/2 core graceful shutdown', () => {
  it('sends GOAWAY 2^31-1 and a PING, then the real GOAWAY; streams in flight finish, later ones are refused, the socket closes', async () => {
    const { held, conn, c } = await holdingServer();
    c.out.frame(HEADERS, FLAG_END_HEADERS | FLAG_END_STREAM, 1, GET);
    c.send();
    await until(() => held.has(1), 'stream 1');
    let done = false;
    void conn().shutdown(5000).then(() => {
      done = true;
    });
    const first = await c.waitFor((f) => f.type === GOAWAY, 'the first GOAWAY');
    assert.equal(lastId(first), 0x7fffffff);
    assert.equal(goawayCode(first), NO_ERROR);
    const ping = await c.waitFor((f) => f.type === PING && (f.flags & FLAG_ACK) === 0, 'the PING');
    // A stream the client sent before it saw the GOAWAY (it crosses the PING) is still processed.
    c.out.frame(HEADERS, FLAG_END_HEADERS | FLAG_END_STREAM, 3, GET);
    c.out.ping(true, ping.payload);
    c.send();
    const second = await c.waitFor((f) => f.type === GOAWAY && lastId(f) !== 0x7fffffff, 'the second GOAWAY');
    assert.equal(lastId(second), 3);
    assert.ok(held.has(3), 'stream 3 reached the handler');
    // After it, a new stream is refused, so the client may retry it elsewhere.
    c.out.frame(HEADERS, FLAG_END_HEADERS | FLAG_END_STREAM, 5, GET);
    c.send();
    assert.equal(rstCode(await c.waitFor((f) => f.type === RST_STREAM && f.id === 5, 'REFUSED_STREAM')), REFUSED_STREAM);
    assert.equal(held.has(5), false);
    assert.equal(c.closed, false, 'open while streams are in flight');
    answer(held.get(1)!);
    answer(held.get(3)!);
    await c.waitClosed();
    for (const id of [1, 3]) assert.ok(c.frames.some((f) => f.type === DATA && f.id === id && (f.flags & FLAG_END_STREAM) !== 0), `stream ${id} finished`);
    await until(() => done, 'shutdown() resolved');
  });

  it('sends the real GOAWAY without the PING ACK, and closes by the deadline with streams still open', async () => {
    const { held, conn, c } = await holdingServer();
    c.out.frame(HEADERS, FLAG_END_HEADERS | FLAG_END_STREAM, 1, GET);
    c.send();
    await until(() => held.has(1), 'stream 1');
    let code = -1;
    held.get(1)!.onClose = (n) => {
      code = n;
    };
    const t0 = Date.now();
    await conn().shutdown(400);
    const elapsed = Date.now() - t0;
    assert.ok(elapsed >= 350 && elapsed < 3000, `closed after ${elapsed} ms`);
    await c.waitClosed();
    const goaways = c.frames.filter((f) => f.type === GOAWAY);
    assert.deepEqual(goaways.map(lastId), [0x7fffffff, 1]);
    assert.notEqual(code, -1, 'the held stream was told');
  });

  it('resolves at once for a connection with nothing in flight', async () => {
    const { conn, c } = await holdingServer();
    await c.waitFor((f) => f.type === 4 /* SETTINGS */, 'SETTINGS');
    const answered = RawClient.open(core.server.port, undefined, { answerPings: true });
    const d = await answered;
    core.track(d);
    await until(() => core.server.connections.size === 2, 'two connections');
    const second = [...core.server.connections].find((x) => x !== conn())!;
    const t0 = Date.now();
    await second.shutdown(5000);
    assert.ok(Date.now() - t0 < 2000);
    await d.waitClosed();
  });
});
