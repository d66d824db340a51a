// The two copies a JSON access log line is made of, as cheap as JavaScript makes them: a fixed run
// of bytes, and a string value checked for anything JSON must escape. Both store four bytes at a
// time through a DataView (unaligned 32-bit stores are single instructions once optimised): a
// set() costs a builtin call whatever the length, as much as a short key's stores, so only long runs
// (the time, the head, the endpoint's tail) are set(); a byte per store made the checked copy slower
// (bench/log-line-cost.ts, bench/log-line-instr.ts).

/** A fixed run of bytes, as little-endian 32-bit words and the bytes left over. */
export interface Run {
  readonly bytes: Uint8Array;
  readonly words: Uint32Array;
  /** bytes.length */
  readonly length: number;
}

export function runOf(bytes: Uint8Array): Run {
  return rewordRun({ bytes, words: new Uint32Array(bytes.length >> 2), length: bytes.length });
}

/** `r` after its bytes changed in place (the time run, once per millisecond): its words again. */
export function rewordRun(r: Run): Run {
  const { bytes, words } = r;
  for (let i = 0; i < words.length; i++) words[i] = bytes[4 * i]! | (bytes[4 * i + 1]! << 8) | (bytes[4 * i + 2]! << 16) | (bytes[4 * i + 3]! << 24);
  return r;
}

/** An ASCII string's run. */
export const textRun = (s: string): Run => runOf(Buffer.from(s, 'latin1'));

let lastBuf: Uint8Array | undefined;
let lastView: DataView | undefined;

/** A DataView over `buf` (the writer's chunks are reused: one view per chunk, kept while lines go into it). */
export function viewOf(buf: Uint8Array): DataView {
  if (buf !== lastBuf) {
    lastView = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    lastBuf = buf;
  }
  return lastView!;
}

const setBytes = Uint8Array.prototype.set;
/** Runs this long or longer are copied by one set(): its fixed cost is below the stores it saves. */
const SET_FROM = 24;

/** `r` written at `at` (room checked by the caller): the end. */
export function putRun(v: DataView, buf: Uint8Array, at: number, r: Run): number {
  if (r.length >= SET_FROM) {
    // Called as the builtin it is: `buf.set` was a property load per run (Buffers and Uint8Arrays both come here).
    setBytes.call(buf, r.bytes, at);
    return at + r.length;
  }
  const words = r.words;
  let o = at;
  for (let i = 0; i < words.length; i++, o += 4) v.setUint32(o, words[i]!, true);
  const bytes = r.bytes;
  for (let i = o - at; i < bytes.length; i++) buf[o++] = bytes[i]!;
  return at + r.length;
}

/** Node's Buffer#utf8Write (Buffer#write's own target; @types/node does not declare it), called on any Uint8Array. */
const utf8Write = (Buffer.prototype as unknown as { utf8Write(this: Uint8Array, s: string, offset: number): number }).utf8Write;

/**
 * Values this long or longer are copied by utf8Write() and then checked in the buffer, four bytes a
 * load: a string's characters are read one call each, the native copy has a larger fixed cost and
 * a far smaller one per byte. A long user agent or path is common; most values are short.
 */
const NATIVE_FROM = 48;

/**
 * The end of `n` characters utf8Write() wrote as `wrote` bytes at `at`, or -1: when they were not
 * all ASCII (more bytes than characters, or a byte past 0x7f if the buffer cut them short), or
 * `plain` and one needs escaping in JSON (a control character, `"` or `\`; DEL is left as it is).
 */
function checked(v: DataView, at: number, n: number, wrote: number, plain: boolean): number {
  if (wrote !== n) return -1;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const w = v.getUint32(at + i, true);
    if ((w & 0x80808080) !== 0) return -1;
    if (!plain) continue;
    // Every byte is below 0x80, so a byte's top bit is set in w - 0x20.. only for a control character, and in
    // (w xor '"') - 0x01.. or (w xor '\') - 0x01.. only for that character (a borrow comes from such a byte).
    if ((((w - 0x20202020) | ((w ^ 0x22222222) - 0x01010101) | ((w ^ 0x5c5c5c5c) - 0x01010101)) & 0x80808080) !== 0) return -1;
  }
  for (; i < n; i++) {
    const c = v.getUint8(at + i);
    if (c > 0x7f || (plain && PLAIN[c] === 0)) return -1;
  }
  return at + n;
}

/** 1 for what JSON writes as it is (printable ASCII, DEL included as JSON.stringify leaves it, but not `"` or `\`); by UTF-16 unit. */
const PLAIN = new Uint8Array(0x10000);
for (let c = 0x20; c <= 0x7f; c++) PLAIN[c] = c === 0x22 || c === 0x5c ? 0 : 1;

/** `s` copied as bytes if every character is plain (above); else -1 (what was copied is left for the next line to overwrite). */
export function plainInto(v: DataView, buf: Uint8Array, at: number, s: string): number {
  const n = s.length;
  if (n >= NATIVE_FROM) return checked(v, at, n, utf8Write.call(buf, s, at), true);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const c0 = s.charCodeAt(i);
    const c1 = s.charCodeAt(i + 1);
    const c2 = s.charCodeAt(i + 2);
    const c3 = s.charCodeAt(i + 3);
    if ((PLAIN[c0]! & PLAIN[c1]! & PLAIN[c2]! & PLAIN[c3]!) === 0) return -1;
    v.setUint32(at + i, c0 | (c1 << 8) | (c2 << 16) | (c3 << 24), true);
  }
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (PLAIN[c] === 0) return -1;
    buf[at + i] = c;
  }
  return at + n;
}


/** `s` copied as bytes if it is all ASCII (a template's values: nothing escaped, see access-log-template-bytes.ts); else -1. */
export function asciiInto(v: DataView, buf: Uint8Array, at: number, s: string): number {
  const n = s.length;
  if (n >= NATIVE_FROM) return checked(v, at, n, utf8Write.call(buf, s, at), false);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const c0 = s.charCodeAt(i);
    const c1 = s.charCodeAt(i + 1);
    const c2 = s.charCodeAt(i + 2);
    const c3 = s.charCodeAt(i + 3);
    if ((c0 | c1 | c2 | c3) > 0x7f) return -1;
    v.setUint32(at + i, c0 | (c1 << 8) | (c2 << 16) | (c3 << 24), true);
  }
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) return -1;
    buf[at + i] = c;
  }
  return at + n;
}

/** The most bytes digitsInto() writes (String() of any number is at most this long). */
export const DIGITS_MOST = 24;

/** `n` as JavaScript prints it (String(n)): digits for the usual non-negative integers, with no string made; String() for the rest. */
export function digitsInto(v: DataView, buf: Uint8Array, at: number, n: number): number {
  if (!(n >= 0 && n <= 0xffffffff && Math.floor(n) === n)) return plainInto(v, buf, at, String(n));
  if (n < 10) {
    buf[at] = 0x30 + n;
    return at + 1;
  }
  let digits = 1;
  for (let m = n; m >= 10; m = Math.floor(m / 10)) digits++;
  let i = at + digits;
  for (let m = n; i > at; m = Math.floor(m / 10)) buf[--i] = 0x30 + (m % 10);
  return at + digits;
}
