// Hostile clients against the core: every error RFC 9113 names ends in the answer it names, and
// the floods of RFC 9113 10.5 end the connection with ENHANCE_YOUR_CALM.
import assert from 'node:assert/strict';
import { Duplex } from 'node:stream';
import { describe, it } from 'node:test';
import { H2Connection } from '../../../src/net/h2/connection.ts';
import { FrameWriter } from '../../../src/net/h2/frame-writer.ts';
import {
  CLIENT_PREFACE, CONTINUATION, DATA, FLAG_PRIORITY, FRAME_SIZE_ERROR, ENHANCE_YOUR_CALM, FLAG_END_HEADERS, FLAG_END_STREAM, GOAWAY, HEADERS, NO_ERROR, PING,
  PROTOCOL_ERROR, REFUSED_STREAM, RST_STREAM, WINDOW_UPDATE, FLOW_CONTROL_ERROR,
} from '../../../src/net/h2/frames.ts';
import type { H2ServerOptions } from '../../../src/net/h2/connection.ts';
import type { H2Stream } from '../../../src/net/h2/stream.ts';
import { coreFixture } from './core-fixture.ts';
import { helloHandler } from './hello-handler.ts';
import { RawClient, goawayCode, rstCode } from './raw-client.ts';
import { literalBlock } from './support.ts';

const core = coreFixture();

async function open(options: Partial<H2ServerOptions> = {}, handler: (s: H2Stream) => void = helloHandler): Promise<RawClient> {
  await core.start(handler, options);
  const c = await RawClient.open(core.server.port);
  core.track(c);
  return c;
}

const GET = (path = '/'): string[] => [':method', 'GET', ':scheme', 'http', ':authority', 'x', ':path', path];
const isGoaway = (f: { type: number }): boolean => f.type === GOAWAY;

describe('HTTP/2 core against hostile clients', () => {
  it('answers an invalid connection preface with GOAWAY PROTOCOL_ERROR and closes', async () => {
    await core.start(helloHandler);
    const c = await RawClient.open(core.server.port, Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    core.track(c);
    assert.equal(goawayCode(await c.waitFor(isGoaway, 'GOAWAY')), PROTOCOL_ERROR);
    await c.waitClosed();
  });

  it('resets requests with malformed header lists and keeps the connection', async () => {
    const c = await open();
    const bad = [
      [...GET(), 'X-Upper', 'a'],
      [...GET(), 'connection', 'keep-alive'],
      [...GET(), 'te', 'gzip'],
      ['x-early', 'a', ...GET()],
      [...GET(), ':path', '/twice'],
      [':method', 'GET', ':scheme', 'http', ':authority', 'x'],
      [...GET(), 'x-bad', 'a\r\nb'],
      [':method', 'GET', ':protocol', 'websocket', ':scheme', 'http', ':authority', 'x', ':path', '/'],
    ];
    let id = 1;
    for (const pairs of bad) {
      c.out.frame(HEADERS, FLAG_END_HEADERS | FLAG_END_STREAM, id, literalBlock(pairs));
      id += 2;
    }
    c.out.frame(HEADERS, FLAG_END_HEADERS | FLAG_END_STREAM, id, literalBlock(GET()));
    c.send();
    await c.waitFor((f) => f.type === DATA && f.id === id, 'the good request answered');
    for (let i = 1; i < id; i += 2) {
      const rst = c.frames.find((f) => f.type === RST_STREAM && f.id === i);
      assert.ok(rst, `stream ${i} reset`);
      assert.equal(rstCode(rst), PROTOCOL_ERROR);
    }
    assert.equal(c.frames.some(isGoaway), false);
  });

  it('answers HEADERS too short for its priority fields with GOAWAY FRAME_SIZE_ERROR', async () => {
    const c = await open();
    c.out.frame(HEADERS, FLAG_END_HEADERS | FLAG_PRIORITY, 1, Buffer.from([0, 0, 0]));
    c.send();
    assert.equal(goawayCode(await c.waitFor(isGoaway, 'GOAWAY')), FRAME_SIZE_ERROR);
  });

  it('resets a request whose DATA disagrees with its content-length', async () => {
    const c = await open();
    c.out.frame(HEADERS, FLAG_END_HEADERS, 1, literalBlock([':method', 'POST', ':scheme', 'http', ':authority', 'x', ':path', '/', 'content-length', '3']));
    c.out.frame(DATA, FLAG_END_STREAM, 1, Buffer.from('four'));
    c.send();
    assert.equal(rstCode(await c.waitFor((f) => f.type === RST_STREAM && f.id === 1, 'RST_STREAM')), PROTOCOL_ERROR);
  });

  it('answers an oversized header list 431', async () => {
    const c = await open({ maxHeaderListSize: 1000 });
    c.out.frame(HEADERS, FLAG_END_HEADERS | FLAG_END_STREAM, 1, literalBlock([...GET(), 'x-big', 'a'.repeat(2000)]));
    c.send();
    const head = await c.waitFor((f) => f.type === HEADERS && f.id === 1, 'the 431');
    assert.ok(head.payload.length > 0);
    assert.equal(c.frames.some(isGoaway), false);
  });

  it('refuses streams past SETTINGS_MAX_CONCURRENT_STREAMS', async () => {
    const c = await open({ maxConcurrentStreams: 2 }, () => {});
    for (const id of [1, 3, 5]) c.out.frame(HEADERS, FLAG_END_HEADERS | FLAG_END_STREAM, id, literalBlock(GET()));
    c.send();
    assert.equal(rstCode(await c.waitFor((f) => f.type === RST_STREAM && f.id === 5, 'REFUSED_STREAM')), REFUSED_STREAM);
  });

  it('ends a rapid-reset attack with GOAWAY ENHANCE_YOUR_CALM', async () => {
    const c = await open({ rapidReset: { burst: 20, perSecond: 1 } }, () => {});
    const rst = Buffer.from([0, 0, 0, 8]);
    for (let id = 1; id < 200; id += 2) {
      c.out.frame(HEADERS, FLAG_END_HEADERS | FLAG_END_STREAM, id, literalBlock(GET()));
      c.out.frame(RST_STREAM, 0, id, rst);
    }
    c.send();
    assert.equal(goawayCode(await c.waitFor(isGoaway, 'GOAWAY')), ENHANCE_YOUR_CALM);
    await c.waitClosed();
  });

  it('ends a CONTINUATION flood (empty frames, or a block past the bound) with ENHANCE_YOUR_CALM', async () => {
    const c = await open();
    c.out.frame(HEADERS, 0, 1, literalBlock(GET()));
    for (let i = 0; i < 1000; i++) c.out.frame(CONTINUATION, 0, 1, Buffer.alloc(0));
    c.send();
    assert.equal(goawayCode(await c.waitFor(isGoaway, 'GOAWAY')), ENHANCE_YOUR_CALM);

    const d = await RawClient.open(core.server.port);
    core.track(d);
    d.out.frame(HEADERS, 0, 1, literalBlock(GET()));
    for (let i = 0; i < 20; i++) d.out.frame(CONTINUATION, 0, 1, Buffer.alloc(16_000, 0));
    d.send();
    assert.equal(goawayCode(await d.waitFor(isGoaway, 'GOAWAY')), ENHANCE_YOUR_CALM);
  });

  it('ends a PING flood with ENHANCE_YOUR_CALM', async () => {
    const c = await open({ controlFrames: { burst: 50, perSecond: 1 } });
    for (let i = 0; i < 200; i++) c.out.ping(false, Buffer.alloc(8, i));
    c.send();
    assert.equal(goawayCode(await c.waitFor(isGoaway, 'GOAWAY')), ENHANCE_YOUR_CALM);
    assert.ok(c.frames.filter((f) => f.type === PING).length <= 50);
  });

  it('ends a connection whose client sends PINGs but never reads the answers, past the output cap', async () => {
    // Any Duplex carries the core: one that never takes what is written stands for a client that
    // stopped reading (a real socket would first fill the kernel's buffers, megabytes on loopback).
    const written: number[] = [];
    const stalled = new Duplex({
      read() {},
      write(chunk: Buffer, _enc, _cb) {
        written.push(chunk.length);
      },
    });
    let closed = false;
    const conn = new H2Connection(stalled, { maxQueuedOutput: 64 * 1024, controlFrames: { burst: 1e9, perSecond: 1e9 } }, helloHandler);
    conn.onClose = () => {
      closed = true;
    };
    const frames: Buffer[] = [CLIENT_PREFACE];
    const out = new FrameWriter({ write: (b) => frames.push(Buffer.from(b)) > 0 });
    out.settings([]);
    for (let i = 0; i < 10_000; i++) out.ping(false, Buffer.alloc(8, i));
    out.flush();
    stalled.push(Buffer.concat(frames));
    await new Promise((r) => setImmediate(r));
    assert.equal(conn.dead, true, 'the connection gave up');
    // The PINGs stop being answered: it ended after about the cap's worth of answers.
    assert.ok(stalled.writableLength < 64 * 1024 + 4096, `queued ${stalled.writableLength}`);
    stalled.destroy();
    await new Promise((r) => setImmediate(r));
    assert.equal(closed, true);
  });

  it('closes an idle connection with GOAWAY NO_ERROR, never one with an open stream', async () => {
    let held: H2Stream | undefined;
    const c = await open({ idleTimeoutMs: 150 }, (s) => {
      held = s;
    });
    c.out.frame(HEADERS, FLAG_END_HEADERS | FLAG_END_STREAM, 1, literalBlock(GET()));
    c.send();
    const t0 = Date.now();
    await new Promise<void>((resolve, reject) => {
      const tick = (): void => (held !== undefined ? resolve() : Date.now() - t0 > 5000 ? reject(new Error('no stream')) : void setTimeout(tick, 5));
      tick();
    });
    // An open stream keeps it: after three idle periods the connection is still there.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(c.frames.some(isGoaway), false);
    held!.respond(200, [], true);
    const goaway = await c.waitFor(isGoaway, 'GOAWAY');
    assert.equal(goawayCode(goaway), NO_ERROR);
    await c.waitClosed();
  });

  it('answers a window overflow on a stream whose response is complete but not its request with RST_STREAM FLOW_CONTROL_ERROR', async () => {
    const c = await open();
    c.out.frame(HEADERS, FLAG_END_HEADERS, 1, literalBlock(GET()));
    c.send();
    await c.waitFor((f) => f.type === DATA && f.id === 1 && (f.flags & FLAG_END_STREAM) !== 0, 'the complete response');
    const max = Buffer.from([0x7f, 0xff, 0xff, 0xff]);
    c.out.frame(WINDOW_UPDATE, 0, 1, max);
    c.out.frame(WINDOW_UPDATE, 0, 1, max);
    c.send();
    const rst = await c.waitFor((f) => f.type === RST_STREAM && f.id === 1, 'RST_STREAM');
    assert.equal(rstCode(rst), FLOW_CONTROL_ERROR);
    assert.equal(c.frames.some(isGoaway), false);
  });

  it('survives a handler that throws: the connection ends, the process does not', async () => {
    const c = await open({}, () => {
      throw new Error('handler bug');
    });
    c.out.frame(HEADERS, FLAG_END_HEADERS | FLAG_END_STREAM, 1, literalBlock(GET()));
    c.send();
    await c.waitFor(isGoaway, 'GOAWAY');
    await c.waitClosed();
  });
});
