// A document's fingerprint: 64 bits of a fast non-cryptographic hash of its bytes, the same
// wherever the document sits in a buffer (words are read unaligned). What a reading of a large file
// remembers of each document instead of its bytes (doc-reuse.ts): a file of 50,000 documents is
// 400 KB of fingerprints, not 48 MB of text. Four independent lanes keep the multiply chains side
// by side: ~2.9 GB/s in V8 where SHA-1 per document ran at ~0.6 GB/s (bench/results). Config files
// are the operator's own, not an adversary's: a 64-bit accidental collision among a file's
// documents is not a practical concern (a document's length is hashed in too).

/** Bytes per fingerprint in a fingerprints buffer. */
export const FINGERPRINT_BYTES = 8;

/** Writes the fingerprint of b[start, end) at out[at], out[at + 1]. */
export function fingerprint(b: Uint8Array, start: number, end: number, out: Uint32Array, at: number): void {
  const len = end - start;
  let a = 0x9747b28c ^ len;
  let h = 0x85ebca6b;
  let c = 0xc2b2ae35;
  let d = 0x27d4eb2f;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let i = start;
  for (; i + 16 <= end; i += 16) {
    a = Math.imul(a ^ v.getInt32(i, true), 0xcc9e2d51);
    a = (a << 15) | (a >>> 17);
    h = Math.imul(h ^ v.getInt32(i + 4, true), 0x1b873593);
    h = (h << 13) | (h >>> 19);
    c = Math.imul(c ^ v.getInt32(i + 8, true), 0x85ebca77);
    c = (c << 17) | (c >>> 15);
    d = Math.imul(d ^ v.getInt32(i + 12, true), 0xc2b2ae3d);
    d = (d << 11) | (d >>> 21);
  }
  for (; i < end; i++) h = Math.imul(h ^ (b[i] as number), 0x01000193);
  out[at] = fmix(a ^ Math.imul(c, 0x9e3779b1) ^ len);
  out[at + 1] = fmix(h ^ Math.imul(d, 0x85ebca6b) ^ a);
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
