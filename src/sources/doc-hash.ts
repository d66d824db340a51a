// A document's fingerprint: 64 bits of a fast non-cryptographic hash of its bytes, the same
// wherever the document sits in a buffer (words are read unaligned). What a reading of a large file
// remembers of each document instead of its bytes (doc-reuse.ts): a file of 50,000 documents is
// 400 KB of fingerprints, not 48 MB of text. Eight independent lanes keep the multiply chains side
// by side: 47.6 MB in ~12 ms of CPU where SHA-1 per document took 70-85 ms (bench/results).
// Config files are the operator's own, not an adversary's: a 64-bit accidental collision among a
// file's documents is not a practical concern (a document's length is hashed in too).

/** Bytes per fingerprint in a fingerprints buffer. */
export const FINGERPRINT_BYTES = 8;

/** The view fingerprint() reads `b` through: one per buffer, not one per document (50,000 per edit). */
export function viewOf(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** Writes the fingerprint of b[start, end) at out[at], out[at + 1]; `v` is viewOf(b). */
export function fingerprint(b: Uint8Array, v: DataView, start: number, end: number, out: Uint32Array, at: number): void {
  const len = end - start;
  let l0 = 0x9747b28c ^ len;
  let l1 = 0x85ebca6b;
  let l2 = 0xc2b2ae35;
  let l3 = 0x27d4eb2f;
  let l4 = 0x165667b1;
  let l5 = 0xd3a2646c;
  let l6 = 0xfd7046c5;
  let l7 = 0xb55a4f09;
  let i = start;
  for (; i + 32 <= end; i += 32) {
    l0 = Math.imul(l0 ^ v.getInt32(i, true), 0xcc9e2d51);
    l0 = (l0 << 15) | (l0 >>> 17);
    l1 = Math.imul(l1 ^ v.getInt32(i + 4, true), 0x1b873593);
    l1 = (l1 << 13) | (l1 >>> 19);
    l2 = Math.imul(l2 ^ v.getInt32(i + 8, true), 0x85ebca77);
    l2 = (l2 << 17) | (l2 >>> 15);
    l3 = Math.imul(l3 ^ v.getInt32(i + 12, true), 0xc2b2ae3d);
    l3 = (l3 << 11) | (l3 >>> 21);
    l4 = Math.imul(l4 ^ v.getInt32(i + 16, true), 0xcc9e2d51);
    l4 = (l4 << 15) | (l4 >>> 17);
    l5 = Math.imul(l5 ^ v.getInt32(i + 20, true), 0x1b873593);
    l5 = (l5 << 13) | (l5 >>> 19);
    l6 = Math.imul(l6 ^ v.getInt32(i + 24, true), 0x85ebca77);
    l6 = (l6 << 17) | (l6 >>> 15);
    l7 = Math.imul(l7 ^ v.getInt32(i + 28, true), 0xc2b2ae3d);
    l7 = (l7 << 11) | (l7 >>> 21);
  }
  for (; i + 4 <= end; i += 4) {
    l0 = Math.imul(l0 ^ v.getInt32(i, true), 0xcc9e2d51);
    l0 = (l0 << 15) | (l0 >>> 17);
  }
  for (; i < end; i++) l1 = Math.imul(l1 ^ (b[i] as number), 0x01000193);
  out[at] = fmix(l0 ^ Math.imul(l2, 0x9e3779b1) ^ Math.imul(l4, 0x85ebca6b) ^ l6 ^ len);
  out[at + 1] = fmix(l1 ^ Math.imul(l3, 0x85ebca6b) ^ Math.imul(l5, 0xc2b2ae35) ^ l7 ^ l0);
}

/** murmur3's finaliser: every input bit reaches every output bit. */
function fmix(x: number): number {
  let h = x ^ (x >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
