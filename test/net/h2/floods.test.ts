// Floods of frames that cost the server work and carry nothing (RFC 9113 10.5), bounded as Envoy
// and nghttp2 bound them: each ends the flooding connection with GOAWAY ENHANCE_YOUR_CALM while a
// well-behaved connection beside it is still served.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { H2ServerOptions } from '../../../src/net/h2/connection.ts';
import { hpackCodec } from '../../../src/net/h2/codec.ts';
import {
  CONTINUATION, DATA, ENHANCE_YOUR_CALM, FLAG_END_HEADERS, FLAG_END_STREAM, GOAWAY, HEADERS, PRIORITY, RST_STREAM,
  WINDOW_UPDATE,
} from '../../../src/net/h2/frames.ts';
import type { HeaderCodec } from '../../../src/net/h2/header-codec.ts';
import type { H2Stream } from '../../../src/net/h2/stream.ts';
import { coreFixture } from './core-fixture.ts';
import { helloHandler } from './hello-handler.ts';
import { type RawClient, goawayCode } from './raw-client.ts';
import { literalBlock } from './support.ts';

const core = coreFixture();

const client = (): Promise<RawClient> => core.client();

async function serve(options: Partial<H2ServerOptions> = {}, handler: (s: H2Stream) => void = helloHandler): Promise<void> {
  await core.start(handler, options);
}

const head = (method: string, path = '/'): Buffer => literalBlock([':method', method, ':scheme', 'http', ':authority', 'x', ':path', path]);
const isGoaway = (f: { type: number }): boolean => f.type === GOAWAY;

/** The flooding client gets ENHANCE_YOUR_CALM; a fresh connection is still answered. */
async function boundedAndOthersServed(flooder: RawClient): Promise<void> {
  assert.equal(goawayCode(await flooder.waitFor(isGoaway, 'GOAWAY')), ENHANCE_YOUR_CALM);
  await flooder.waitClosed();
  const good = await client();
  good.out.frame(HEADERS, FLAG_END_HEADERS | FLAG_END_STREAM, 1, head('GET'));
  good.send();
  await good.waitFor((f) => f.type === DATA && f.id === 1 && (f.flags & FLAG_END_STREAM) !== 0, 'the well-behaved connection served');
  assert.equal(good.frames.some(isGoaway), false);
}

describe('HTTP/2 core against frame floods', () => {
  it('ends a flood of empty DATA frames without END_STREAM', async () => {
    await serve();
    const c = await client();
    c.out.frame(HEADERS, FLAG_END_HEADERS, 1, head('POST'));
    for (let i = 0; i < 10_000; i++) c.out.frame(DATA, 0, 1, Buffer.alloc(0));
    c.send();
    await boundedAndOthersServed(c);
  });

  it('ends a WINDOW_UPDATE flood', async () => {
    await serve();
    const c = await client();
    const one = Buffer.from([0, 0, 0, 1]);
    for (let i = 0; i < 10_000; i++) c.out.frame(WINDOW_UPDATE, 0, 0, one);
    c.send();
    await boundedAndOthersServed(c);
  });

  it('ends a PRIORITY flood', async () => {
    await serve();
    const c = await client();
    const prio = Buffer.from([0, 0, 0, 0, 16]);
    for (let i = 0; i < 10_000; i++) c.out.frame(PRIORITY, 0, 3, prio);
    c.send();
    await boundedAndOthersServed(c);
  });

  it('ends a connection whose streams are mostly reset before their response, however slowly (the rate budget alone allows it)', async () => {
    // Streams on /hold are never answered, so every reset comes before the response.
    await serve({ rapidReset: { burst: 1e6, perSecond: 1e6 } }, (s) => {
      if (s.path !== '/hold') helloHandler(s);
    });
    const c = await client();
    const cancel = Buffer.from([0, 0, 0, 8]);
    for (let id = 1; id < 1400; id += 2) {
      c.out.frame(HEADERS, FLAG_END_HEADERS | FLAG_END_STREAM, id, head('GET', '/hold'));
      c.out.frame(RST_STREAM, 0, id, cancel);
    }
    c.send();
    await boundedAndOthersServed(c);
  });

  it('counts streams the server resets for the client\'s misbehaviour against the reset bound ("made you reset")', async () => {
    await serve({ rapidReset: { burst: 50, perSecond: 1 } });
    const c = await client();
    // Each is malformed (an upper-case field name): a stream error the server answers with RST_STREAM.
    const bad = literalBlock([':method', 'GET', ':scheme', 'http', ':authority', 'x', ':path', '/', 'X-Bad', '1']);
    for (let id = 1; id < 400; id += 2) c.out.frame(HEADERS, FLAG_END_HEADERS | FLAG_END_STREAM, id, bad);
    c.send();
    await boundedAndOthersServed(c);
    assert.ok(c.frames.filter((f) => f.type === RST_STREAM).length <= 51, 'resets stop at the budget');
  });

  it('counts resets provoked by a stream window overflow (MadeYouReset, CVE-2025-8671) against the reset bound', async () => {
    await serve({ rapidReset: { burst: 50, perSecond: 1 } }, (s) => {
      if (s.path !== '/hold') helloHandler(s);
    });
    const c = await client();
    const max = Buffer.from([0x7f, 0xff, 0xff, 0xff]);
    for (let id = 1; id < 400; id += 2) {
      c.out.frame(HEADERS, FLAG_END_HEADERS | FLAG_END_STREAM, id, head('GET', '/hold'));
      // A valid frame that makes the server reset the stream (FLOW_CONTROL_ERROR), not the client.
      c.out.frame(WINDOW_UPDATE, 0, id, max);
    }
    c.send();
    await boundedAndOthersServed(c);
  });

  it('counts oversized header lists (answered 431) against the reset bound', async () => {
    await serve({ maxHeaderListSize: 1000, rapidReset: { burst: 50, perSecond: 1 } });
    const c = await client();
    const big = literalBlock([':method', 'GET', ':scheme', 'http', ':authority', 'x', ':path', '/', 'x-big', 'a'.repeat(2000)]);
    for (let id = 1; id < 400; id += 2) c.out.frame(HEADERS, FLAG_END_HEADERS | FLAG_END_STREAM, id, big);
    c.send();
    await boundedAndOthersServed(c);
  });

  it('bounds the decoded header list of a block of many small CONTINUATION frames that expands past the limit', async () => {
    // A codec that records the largest decoded list it handed the connection.
    let largest = 0;
    const inner = hpackCodec(4096);
    const codec: HeaderCodec = {
      encoder: () => inner.encoder(),
      decoder: () => {
        const d = inner.decoder();
        return {
          decode(block, start, end, out) {
            d.decode(block, start, end, out);
            this.listTooLarge = d.listTooLarge;
            largest = Math.max(largest, out.reduce((n, s) => n + s.length, 0));
          },
          setMaxTableSize: (n) => d.setMaxTableSize(n),
          listTooLarge: false,
        };
      },
    };
    let reached = 0;
    await serve({ maxHeaderListSize: 4096, codec }, (s) => {
      reached++;
      helloHandler(s);
    });
    const c = await client();
    // One 3,000-byte field into the dynamic table (literal with incremental indexing, RFC 7541 6.2.1)...
    const name = Buffer.from('x-big');
    const value = Buffer.alloc(3000, 'v');
    const insert = Buffer.concat([Buffer.from([0x40, name.length]), name, Buffer.from([0x7f, 0x80 + ((value.length - 127) & 0x7f), (value.length - 127) >> 7]), value]);
    c.out.frame(HEADERS, FLAG_END_HEADERS | FLAG_END_STREAM, 1, Buffer.concat([head('GET'), insert]));
    // ...then a block of 60 small CONTINUATION frames, each 100 one-byte references to it (18 MB decoded).
    c.out.frame(HEADERS, 0, 3, head('GET'));
    for (let i = 0; i < 60; i++) c.out.frame(CONTINUATION, i === 59 ? FLAG_END_HEADERS : 0, 3, Buffer.alloc(100, 0x80 | 62));
    c.send();
    const answer = await c.waitFor((f) => f.type === HEADERS && f.id === 3, 'an answer to stream 3');
    assert.ok(answer.payload.length > 0);
    assert.ok(largest <= 4096, `decoded list held ${largest} bytes`);
    assert.equal(reached, 1, 'the oversized request never reached the handler');
    assert.equal(c.frames.some(isGoaway), false);
  });
});
