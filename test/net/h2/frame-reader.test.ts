import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameReader } from '../../../src/net/h2/frame-reader.ts';
import { FrameWriter } from '../../../src/net/h2/frame-writer.ts';
import { DATA, FLAG_END_STREAM, HEADERS, PING, SETTINGS } from '../../../src/net/h2/frames.ts';
import { HpackDecoder, HpackEncoder } from '../../../src/net/h2/hpack.ts';

interface Seen {
  type: number;
  flags: number;
  id: number;
  payload: string;
}

function collect(maxFrameSize = 16_384) {
  const seen: Seen[] = [];
  const oversized: number[] = [];
  const reader = new FrameReader({
    frame: (type, flags, id, payload) => seen.push({ type, flags, id, payload: payload.toString('latin1') }),
    oversized: (_type, _id, length) => oversized.push(length),
  }, maxFrameSize);
  return { reader, seen, oversized };
}

/** A few frames of different kinds, written by the frame writer into one buffer. */
function sample(): Buffer {
  const chunks: Buffer[] = [];
  const w = new FrameWriter({ write: (c) => chunks.push(Buffer.from(c)) > 0 });
  w.settings([4, 65_535]);
  w.frame(HEADERS, 4, 1, Buffer.from('head'));
  w.data(1, Buffer.from('xxbody-bytesxx'), 2, 12, true);
  w.ping(false, Buffer.from('12345678'));
  w.frame(0xfa, 0, 0, Buffer.alloc(0));
  w.flush();
  return Buffer.concat(chunks);
}

const expected: Seen[] = [
  { type: SETTINGS, flags: 0, id: 0, payload: Buffer.from([0, 4, 0, 0, 0xff, 0xff]).toString('latin1') },
  { type: HEADERS, flags: 4, id: 1, payload: 'head' },
  { type: DATA, flags: FLAG_END_STREAM, id: 1, payload: 'body-bytes' },
  { type: PING, flags: 0, id: 0, payload: '12345678' },
  { type: 0xfa, flags: 0, id: 0, payload: '' },
];

describe('frame reader', () => {
  it('reads many frames from one chunk, as views of that chunk', () => {
    const bytes = sample();
    const views: Buffer[] = [];
    const reader = new FrameReader({ frame: (_t, _f, _i, p) => views.push(p), oversized: () => assert.fail('oversized') }, 16_384);
    reader.push(bytes);
    assert.equal(views.length, 5);
    // No copy: the DATA payload shares the chunk's memory.
    assert.equal(views[2]!.buffer, bytes.buffer);
  });

  it('yields the same frames when the bytes are split at every boundary', () => {
    const bytes = sample();
    for (let cut = 0; cut <= bytes.length; cut++) {
      const { reader, seen } = collect();
      reader.push(bytes.subarray(0, cut));
      reader.push(bytes.subarray(cut));
      assert.deepEqual(seen, expected, `split at ${cut}`);
    }
  });

  it('yields the same frames when fed one byte at a time, and at every pair of cuts', () => {
    const bytes = sample();
    const one = collect();
    for (let i = 0; i < bytes.length; i++) one.reader.push(bytes.subarray(i, i + 1));
    assert.deepEqual(one.seen, expected);
    for (let a = 0; a < bytes.length; a += 3) {
      for (let b = a; b <= bytes.length; b += 5) {
        const { reader, seen } = collect();
        reader.push(bytes.subarray(0, a));
        reader.push(bytes.subarray(a, b));
        reader.push(bytes.subarray(b));
        assert.deepEqual(seen, expected, `cuts ${a}, ${b}`);
      }
    }
  });

  it('refuses a frame longer than SETTINGS_MAX_FRAME_SIZE from its header alone, and stops', () => {
    const { reader, seen, oversized } = collect(16_384);
    const header = Buffer.from([0x00, 0x40, 0x01, DATA, 0, 0, 0, 0, 1]);
    reader.push(header.subarray(0, 4));
    reader.push(header.subarray(4));
    assert.deepEqual(oversized, [16_385]);
    reader.push(sample());
    assert.equal(seen.length, 0);
  });

  it('accepts a frame of exactly the limit split across chunks', () => {
    const { reader, seen } = collect(16_384);
    const chunks: Buffer[] = [];
    const w = new FrameWriter({ write: (c) => chunks.push(Buffer.from(c)) > 0 });
    const payload = Buffer.alloc(16_384, 0x61);
    w.data(3, payload, 0, payload.length, false);
    w.flush();
    const bytes = Buffer.concat(chunks);
    for (let i = 0; i < bytes.length; i += 1000) reader.push(bytes.subarray(i, i + 1000));
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.payload.length, 16_384);
  });
});

describe('frame writer', () => {
  it('hands a batch of frames to the socket in one write', () => {
    const writes: Buffer[] = [];
    const w = new FrameWriter({ write: (c) => writes.push(c) > 0 });
    w.settingsAck();
    w.windowUpdate(0, 1000);
    w.rstStream(1, 8);
    w.goaway(1, 0);
    w.priority(3, 1, false, 16);
    assert.equal(writes.length, 0);
    w.flush();
    assert.equal(writes.length, 1);
    const { reader, seen } = collect();
    reader.push(writes[0]!);
    assert.deepEqual(seen.map((f) => f.type), [4, 8, 3, 7, 2]);
  });

  it('splits a header block larger than the peer frame size into HEADERS and CONTINUATION', () => {
    const writes: Buffer[] = [];
    const w = new FrameWriter({ write: (c) => writes.push(Buffer.from(c)) > 0 });
    w.headers(5, Buffer.alloc(40_000, 1), true, 16_384);
    w.flush();
    const { reader, seen } = collect();
    reader.push(writes[0]!);
    assert.deepEqual(seen.map((f) => [f.type, f.flags, f.payload.length]), [[1, 1, 16_384], [9, 0, 16_384], [9, 4, 7_232]]);
  });

  it('encodes a header block in place, or splits it when it passes the frame size', () => {
    const writes: Buffer[] = [];
    const w = new FrameWriter({ write: (c) => writes.push(Buffer.from(c)) > 0 });
    const enc = new HpackEncoder();
    const small = w.encodedHeaders(1, [':status', '200', 'x-a', 'b'], enc, false, 16_384);
    const big = w.encodedHeaders(3, [':status', '200', 'x-big', 'z'.repeat(40_000)], enc, true, 16_384);
    w.flush();
    const { reader, seen } = collect(16_384);
    reader.push(writes[0]!);
    assert.deepEqual(seen.map((f) => [f.type, f.id, f.payload.length]), [[1, 1, small], [1, 3, 16_384], [9, 3, 16_384], [9, 3, big - 32_768]]);
    const dec = new HpackDecoder(4096, 1 << 20);
    const out: string[] = [];
    dec.decode(Buffer.from(seen[0]!.payload, 'latin1'), 0, small, out);
    assert.deepEqual(out, [':status', '200', 'x-a', 'b']);
  });

  it('never rewrites bytes already handed to the socket', () => {
    const writes: Buffer[] = [];
    const w = new FrameWriter({ write: (c) => writes.push(c) > 0 });
    w.ping(false, Buffer.from('aaaaaaaa'));
    w.flush();
    const first = Buffer.from(writes[0]!);
    for (let i = 0; i < 3000; i++) w.ping(true, Buffer.from('bbbbbbbb'));
    w.flush();
    assert.deepEqual(writes[0], first);
  });
});
