// Clients that hold streams without moving them: a request body never ended, a response never
// read (zero window, "slow read"). None may hold memory or stream slots forever, and backpressure
// (write()'s false, then onDrain) holds across the connection.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { H2ServerOptions } from '../../../src/net/h2/connection.ts';
import {
  CANCEL, DATA, ENHANCE_YOUR_CALM, FLAG_END_HEADERS, FLAG_END_STREAM, GOAWAY, HEADERS, RST_STREAM,
  SETTINGS_INITIAL_WINDOW_SIZE, WINDOW_UPDATE,
} from '../../../src/net/h2/frames.ts';
import type { H2Stream } from '../../../src/net/h2/stream.ts';
import { coreFixture } from './core-fixture.ts';
import { helloHandler } from './hello-handler.ts';
import { type RawClient, goawayCode, rstCode } from './raw-client.ts';
import { literalBlock } from './support.ts';
import { until } from './client.ts';

const core = coreFixture();

const client = (): Promise<RawClient> => core.client();

async function serve(options: Partial<H2ServerOptions>, handler: (s: H2Stream) => void = helloHandler): Promise<void> {
  await core.start(handler, options);
}

const head = (method: string): Buffer => literalBlock([':method', method, ':scheme', 'http', ':authority', 'x', ':path', '/']);
const isGoaway = (f: { type: number }): boolean => f.type === GOAWAY;
const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

/** A client that advertises a zero stream window: it reads no response DATA until it says so. */
async function zeroWindowClient(): Promise<RawClient> {
  const c = await client();
  c.out.settings([SETTINGS_INITIAL_WINDOW_SIZE, 0]);
  c.send();
  return c;
}

describe('HTTP/2 core against slow and half-open streams', () => {
  it('resets a stream whose request body never ends after the stream idle timeout, and serves the rest', async () => {
    const closed: number[] = [];
    await serve({ streamIdleTimeoutMs: 200 }, (s) => {
      s.onClose = (code) => closed.push(code);
      helloHandler(s);
    });
    const c = await client();
    c.out.frame(HEADERS, FLAG_END_HEADERS, 1, head('POST'));
    c.out.frame(DATA, 0, 1, Buffer.from('part of a body'));
    c.send();
    const t0 = Date.now();
    const rst = await c.waitFor((f) => f.type === RST_STREAM && f.id === 1, 'RST_STREAM', 3000);
    assert.equal(rstCode(rst), CANCEL);
    assert.ok(Date.now() - t0 >= 150, 'not before the bound');
    await until(() => closed.length === 1, 'the consumer told');
    assert.equal(core.server.connections.values().next().value!.streams.size, 0, 'the slot is free');
    c.out.frame(HEADERS, FLAG_END_HEADERS | FLAG_END_STREAM, 3, head('GET'));
    c.send();
    await c.waitFor((f) => f.type === DATA && f.id === 3 && (f.flags & FLAG_END_STREAM) !== 0, 'the next request served');
    assert.equal(c.frames.some(isGoaway), false);
  });

  it('never resets a stream that waits on its consumer, not on the client', async () => {
    let held: H2Stream | undefined;
    await serve({ streamIdleTimeoutMs: 100 }, (s) => {
      held = s;
    });
    const c = await client();
    c.out.frame(HEADERS, FLAG_END_HEADERS | FLAG_END_STREAM, 1, head('GET'));
    c.send();
    await until(() => held !== undefined, 'the stream');
    // Six idle timeouts with the request complete and nothing queued: the upstream's time, not the client's.
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(c.frames.some((f) => f.type === RST_STREAM), false);
    held!.respond(200, [], true);
    await c.waitFor((f) => f.type === HEADERS && f.id === 1, 'the response');
  });

  it('resets a response the client never opens its window for (zero-window slow read)', async () => {
    let gone = false;
    await serve({ streamIdleTimeoutMs: 200 }, (s) => {
      s.onClose = () => {
        gone = true;
      };
      s.respond(200, []);
      s.write(Buffer.alloc(100_000));
    });
    const c = await zeroWindowClient();
    c.out.frame(HEADERS, FLAG_END_HEADERS | FLAG_END_STREAM, 1, head('GET'));
    c.send();
    assert.equal(rstCode(await c.waitFor((f) => f.type === RST_STREAM && f.id === 1, 'RST_STREAM', 3000)), CANCEL);
    await until(() => gone, 'the stream closed');
  });

  it('bounds the response bytes a connection buffers: write() says wait across streams, and onDrain comes once the client reads', async () => {
    const streams: H2Stream[] = [];
    const BODY = 96 * 1024;
    const CHUNK = 8 * 1024;
    await serve({ maxBufferedResponse: 128 * 1024 }, (s) => {
      streams.push(s);
      s.respond(200, []);
      let sent = 0;
      const pump = (): void => {
        while (sent < BODY) {
          sent += CHUNK;
          if (!s.write(Buffer.alloc(CHUNK, 1))) return;
        }
        s.end();
      };
      s.onDrain = pump;
      pump();
    });
    const c = await zeroWindowClient();
    for (let id = 1; id <= 39; id += 2) c.out.frame(HEADERS, FLAG_END_HEADERS | FLAG_END_STREAM, id, head('GET'));
    c.send();
    await until(() => streams.length === 20, 'twenty streams');
    const conn = core.server.connections.values().next().value!;
    const queued = (): number => [...conn.streams.values()].reduce((n, s) => n + s.queued, 0);
    // Each stream got its first write in; past the bound every write() said wait.
    assert.ok(queued() <= 128 * 1024 + 20 * CHUNK, `queued ${queued()} bytes`);
    // The client opens its windows: every stream drains and finishes its body.
    c.out.settings([SETTINGS_INITIAL_WINDOW_SIZE, 1 << 20]);
    c.out.frame(WINDOW_UPDATE, 0, 0, u32(64 << 20));
    c.send();
    const received = (id: number): number => c.frames.filter((f) => f.type === DATA && f.id === id).reduce((n, f) => n + f.payload.length, 0);
    await until(() => c.frames.filter((f) => f.type === DATA && (f.flags & FLAG_END_STREAM) !== 0).length === 20, 'every body complete', 10_000);
    for (let id = 1; id <= 39; id += 2) assert.equal(received(id), BODY, `stream ${id}`);
  });

  it('ends a connection holding more streams without progress than the bound', async () => {
    await serve({ maxStalledStreams: 3, stalledAfterMs: 100, streamIdleTimeoutMs: 0 });
    const c = await client();
    const good = await client();
    for (let id = 1; id <= 9; id += 2) c.out.frame(HEADERS, FLAG_END_HEADERS, id, head('POST'));
    c.send();
    assert.equal(goawayCode(await c.waitFor(isGoaway, 'GOAWAY', 3000)), ENHANCE_YOUR_CALM);
    good.out.frame(HEADERS, FLAG_END_HEADERS | FLAG_END_STREAM, 1, head('GET'));
    good.send();
    await good.waitFor((f) => f.type === DATA && f.id === 1, 'the well-behaved connection served');
  });
});
