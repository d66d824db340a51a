// HPACK encoder: representations chosen (static, dynamic, never-indexed, Huffman or raw), table
// size updates, the out-of-room case, and random round trips through our decoder.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HpackDecoder } from '../../../src/net/h2/hpack-decoder.ts';
import { HpackEncoder } from '../../../src/net/h2/hpack-encoder.ts';
import { mulberry32 } from '../../support/prng.ts';

const decodeAll = (d: HpackDecoder, block: Buffer): string[] => {
  const out: string[] = [];
  d.decode(block, 0, block.length, out);
  return out;
};

const response = (len: string): string[] => [
  ':status', '200', 'content-type', 'text/plain', 'content-length', len, 'date', 'Mon, 07 Dec 2026 01:00:00 GMT', 'server', 'sluice',
];

describe('HPACK encoder', () => {
  it('indexes a repeated response: the second block is static and dynamic indexes plus content-length', () => {
    const e = new HpackEncoder();
    const d = new HpackDecoder();
    const first = e.encode(response('1234'));
    assert.deepEqual(decodeAll(d, first), response('1234'));
    const second = e.encode(response('99'));
    assert.deepEqual(decodeAll(d, second), response('99'));
    // :status 200 (static 8); content-type, date, server from the dynamic table (64, 63, 62);
    // content-length without indexing on static name 28 (0x0f 0x0d); '99' raw (Huffman takes 2 octets too)
    assert.equal(second.toString('hex'), `88c0${'0f0d'}02${Buffer.from('99').toString('hex')}bfbe`);
    assert.deepEqual(d.dynamicEntries().map(([n]) => n), ['server', 'date', 'content-type']);
  });

  it('sends authorization, set-cookie and short cookies never-indexed, and keeps them out of the table', () => {
    const e = new HpackEncoder();
    const d = new HpackDecoder();
    const fields = ['authorization', 'Bearer abc', 'set-cookie', 'a=b', 'cookie', 'short=1', 'cookie', `long=${'x'.repeat(40)}`];
    for (let round = 0; round < 2; round++) {
      const block = e.encode(fields);
      assert.deepEqual(decodeAll(d, block), fields);
      assert.equal(block[0]! & 0xf0, 0x10, 'authorization never indexed');
    }
    assert.deepEqual(d.dynamicEntries(), [['cookie', `long=${'x'.repeat(40)}`]]);
  });

  it('uses Huffman only when it is shorter', () => {
    const e = new HpackEncoder();
    const ascii = e.encode(['x-a', 'www.example.com']);
    assert.ok(ascii.includes(Buffer.from('f1e3c2e5f23a6ba0ab90f4ff', 'hex')), 'www.example.com in Huffman');
    const high = '\xfe\xfd\xfc\xfb';
    const raw = e.encode(['x-b', high]);
    assert.ok(raw.includes(Buffer.from([0x04, 0xfe, 0xfd, 0xfc, 0xfb])), 'high octets raw');
    assert.deepEqual(decodeAll(new HpackDecoder(), ascii), ['x-a', 'www.example.com']);
  });

  it('signals the smallest and then the final table size after the peer changes its setting', () => {
    const e = new HpackEncoder();
    const d = new HpackDecoder();
    decodeAll(d, e.encode(['x-a', 'one']));
    e.setPeerMaxTableSize(0);
    e.setPeerMaxTableSize(100);
    d.setMaxTableSize(100);
    const block = e.encode(['x-a', 'one']);
    assert.deepEqual([...block.subarray(0, 3)], [0x20, 0x3f, 0x45]); // 0, then 100
    assert.deepEqual(decodeAll(d, block), ['x-a', 'one']);
    assert.deepEqual(d.dynamicEntries(), [['x-a', 'one']]);
    e.setPeerMaxTableSize(100); // unchanged: no update
    assert.equal(e.encode([':status', '200'])[0], 0x88);
    e.setPeerMaxTableSize(65536); // we keep at most 4096
    assert.deepEqual([...e.encode([':status', '200'])], [0x3f, 0xe1, 0x1f, 0x88]);
  });

  it('returns -1 when out is too small and commits nothing to the table', () => {
    const e = new HpackEncoder();
    const d = new HpackDecoder();
    const fields = ['x-long', 'v'.repeat(50), 'x-other', 'w'.repeat(20)];
    e.setPeerMaxTableSize(2048);
    d.setMaxTableSize(2048);
    const small = Buffer.alloc(30);
    assert.equal(e.encodeInto(fields, small, 2), -1);
    const big = Buffer.alloc(200);
    const end = e.encodeInto(fields, big, 5);
    assert.ok(end > 5);
    assert.deepEqual(decodeAll(d, big.subarray(5, end)), fields); // the size update is still there
    // a block that fits only in the exact-size path (out smaller than the bound, block smaller than out)
    const exact = Buffer.alloc(6);
    const n = e.encodeInto(fields, exact, 0);
    assert.equal(n, 2);
    assert.deepEqual(decodeAll(d, exact.subarray(0, n)), fields);
  });

  it('does not reuse the index of a repeated field once its entry was evicted', () => {
    const e = new HpackEncoder();
    const d = new HpackDecoder();
    e.setPeerMaxTableSize(200);
    d.setMaxTableSize(200);
    const block = ['x-a', 'one', 'x-b', 'two'];
    // the third block's x-c (135 octets) evicts x-a after it was sent indexed at the same position
    for (const fields of [block, block, [...block, 'x-c', 'y'.repeat(100)], block, ['x-a', 'other', 'x-b', 'two'], block]) {
      assert.deepEqual(decodeAll(d, e.encode(fields)), fields);
    }
  });

  it('carries a 40 KB Huffman-coded field (past the scratch space kept between blocks), then small ones', () => {
    const e = new HpackEncoder();
    const d = new HpackDecoder(4096, 1 << 20);
    const big = ['x-big', 'abc'.repeat(13_000)];
    const block = e.encode(big);
    assert.ok(block.length < 39_000, 'Huffman-coded');
    assert.deepEqual(decodeAll(d, block), big);
    const out = Buffer.alloc(50_000);
    const end = e.encodeInto(big, out, 0);
    assert.deepEqual(decodeAll(d, out.subarray(0, end)), big);
    assert.deepEqual(decodeAll(d, e.encode(['x-small', 'www.example.com'])), ['x-small', 'www.example.com']);
  });

  it('round-trips random field lists through our decoder with tables of changing size', () => {
    const rnd = mulberry32(7541);
    const e = new HpackEncoder();
    const d = new HpackDecoder();
    const names = [':status', 'content-type', 'content-length', 'date', 'server', 'cache-control', 'set-cookie', 'cookie', 'authorization', 'x-a', 'x-b', 'vary', 'etag'];
    const text = (len: number): string => {
      let s = '';
      for (let i = 0; i < len; i++) s += String.fromCharCode(rnd() < 0.8 ? 0x20 + Math.floor(rnd() * 0x5f) : Math.floor(rnd() * 256));
      return s;
    };
    for (let block = 0; block < 3000; block++) {
      if (rnd() < 0.02) {
        const size = [0, 64, 256, 4096, 8192][Math.floor(rnd() * 5)]!;
        e.setPeerMaxTableSize(size);
        d.setMaxTableSize(size);
      }
      const fields: string[] = [];
      for (let k = Math.floor(rnd() * 12); k > 0; k--) {
        const name = rnd() < 0.1 ? text(1 + Math.floor(rnd() * 10)).toLowerCase() : names[Math.floor(rnd() * names.length)]!;
        fields.push(name, rnd() < 0.6 ? `v${Math.floor(rnd() * 5)}` : text(Math.floor(rnd() * (rnd() < 0.1 ? 3000 : 40))));
      }
      const out = Buffer.alloc(Math.floor(rnd() * 400));
      const end = e.encodeInto(fields, out, 0);
      const bytes = end >= 0 ? out.subarray(0, end) : e.encode(fields);
      assert.deepEqual(decodeAll(d, bytes), fields, `block ${block}`);
    }
  });
});
