// HPACK decoder: malformed and hostile blocks (RFC 7541 sections 4.2, 5.1, 5.2, 6.3), the header
// list size limit, latin1 strings, and a seeded fuzz that must only ever raise HpackError.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HpackDecoder } from '../../../src/net/h2/hpack-decoder.ts';
import { HpackError } from '../../../src/net/h2/hpack-error.ts';
import { mulberry32 } from '../../support/prng.ts';

const decode = (d: HpackDecoder, bytes: number[] | Uint8Array): string[] => {
  const out: string[] = [];
  const b = bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes);
  d.decode(b, 0, b.length, out);
  return out;
};
const rejects = (bytes: number[], message: RegExp, d = new HpackDecoder()): void => {
  assert.throws(() => decode(d, bytes), (e: unknown) => e instanceof HpackError && message.test(e.message));
};

describe('HPACK decoder rejects malformed blocks', () => {
  it('index 0 and indexes past the static and dynamic tables', () => {
    rejects([0x80], /index 0/);
    rejects([0xbe], /past the tables/); // 62 with an empty dynamic table
    rejects([0x7e, 0x01, 0x61], /past the tables/); // literal with a name index of 62
  });

  it('an integer of 2^62 (hostile) and an endlessly zero-padded one, quickly', () => {
    // 2^62 with a 7-bit prefix: 127 then continuation octets of 7 bits each
    let v = 2n ** 62n - 127n;
    const big = [0xff];
    while (v >= 128n) {
      big.push(Number(v % 128n) | 0x80);
      v /= 128n;
    }
    big.push(Number(v));
    rejects(big, /integer too large/);
    rejects([0xff, ...new Array(100_000).fill(0x80), 0x00], /integer too long/);
    rejects([0xff, 0x80], /integer runs past/);
  });

  it('strings that run past the block, and a field cut short', () => {
    rejects([0x04, 0x05, 0x61, 0x62], /string runs past/);
    rejects([0x40, 0x01, 0x61], /string missing/);
    rejects([0x40, 0x7f, 0x80, 0x80, 0x80, 0x01], /string runs past/);
  });

  it('Huffman strings with EOS, padding longer than 7 bits, or padding not all ones', () => {
    rejects([0x04, 0x84, 0xff, 0xff, 0xff, 0xff], /EOS/);
    rejects([0x04, 0x82, 0x1f, 0xff], /padding/); // 'a' (00011) then 11 one bits
    rejects([0x04, 0x81, 0x18], /padding/); // 'a' padded with zeros
    assert.deepEqual(decode(new HpackDecoder(), [0x04, 0x81, 0x1f]), [':path', 'a']);
  });

  it('a table size update above our limit, or after a field', () => {
    rejects([0x3f, 0xe2, 0x1f], /above our limit 4096/); // 4097
    rejects([0x82, 0x20], /after a field/);
    const d = new HpackDecoder();
    decode(d, [0x40, 0x01, 0x61, 0x01, 0x62]);
    assert.equal(d.dynamicEntries().length, 1);
    assert.deepEqual(decode(d, [0x20, 0x3f, 0xe1, 0x1f, 0x82]), [':method', 'GET']); // 0, then 4096: at the start, allowed
    assert.deepEqual(d.dynamicEntries(), []);
  });

  it('after our limit drops, a block that does not start with a size update', () => {
    const d = new HpackDecoder();
    decode(d, [0x40, 0x01, 0x61, 0x01, 0x62]);
    d.setMaxTableSize(64);
    rejects([0x82], /required table size update/, d);
    rejects([0x3f, 0x22, 0x82], /above our limit 64/, d); // 65
    assert.deepEqual(decode(d, [0x3f, 0x21, 0x82]), [':method', 'GET']); // 64
    assert.deepEqual(decode(d, [0x82]), [':method', 'GET']); // only once
  });
});

describe('HPACK decoder', () => {
  it('decodes the whole block but flags a list over maxHeaderListSize, keeping the table in step', () => {
    const d = new HpackDecoder(4096, 100);
    // :method GET (7+3+32 = 42), then x: 30 a's with indexing (1+30+32 = 63: over 100), then :path /
    const block = [0x82, 0x40, 0x01, 0x78, 0x1e, ...new Array(30).fill(0x61), 0x84];
    assert.deepEqual(decode(d, block), [':method', 'GET']);
    assert.equal(d.listTooLarge, true);
    assert.deepEqual(d.dynamicEntries(), [['x', 'a'.repeat(30)]]);
    assert.deepEqual(decode(d, [0xbe]), ['x', 'a'.repeat(30)]);
    assert.equal(d.listTooLarge, false);
  });

  it('reads field octets as latin1, never UTF-8', () => {
    assert.deepEqual(decode(new HpackDecoder(), [0x00, 0x01, 0x78, 0x02, 0xc3, 0xa9]), ['x', '\u00c3\u00a9']);
    assert.deepEqual(decode(new HpackDecoder(), [0x00, 0x01, 0x78, 0x01, 0xff]), ['x', '\u00ff']);
  });

  it('decodes a range of a plain Uint8Array', () => {
    const bytes = Uint8Array.from([0xaa, 0xbb, 0x82, 0x84, 0xcc]);
    const out: string[] = [];
    new HpackDecoder().decode(bytes.subarray(1), 1, 3, out);
    assert.deepEqual(out, [':method', 'GET', ':path', '/']);
  });

  it('returns the stored strings for indexed fields (no copies)', () => {
    const d = new HpackDecoder();
    const a = decode(d, [0x40, 0x01, 0x78, 0x03, 0x61, 0x62, 0x63]);
    const b = decode(d, [0xbe]);
    assert.deepEqual(a, b);
    assert.equal(b[1], d.dynamicEntries()[0]![1]);
  });
});

describe('HPACK decoder fuzz', () => {
  const valid = [
    '828684410f7777772e6578616d706c652e636f6d', '828684be58086e6f2d6361636865', '8286844188f1e3c2e5f23a6ba0ab90f4ff',
    '488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863c78f0b97c8e9ae82ae43d3',
    '4883640effc1c0bf', '3fe11f82', '1008706173737764067365637265',
  ].map((h) => Buffer.from(h, 'hex'));

  it('random and mutated blocks raise nothing but HpackError, and finish', () => {
    const rnd = mulberry32(0x5eed);
    const shared = new HpackDecoder(); // a long-lived connection's table through it all
    const t0 = Date.now();
    for (let n = 0; n < 20_000; n++) {
      let block: Buffer;
      if (n % 2 === 0) {
        block = Buffer.alloc(Math.floor(rnd() * 64));
        for (let i = 0; i < block.length; i++) block[i] = Math.floor(rnd() * 256);
      } else {
        block = Buffer.from(valid[n % valid.length]!);
        for (let k = 1 + Math.floor(rnd() * 3); k > 0; k--) block[Math.floor(rnd() * block.length)] = Math.floor(rnd() * 256);
      }
      for (const d of [new HpackDecoder(256, 1024), shared]) {
        try {
          d.decode(block, 0, block.length, []);
        } catch (e) {
          if (!(e instanceof HpackError)) throw new Error(`block ${block.toString('hex')} raised ${String(e)}`);
        }
      }
    }
    assert.ok(Date.now() - t0 < 20_000, 'the fuzz took too long');
  });
});
