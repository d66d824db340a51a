// Reads a new version of a large file against its last reading's document fingerprints
// (doc-hash.ts), without the old bytes: the old documents are looked for where they were, from the
// start (same offsets) and from the end (offsets moved by the change in length), each confirmed by
// its fingerprint and by a document marker where it ends (or begins); only the text between is
// kept, in a buffer of its own size, for doc-reuse.ts to split and parse. The file is read through
// one 1 MiB buffer reused from reading to reading: no 48 MB buffer per edit, and none held after.
//
// It is also where a write in progress is caught (when the caller allows it: `settle`): a reading
// of a file whose size or modification time changed while it was read, that was emptied, or whose
// last byte is no longer the line feed its last reading ended with is not used; the source reads it
// again once the writer is done (file.ts bounds the wait).
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { fingerprint, viewOf } from './doc-hash.ts';
import { isMarkerAt } from './yaml-split.ts';

/** What a walk needs of the file's last reading (doc-reuse.ts Remembered). */
export interface WalkFrom {
  readonly from: number;
  readonly spans: Float64Array;
  readonly prints: Uint32Array;
  readonly held: Uint8Array;
  /** the file's length, and its last byte (-1: it was empty) */
  readonly length: number;
  readonly lastByte: number;
}

export type Walk =
  | { readonly kind: 'over' }
  /** a write looks in progress: read again later */
  | { readonly kind: 'unsettled'; readonly why: string }
  /**
   * `buf`: the file's new bytes [midStart, midEnd) (the file is `size` bytes); the old documents
   * [0, k) are where they were, and [m, n) moved by `delta`.
   */
  | { readonly kind: 'walked'; readonly buf: Buffer; readonly size: number; readonly from: number; readonly k: number; readonly m: number; readonly delta: number; readonly midStart: number; readonly midEnd: number };

const CHUNK = 1 << 20;
const LF = 0x0a;
let scratch: Buffer | undefined;

const startOf = (spans: Float64Array, j: number): number => spans[2 * j] as number;
const endOf = (spans: Float64Array, j: number): number => spans[2 * j + 1] as number;

export function walkFile(abs: string, prev: WalkFrom, max: number, settle: boolean): Walk {
  const fd = openSync(abs, 'r');
  try {
    const before = fstatSync(fd);
    const size = before.size;
    if (size > max) return { kind: 'over' };
    if (settle && size === 0 && prev.length > prev.from) return { kind: 'unsettled', why: 'emptied' };
    const chunk = (scratch ??= Buffer.allocUnsafeSlow(CHUNK));
    const win = new Window(fd, size, chunk);
    if (settle && prev.lastByte === LF && win.byte(size - 1) !== LF) return { kind: 'unsettled', why: 'no line feed at the end' };
    const bom = size >= 3 && win.byte(0) === 0xef && win.byte(1) === 0xbb && win.byte(2) === 0xbf;
    const from = bom ? 3 : 0;
    const n = prev.spans.length >>> 1;
    const delta = size - prev.length;
    const digest = new Uint32Array(2);
    const views = new Map<Buffer, DataView>();
    const same = (b: Buffer, s: number, e: number, j: number): boolean => {
      let v = views.get(b);
      if (v === undefined) views.set(b, (v = viewOf(b)));
      fingerprint(b, v, s, e, digest, 0);
      return digest[0] === prev.prints[2 * j] && digest[1] === prev.prints[2 * j + 1];
    };
    let k = 0;
    // Documents at their old offsets, each followed by a marker (or the end of the file).
    while (from === prev.from && k < n && prev.held[k] === 1) {
      const s = startOf(prev.spans, k);
      const e = endOf(prev.spans, k);
      if (e > size) break;
      const b = win.cover(s, Math.min(size, e + 4), true);
      // (a file cut short since its size was read: what the buffer holds past the end is stale)
      if (e > win.end || !same(b, s - win.at, e - win.at, k)) break;
      if (e < size && !isMarkerAt(b, e - win.at)) break;
      k++;
    }
    const headEnd = k === 0 ? from : endOf(prev.spans, k - 1);
    let m = n;
    // Documents at their old offsets moved by `delta`, from the end, each after a line feed and starting with a marker.
    while (from === prev.from && m > k && prev.held[m - 1] === 1) {
      const s = startOf(prev.spans, m - 1) + delta;
      const e = endOf(prev.spans, m - 1) + delta;
      if (s < headEnd) break;
      const b = win.cover(Math.max(0, s - 1), e, false);
      if (e > win.end || !same(b, s - win.at, e - win.at, m - 1)) break;
      if (s > from && (b[s - 1 - win.at] !== LF || !isMarkerAt(b, s - win.at))) break;
      m--;
    }
    const midEnd = m === n ? size : startOf(prev.spans, m) + delta;
    // Only the text between: a file-sized buffer per edit was 48 MB of external memory for V8 to
    // account for, and full collections of a 190 MiB heap followed.
    const buf = Buffer.allocUnsafeSlow(midEnd - headEnd);
    if (readInto(fd, buf, 0, buf.length, headEnd) < buf.length) return { kind: 'unsettled', why: 'cut short while read' };
    const after = fstatSync(fd);
    if (settle && (after.size !== size || after.mtimeMs !== before.mtimeMs)) return { kind: 'unsettled', why: 'changed while read' };
    return { kind: 'walked', buf, size, from, k, m, delta, midStart: headEnd, midEnd };
  } finally {
    closeSync(fd);
  }
}

/** A view of the file through the reused chunk: [at, at + length) of the file. */
class Window {
  at = 0;
  #length = 0;
  #buf: Buffer;

  constructor(
    readonly fd: number,
    readonly size: number,
    readonly chunk: Buffer,
  ) {
    this.#buf = chunk;
  }

  /** Where the bytes read end. */
  get end(): number {
    return this.at + this.#length;
  }

  byte(offset: number): number {
    if (offset < 0 || offset >= this.size) return -1;
    const b = this.cover(offset, offset + 1, true);
    return offset < this.end ? (b[offset - this.at] as number) : -1;
  }

  /** A buffer holding the file's [s, e) at [s - at, e - at): read ahead from s (`forward`) or back from e. */
  cover(s: number, e: number, forward: boolean): Buffer {
    if (s >= this.at && e <= this.at + this.#length) return this.#buf;
    const want = e - s;
    this.#buf = want > this.chunk.length ? Buffer.allocUnsafe(want) : this.chunk;
    const len = Math.max(want, Math.min(this.#buf.length, forward ? this.size - s : e));
    this.at = forward ? s : e - len;
    this.#length = readInto(this.fd, this.#buf.subarray(0, len), 0, len, this.at);
    return this.#buf;
  }
}

/** Reads into buf[from, to) from the file's offset `pos` (default: `from`); returns where the bytes read end. */
function readInto(fd: number, buf: Buffer, from: number, to: number, pos = from): number {
  let at = from;
  while (at < to) {
    const n = readSync(fd, buf, at, to - at, pos + (at - from));
    if (n === 0) break;
    at += n;
  }
  return at;
}
