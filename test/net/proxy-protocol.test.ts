import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isHeaderError, MORE, parseProxyHeader, type ProxyHeader } from '../../src/net/proxy-protocol.ts';
import { v1Header, v2Header } from '../support/proxy-header.ts';
import { mulberry32 } from '../support/prng.ts';

const header = (p: ReturnType<typeof parseProxyHeader>): ProxyHeader => {
  assert.ok(p !== MORE && !isHeaderError(p), `expected a header, got ${JSON.stringify(p)}`);
  return p;
};

describe('PROXY protocol header parsing', () => {
  it('reads a v1 TCP4 header and says where the client protocol starts', () => {
    const buf = Buffer.concat([v1Header('203.0.113.7', 51000), Buffer.from('GET / HTTP/1.1\r\n')]);
    const h = header(parseProxyHeader(buf));
    assert.deepEqual(h.source, { address: '203.0.113.7', port: 51000, family: 'IPv4' });
    assert.equal(buf.subarray(h.length).toString(), 'GET / HTTP/1.1\r\n');
  });

  it('reads v1 TCP6 and UNKNOWN (the peer stands)', () => {
    assert.deepEqual(header(parseProxyHeader(v1Header('2001:db8::1', 443, '2001:db8::2'))).source, { address: '2001:db8::1', port: 443, family: 'IPv6' });
    const unknown = header(parseProxyHeader(Buffer.from('PROXY UNKNOWN whatever\r\nGET')));
    assert.equal(unknown.source, undefined);
    assert.equal(unknown.length, 24);
  });

  it('reads v2 PROXY over IPv4 and IPv6, with TLVs skipped', () => {
    const tlv = Buffer.from([0x04, 0x00, 0x03, 0x61, 0x62, 0x63]);
    const h4 = header(parseProxyHeader(Buffer.concat([v2Header('198.51.100.9', 40000, { tlvs: tlv }), Buffer.from('\x16\x03\x01')])));
    assert.deepEqual(h4.source, { address: '198.51.100.9', port: 40000, family: 'IPv4' });
    assert.equal(h4.length, 16 + 12 + tlv.length);
    const h6 = header(parseProxyHeader(v2Header('2001:db8:0:0:1::5', 1234)));
    assert.deepEqual(h6.source, { address: '2001:db8::1:0:0:5', port: 1234, family: 'IPv6' });
  });

  it('accepts v2 LOCAL (a balancer health check) with no source', () => {
    const h = header(parseProxyHeader(v2Header('10.0.0.1', 1, { local: true })));
    assert.equal(h.version, 2);
    assert.equal(h.source, undefined);
  });

  it('asks for more while every byte so far could still be a header', () => {
    for (const full of [v1Header('203.0.113.7', 51000), v2Header('198.51.100.9', 40000)]) {
      for (let n = 0; n < full.length; n++) assert.equal(parseProxyHeader(full.subarray(0, n)), MORE, `prefix of ${n} bytes`);
    }
  });

  it('refuses what is not a header: plain HTTP, an h2 preface, TLS, bad fields, oversized', () => {
    const bad = [
      'GET / HTTP/1.1\r\n',
      'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
      '\x16\x03\x01\x02\x00',
      'PROXY TCP4 1.2.3.4 5.6.7.8 80\r\n',
      'PROXY TCP4 1.2.3.4 5.6.7.8 080 80\r\n',
      'PROXY TCP4 1.2.3.4 5.6.7.8 65536 80\r\n',
      'PROXY TCP4 ::1 5.6.7.8 1 80\r\n',
      'PROXY TCP6 1.2.3.4 ::1 1 80\r\n',
      'PROXY UDP4 1.2.3.4 5.6.7.8 1 80\r\n',
      `PROXY TCP4 ${'1'.repeat(120)}`,
      'PROXY\r\n',
    ];
    for (const b of bad) assert.ok(isHeaderError(parseProxyHeader(Buffer.from(b, 'latin1'))), JSON.stringify(b));
    const v2 = v2Header('1.2.3.4', 1);
    const wrongVersion = Buffer.from(v2);
    wrongVersion[12] = 0x11;
    assert.ok(isHeaderError(parseProxyHeader(wrongVersion)));
    const badCommand = Buffer.from(v2);
    badCommand[12] = 0x2f;
    assert.ok(isHeaderError(parseProxyHeader(badCommand)));
    const huge = Buffer.from(v2);
    huge.writeUInt16BE(65535, 14);
    assert.ok(isHeaderError(parseProxyHeader(huge)), 'a length past the limit is refused before it is buffered');
    const short = Buffer.from(v2.subarray(0, 16));
    short.writeUInt16BE(4, 14);
    assert.ok(isHeaderError(parseProxyHeader(Buffer.concat([short, Buffer.alloc(4)]))), 'an IPv4 block of 4 bytes');
  });

  it('never throws on random or mutated input (fuzz)', () => {
    const next = mulberry32(15);
    const rng = { int: (n: number) => Math.floor(next() * n) };
    const seeds = [v1Header('203.0.113.7', 51000), v2Header('198.51.100.9', 40000), v2Header('2001:db8::1', 7, { tlvs: Buffer.alloc(9, 1) })];
    for (let i = 0; i < 20_000; i++) {
      const seed = seeds[i % seeds.length]!;
      const buf = Buffer.from(seed.subarray(0, 1 + rng.int(seed.length)));
      for (let k = rng.int(4); k > 0; k--) buf[rng.int(buf.length)] = rng.int(256);
      const p = parseProxyHeader(buf);
      if (p !== MORE && !isHeaderError(p)) assert.ok(p.length <= buf.length);
    }
  });
});
