// The JSON line's two copies store four bytes at a time at any offset: these check every length
// and alignment against a byte-by-byte copy, that nothing past the end is touched, and that a
// character JSON must escape (or cannot write as one byte) is refused wherever it sits in a group of four.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asciiInto, DIGITS_MOST, digitsInto, plainInto, putRun, runOf, viewOf } from '../../src/observe/access-log-byte-writes.ts';

const PLAIN = ' !#~\u007fAz09/:.-_';
const REFUSED = ['\u0000', '\u001f', '"', '\\', '\u0080', '\u00ff', '\u0100', '\ud800', '\u2713'];

describe('access log byte writes', () => {
  it('copies a run of any length to any offset, exactly and no further', () => {
    // Past 24 bytes a run is copied by set(): both ways checked.
    for (let n = 0; n <= 40; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 0xff);
      const run = runOf(bytes);
      for (let at = 0; at < 5; at++) {
        const buf = Buffer.alloc(48, 0xaa);
        const end = putRun(viewOf(buf), buf, at, run);
        assert.equal(end, at + n);
        const want = Buffer.alloc(48, 0xaa);
        want.set(bytes, at);
        assert.deepEqual(buf, want, `length ${n} at ${at}`);
      }
    }
  });

  it('copies a plain value of any length to any offset, and refuses one with a character to escape wherever it is', () => {
    for (let n = 0; n <= 60; n += n < 12 || n > 44 ? 1 : 8) {
      const s = Array.from({ length: n }, (_, i) => PLAIN[i % PLAIN.length]).join('');
      for (let at = 0; at < 5; at++) {
        const buf = Buffer.alloc(72, 0xaa);
        assert.equal(plainInto(viewOf(buf), buf, at, s), at + n);
        const want = Buffer.alloc(72, 0xaa);
        want.write(s, at, 'latin1');
        assert.deepEqual(buf, want, `${JSON.stringify(s)} at ${at}`);
        for (let i = 0; i < n; i++) {
          for (const bad of REFUSED) {
            const hostile = s.slice(0, i) + bad + s.slice(i + 1);
            assert.equal(plainInto(viewOf(buf), buf, at, hostile), -1, `${JSON.stringify(hostile)}`);
          }
        }
      }
    }
  });

  it('copies an ASCII value of any length to any offset as it is (quotes, backslashes, control characters), and refuses one with a non-ASCII character wherever it is', () => {
    const ASCII = ' "\\\u0000\n\u001f\u007f!~Az09';
    for (let n = 0; n <= 60; n += n < 12 || n > 44 ? 1 : 8) {
      const s = Array.from({ length: n }, (_, i) => ASCII[i % ASCII.length]).join('');
      for (let at = 0; at < 5; at++) {
        const buf = Buffer.alloc(72, 0xaa);
        assert.equal(asciiInto(viewOf(buf), buf, at, s), at + n);
        const want = Buffer.alloc(72, 0xaa);
        want.write(s, at, 'latin1');
        assert.deepEqual(buf, want, `${JSON.stringify(s)} at ${at}`);
        for (let i = 0; i < n; i++) {
          for (const bad of ['\u0080', '\u00ff', '\u0100', '\ud800', '\u2713']) {
            const hostile = s.slice(0, i) + bad + s.slice(i + 1);
            assert.equal(asciiInto(viewOf(buf), buf, at, hostile), -1, `${JSON.stringify(hostile)}`);
          }
        }
      }
    }
  });

  it('writes any number as String() prints it, in at most DIGITS_MOST bytes', () => {
    const buf = Buffer.alloc(64);
    for (const n of [0, -0, 1, 9, 10, 99, 100, 4294967295, 4294967296, 2 ** 53 + 2, 1e21, 1.5e-7, -1, -2.5, 0.1 + 0.2, -Number.MAX_VALUE, Number.MIN_VALUE, Number.NaN, Number.NEGATIVE_INFINITY]) {
      const end = digitsInto(viewOf(buf), buf, 3, n);
      assert.equal(buf.toString('latin1', 3, end), String(n));
      assert.ok(end - 3 <= DIGITS_MOST, String(n));
    }
  });

  it('checks a long value (copied natively, checked four bytes a load) as it checks a short one, for every character and position', () => {
    const buf = Buffer.alloc(128);
    const v = viewOf(buf);
    for (let c = 0; c < 0x180; c++) {
      const ch = String.fromCharCode(c);
      const shortPlain = plainInto(v, buf, 0, `ab${ch}d`) >= 0;
      const shortAscii = asciiInto(v, buf, 0, `ab${ch}d`) >= 0;
      for (const p of [0, 1, 2, 3, 30, 47, 50]) {
        const long = 'x'.repeat(p) + ch + 'y'.repeat(50 - p);
        assert.equal(plainInto(v, buf, 3, long) >= 0, shortPlain, `plain U+${c.toString(16)} at ${p}`);
        assert.equal(asciiInto(v, buf, 3, long) >= 0, shortAscii, `ascii U+${c.toString(16)} at ${p}`);
      }
    }
  });
});
