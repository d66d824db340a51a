// HPACK's static Huffman code (RFC 7541 section 5.2 and Appendix B): encoded length, encoding,
// and a table-driven decoder that takes a whole input octet per step.
//
// The code is canonical (codes of one length are consecutive and ordered by symbol), so the
// table below holds only each symbol's code length and the codes are rebuilt from it at load;
// the tests check the result against codes printed in the RFC.
import { HpackError } from './hpack-error.ts';

/** Code length in bits of symbols 0..255 and EOS (256), from RFC 7541 Appendix B. */
// biome-ignore format: a table of 257 numbers, 16 a line
const LENGTHS = Uint8Array.from([
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28,
  28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
  6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6,
  5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
  13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
  7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
  15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5,
  6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
  20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23,
  24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
  22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23,
  21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
  26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25,
  19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
  20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23,
  26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
  30,
]);

export const EOS = 256;

/** Canonical codes, right-aligned: symbols sorted by (length, symbol) take consecutive values. */
export const HUFFMAN_CODES: Uint32Array = (() => {
  const order = Array.from({ length: 257 }, (_, s) => s).sort((a, b) => LENGTHS[a]! - LENGTHS[b]! || a - b);
  const codes = new Uint32Array(257);
  let code = 0;
  let len = LENGTHS[order[0]!]!;
  for (const s of order) {
    code *= 2 ** (LENGTHS[s]! - len); // a longer length: shift the next code left
    len = LENGTHS[s]!;
    codes[s] = code;
    code++;
  }
  return codes;
})();
export const HUFFMAN_LENGTHS: Uint8Array = LENGTHS;

/** Octets the Huffman form of `s` (latin1: each char's low byte) takes. */
export function huffmanLength(s: string): number {
  let bits = 0;
  for (let i = 0; i < s.length; i++) bits += LENGTHS[s.charCodeAt(i) & 0xff]!;
  return (bits + 7) >>> 3;
}

/** Writes the Huffman form of `s` at out[pos]; returns the position after it. Pads with EOS's leading ones. */
export function huffmanEncode(s: string, out: Uint8Array, pos: number): number {
  let acc = 0; // pending bits, right-aligned; fewer than 8 between symbols
  let bits = 0;
  for (let i = 0; i < s.length; i++) {
    const sym = s.charCodeAt(i) & 0xff;
    let len = LENGTHS[sym]!;
    let code = HUFFMAN_CODES[sym]!;
    if (len > 24) {
      // keep acc within 31 bits: push the high part first
      const hiLen = len - 8;
      acc = (acc << hiLen) | (code >>> 8);
      bits += hiLen;
      while (bits >= 8) {
        bits -= 8;
        out[pos++] = acc >>> bits;
        acc &= (1 << bits) - 1;
      }
      code &= 0xff;
      len = 8;
    }
    acc = (acc << len) | code;
    bits += len;
    while (bits >= 8) {
      bits -= 8;
      out[pos++] = acc >>> bits;
      acc &= (1 << bits) - 1;
    }
  }
  if (bits > 0) out[pos++] = (acc << (8 - bits)) | (0xff >>> bits);
  return pos;
}

// The decoder is a state machine over the code tree's 256 internal nodes: one step consumes one
// input octet from a node and says which node it ends at and which symbols (at most two: the
// shortest code is 5 bits) it completed. Entry layout: next state (bits 0-7), first symbol
// (8-15), second symbol (16-23), symbol count (24-25), FAIL (26: the octet completes EOS).
const FAIL = 1 << 26;
let steps: Int32Array | undefined;
/** ACCEPT[state]: the bits since the last symbol may end the string there (all ones, at most 7). */
const ACCEPT = new Uint8Array(256);

function buildDecoder(): Int32Array {
  // Tree: child[node * 2 + bit] is an internal node (>= 0) or a leaf -(symbol + 1).
  const child = new Int32Array(512);
  let nodes = 1;
  for (let sym = 0; sym <= EOS; sym++) {
    const len = LENGTHS[sym]!;
    const code = HUFFMAN_CODES[sym]!;
    let node = 0;
    for (let i = len - 1; i > 0; i--) {
      const slot = node * 2 + ((code >>> i) & 1);
      if (child[slot] === 0) child[slot] = nodes++;
      node = child[slot]!;
    }
    child[node * 2 + (code & 1)] = -(sym + 1);
  }
  if (nodes !== 256) throw new Error(`HPACK Huffman tree has ${nodes} internal nodes, expected 256`);
  const table = new Int32Array(256 * 256);
  for (let state = 0; state < 256; state++) {
    for (let octet = 0; octet < 256; octet++) {
      let node = state;
      let entry = 0;
      let count = 0;
      for (let i = 7; i >= 0; i--) {
        const next = child[node * 2 + ((octet >>> i) & 1)]!;
        if (next >= 0) {
          node = next;
          continue;
        }
        const sym = -next - 1;
        if (sym === EOS) {
          entry |= FAIL;
          break;
        }
        entry |= sym << (8 + 8 * count);
        count++;
        node = 0;
      }
      table[state * 256 + octet] = entry | (count << 24) | node;
    }
  }
  let node = 0;
  ACCEPT[0] = 1;
  for (let depth = 1; depth <= 7; depth++) ACCEPT[(node = child[node * 2 + 1]!)] = 1;
  return table;
}

/** Decodes src[start, end) into out (which must hold at least (end - start) * 8 / 5 octets); returns the count. */
export function huffmanDecode(src: Uint8Array, start: number, end: number, out: Uint8Array): number {
  const table = (steps ??= buildDecoder());
  let state = 0;
  let n = 0;
  for (let i = start; i < end; i++) {
    const e = table[(state << 8) | src[i]!]!;
    if (e & FAIL) throw new HpackError('HPACK: Huffman string contains EOS');
    const count = (e >>> 24) & 3;
    if (count > 0) {
      out[n++] = e >>> 8;
      if (count > 1) out[n++] = e >>> 16;
    }
    state = e & 0xff;
  }
  if (ACCEPT[state] === 0) throw new HpackError('HPACK: Huffman string padding is not at most 7 one bits');
  return n;
}
