// Every example of RFC 7541 Appendix C (C.2 to C.6), decoded with the tables checked after each
// block; and the Huffman codes checked against codes printed in Appendix B.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HpackDecoder } from '../../../src/net/h2/hpack-decoder.ts';
import { HUFFMAN_CODES, HUFFMAN_LENGTHS, huffmanDecode, huffmanEncode, huffmanLength } from '../../../src/net/h2/hpack-huffman.ts';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
type Pairs = [string, string][];
const flat = (p: Pairs): string[] => p.flat();

interface Step {
  block: string;
  fields: Pairs;
  /** newest first */
  table: Pairs;
  size: number;
}

function run(decoder: HpackDecoder, steps: Step[]): void {
  for (const [n, s] of steps.entries()) {
    const out: string[] = [];
    const block = hex(s.block);
    decoder.decode(block, 0, block.length, out);
    assert.deepEqual(out, flat(s.fields), `fields of block ${n + 1}`);
    assert.deepEqual(decoder.dynamicEntries(), s.table, `table after block ${n + 1}`);
    assert.equal(decoder.dynamicTableSize, s.size, `table size after block ${n + 1}`);
  }
}

const req1: Pairs = [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com']];
const req2: Pairs = [...req1, ['cache-control', 'no-cache']];
const req3: Pairs = [[':method', 'GET'], [':scheme', 'https'], [':path', '/index.html'], [':authority', 'www.example.com'], ['custom-key', 'custom-value']];
const reqTables: Pairs[] = [
  [[':authority', 'www.example.com']],
  [['cache-control', 'no-cache'], [':authority', 'www.example.com']],
  [['custom-key', 'custom-value'], ['cache-control', 'no-cache'], [':authority', 'www.example.com']],
];
const reqSizes = [57, 110, 164];

const date1 = 'Mon, 21 Oct 2013 20:13:21 GMT';
const date2 = 'Mon, 21 Oct 2013 20:13:22 GMT';
const loc = 'https://www.example.com';
const cookie = 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1';
const res1: Pairs = [[':status', '302'], ['cache-control', 'private'], ['date', date1], ['location', loc]];
const res2: Pairs = [[':status', '307'], ['cache-control', 'private'], ['date', date1], ['location', loc]];
const res3: Pairs = [[':status', '200'], ['cache-control', 'private'], ['date', date2], ['location', loc], ['content-encoding', 'gzip'], ['set-cookie', cookie]];
const resTables: Pairs[] = [
  [['location', loc], ['date', date1], ['cache-control', 'private'], [':status', '302']],
  [[':status', '307'], ['location', loc], ['date', date1], ['cache-control', 'private']],
  [['set-cookie', cookie], ['content-encoding', 'gzip'], ['date', date2]],
];
const resSizes = [222, 222, 215];

describe('HPACK decoder: RFC 7541 Appendix C', () => {
  it('C.2.1 literal with indexing adds to the table', () => {
    run(new HpackDecoder(), [{ block: '400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572', fields: [['custom-key', 'custom-header']], table: [['custom-key', 'custom-header']], size: 55 }]);
  });
  it('C.2.2 literal without indexing leaves the table empty', () => {
    run(new HpackDecoder(), [{ block: '040c 2f73 616d 706c 652f 7061 7468', fields: [[':path', '/sample/path']], table: [], size: 0 }]);
  });
  it('C.2.3 literal never indexed leaves the table empty', () => {
    run(new HpackDecoder(), [{ block: '1008 7061 7373 776f 7264 0673 6563 7265 74', fields: [['password', 'secret']], table: [], size: 0 }]);
  });
  it('C.2.4 indexed field from the static table', () => {
    run(new HpackDecoder(), [{ block: '82', fields: [[':method', 'GET']], table: [], size: 0 }]);
  });

  it('C.3 requests without Huffman share one dynamic table', () => {
    run(new HpackDecoder(), [
      { block: '8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d', fields: req1, table: reqTables[0]!, size: reqSizes[0]! },
      { block: '8286 84be 5808 6e6f 2d63 6163 6865', fields: req2, table: reqTables[1]!, size: reqSizes[1]! },
      { block: '8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65', fields: req3, table: reqTables[2]!, size: reqSizes[2]! },
    ]);
  });

  it('C.4 requests with Huffman share one dynamic table', () => {
    run(new HpackDecoder(), [
      { block: '8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff', fields: req1, table: reqTables[0]!, size: reqSizes[0]! },
      { block: '8286 84be 5886 a8eb 1064 9cbf', fields: req2, table: reqTables[1]!, size: reqSizes[1]! },
      { block: '8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf', fields: req3, table: reqTables[2]!, size: reqSizes[2]! },
    ]);
  });

  it('C.5 responses without Huffman evict from a 256-octet table', () => {
    run(new HpackDecoder(256), [
      {
        block: `4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133
                2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d`,
        fields: res1, table: resTables[0]!, size: resSizes[0]!,
      },
      { block: '4803 3330 37c1 c0bf', fields: res2, table: resTables[1]!, size: resSizes[1]! },
      {
        block: `88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d
                54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049
                5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31`,
        fields: res3, table: resTables[2]!, size: resSizes[2]!,
      },
    ]);
  });

  it('C.6 responses with Huffman evict from a 256-octet table', () => {
    run(new HpackDecoder(256), [
      {
        block: `4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6
                2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3`,
        fields: res1, table: resTables[0]!, size: resSizes[0]!,
      },
      { block: '4883 640e ffc1 c0bf', fields: res2, table: resTables[1]!, size: resSizes[1]! },
      {
        block: `88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab
                77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f
                9587 3160 65c0 03ed 4ee5 b106 3d50 07`,
        fields: res3, table: resTables[2]!, size: resSizes[2]!,
      },
    ]);
  });
});

describe('HPACK static table', () => {
  it('holds the entries of RFC 7541 Appendix A at their indexes', () => {
    const out: string[] = [];
    const block = Uint8Array.of(0x81, 0x88, 0x8e, 0x8f, 0x90, 0x9c, 0xb7, 0xbd);
    new HpackDecoder().decode(block, 0, block.length, out);
    assert.deepEqual(out, [
      ':authority', '', ':status', '200', ':status', '500', 'accept-charset', '', 'accept-encoding', 'gzip, deflate',
      'content-length', '', 'set-cookie', '', 'www-authenticate', '',
    ]);
    assert.throws(() => new HpackDecoder().decode(Uint8Array.of(0xbe), 0, 1, []), /past the tables/);
  });
});

describe('HPACK Huffman code', () => {
  it('rebuilds the codes printed in RFC 7541 Appendix B from the lengths', () => {
    const printed: [number, number, number][] = [
      [0, 0x1ff8, 13], [1, 0x7fffd8, 23], [10, 0x3ffffffc, 30], [32, 0x14, 6], [47, 0x18, 6], [48, 0x0, 5], [122, 0x7b, 7],
      [127, 0xffffffc, 28], [92, 0x7fff0, 19], [153, 0x1fffdc, 21], [192, 0x3ffffe0, 26], [199, 0x1ffffec, 25],
      [220, 0xffffffd, 28], [224, 0xfffec, 20], [249, 0xffffffe, 28], [254, 0x7fffff0, 27], [255, 0x3ffffee, 26], [256, 0x3fffffff, 30],
    ];
    for (const [sym, code, len] of printed) {
      assert.equal(HUFFMAN_CODES[sym], code, `code of ${sym}`);
      assert.equal(HUFFMAN_LENGTHS[sym], len, `length of ${sym}`);
    }
  });

  it('round-trips all 256 octets and matches the RFC encoding of www.example.com', () => {
    let all = '';
    for (let i = 0; i < 256; i++) all += String.fromCharCode(i);
    for (const s of [all, 'www.example.com', '', 'a', '\xff\x00']) {
      const enc = Buffer.alloc(huffmanLength(s));
      assert.equal(huffmanEncode(s, enc, 0), enc.length);
      const dec = Buffer.alloc(enc.length * 2);
      assert.equal(dec.subarray(0, huffmanDecode(enc, 0, enc.length, dec)).toString('latin1'), s);
    }
    const enc = Buffer.alloc(12);
    huffmanEncode('www.example.com', enc, 0);
    assert.equal(enc.toString('hex'), 'f1e3c2e5f23a6ba0ab90f4ff');
  });
});
