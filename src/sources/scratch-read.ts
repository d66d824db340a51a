// Reads whole files through one buffer reused from file to file (ScratchRead), for doc-reuse.ts;
// and readInto, the read loop it and doc-walk.ts share.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

// Files up to this size are read into one buffer reused from file to file (ScratchRead).
const SCRATCH_MAX = 1 << 20;

/**
 * Whole files read into one buffer reused from reading to reading, for a reader that keeps no
 * file's bytes once read (doc-reuse.ts keeps its documents' fingerprints). A buffer per file
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

/** Reads into buf[from, to) from the file's offset `pos` (default: `from`); returns where the bytes read end. */
export function readInto(fd: number, buf: Buffer, from: number, to: number, pos = from): number {
  let at = from;
  while (at < to) {
    const n = readSync(fd, buf, at, to - at, pos + (at - from));
    if (n === 0) break;
    at += n;
  }
  return at;
}
