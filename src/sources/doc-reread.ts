// Reads a large file again over the bytes of its last reading, which doc-reuse.ts keeps to find the
// documents an edit left alone. The new bytes are compared with the old as they are read, through
// one 1 MiB buffer, from the start until they differ and then from the end; only the text between
// is read into place, and the old buffer is updated in place (its tail moved when the length
// changed; a new buffer only when the file outgrew the room left at the end). Reading 47.6 MB into
// a new buffer cost ~60 ms of CPU under load, most of it faulting in fresh pages, and held two
// copies until the old one was collected; through the small buffer it is ~11 ms.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

const CHUNK = 1 << 20;
let scratch: Buffer | undefined;

export interface Reread {
  /** the file's new bytes: a view of the old buffer, or of a new one when the file outgrew it */
  readonly buf: Buffer;
  /** how many bytes the old and new versions begin with, and end with (not overlapping) */
  readonly head: number;
  readonly tail: number;
}

// Files up to this size are read into one buffer reused from file to file (ScratchRead).
const SCRATCH_MAX = 1 << 20;

/**
 * Whole files read into one buffer reused from reading to reading, for a reader that keeps no
 * file's bytes once read (doc-reuse.ts keeps hashes of small files' documents). A buffer per file
 * (readFileSync) is a malloc and a free per file, freed only at a collection: after glibc sees one
 * file-sized mmapped chunk freed it serves the next from its arena, which 100 such files left
 * holding megabytes of free fragments at ready. A file over SCRATCH_MAX, or one read while the
 * buffer is lent out, gets a buffer of its own.
 */
export class ScratchRead {
  #buf: Buffer | undefined;
  #lent = false;

  /** The whole file (lent until release()), or null when it is over `max` bytes. */
  read(abs: string, max: number): Buffer | null {
    const fd = openSync(abs, 'r');
    try {
      const size = fstatSync(fd).size;
      if (size > max) return null;
      const buf = this.#lent || size > SCRATCH_MAX ? Buffer.allocUnsafeSlow(size) : this.#room(size);
      this.#lent ||= buf.buffer === this.#buf?.buffer;
      return buf.subarray(0, readInto(fd, buf, 0, size));
    } finally {
      closeSync(fd);
    }
  }

  /** Whether `buf` is a view of the scratch buffer (then it must be copied to be kept). */
  owns(buf: Buffer): boolean {
    return this.#buf !== undefined && buf.buffer === this.#buf.buffer;
  }

  /** Ends the loan of `buf` if it is the scratch buffer: the next read may overwrite it. */
  release(buf: Buffer): void {
    if (this.owns(buf)) this.#lent = false;
  }

  #room(size: number): Buffer {
    if (this.#buf === undefined || this.#buf.length < size) this.#buf = Buffer.allocUnsafeSlow(Math.min(SCRATCH_MAX, Math.max(size, 2 * (this.#buf?.length ?? 32 * 1024))));
    return this.#buf.subarray(0, size);
  }
}

/** `size` bytes in a buffer of their own with room to grow (1/16 more, at most 4 MiB). */
export function withRoom(size: number): Buffer {
  return Buffer.allocUnsafeSlow(size + Math.min(size >>> 4, 4 << 20)).subarray(0, size);
}

/** The whole file in a buffer with room to grow, or null when it is over `max` bytes. */
export function readWhole(abs: string, max: number): Buffer | null {
  const fd = openSync(abs, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size > max) return null;
    const buf = withRoom(size);
    return buf.subarray(0, readInto(fd, buf, 0, size));
  } finally {
    closeSync(fd);
  }
}

/**
 * The file's new bytes over `old` (which they overwrite), or null when it is over `max` bytes.
 * `beforeRewrite(head, tail, size)` is called once the common ends (and the new size) are known and before `old` changes,
 * so that the caller can copy what it still needs of the old bytes between them.
 */
export function rereadOver(abs: string, old: Buffer, max: number, beforeRewrite: (head: number, tail: number, size: number) => void): Reread | null {
  const fd = openSync(abs, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size > max) return null;
    const chunk = (scratch ??= Buffer.allocUnsafeSlow(CHUNK));
    const common = Math.min(size, old.length);
    let head = 0;
    while (head < common) {
      const n = readSync(fd, chunk, 0, Math.min(CHUNK, common - head), head);
      if (n === 0) break;
      if (chunk.compare(old, head, head + n, 0, n) === 0) {
        head += n;
        continue;
      }
      head += samePrefix(chunk, 0, old, head, n);
      break;
    }
    let tail = 0;
    while (tail < common - head) {
      const step = Math.min(CHUNK, common - head - tail);
      if (readSync(fd, chunk, 0, step, size - tail - step) < step) break;
      if (chunk.compare(old, old.length - tail - step, old.length - tail, 0, step) === 0) {
        tail += step;
        continue;
      }
      tail += sameSuffix(chunk, step, old, old.length - tail, step);
      break;
    }
    beforeRewrite(head, tail, size);
    let buf: Buffer;
    if (old.buffer.byteLength - old.byteOffset >= size) {
      const room = Buffer.from(old.buffer, old.byteOffset, old.buffer.byteLength - old.byteOffset);
      room.copyWithin(size - tail, old.length - tail, old.length);
      buf = room.subarray(0, size);
    } else {
      buf = withRoom(size);
      old.copy(buf, 0, 0, head);
      old.copy(buf, size - tail, old.length - tail, old.length);
    }
    // The file cut short while read (a write in progress): its next event reads it again.
    if (readInto(fd, buf, head, size - tail) < size - tail) throw new Error('the file changed while it was read');
    return { buf, head, tail };
  } finally {
    closeSync(fd);
  }
}

/** Reads into buf[from, to); returns where the bytes read end. */
function readInto(fd: number, buf: Buffer, from: number, to: number): number {
  let at = from;
  while (at < to) {
    const n = readSync(fd, buf, at, to - at, at);
    if (n === 0) break;
    at += n;
  }
  return at;
}

// Found 4 KiB at a time (one native compare each), then byte by byte.
const BLOCK = 4096;

/** How many of the `n` bytes from a[ai] and b[bi] are the same before the first that differs. */
function samePrefix(a: Buffer, ai: number, b: Buffer, bi: number, n: number): number {
  let k = 0;
  while (k + BLOCK <= n && a.compare(b, bi + k, bi + k + BLOCK, ai + k, ai + k + BLOCK) === 0) k += BLOCK;
  while (k < n && a[ai + k] === b[bi + k]) k++;
  return k;
}

/** How many of the `n` bytes ending at a[aEnd] and b[bEnd] are the same after the last that differs. */
function sameSuffix(a: Buffer, aEnd: number, b: Buffer, bEnd: number, n: number): number {
  let k = 0;
  while (k + BLOCK <= n && a.compare(b, bEnd - k - BLOCK, bEnd - k, aEnd - k - BLOCK, aEnd - k) === 0) k += BLOCK;
  while (k < n && a[aEnd - 1 - k] === b[bEnd - 1 - k]) k++;
  return k;
}
