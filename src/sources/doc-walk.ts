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
import { closeSync, fstatSync, openSync } from 'node:fs';
import { fingerprint, viewOf } from './doc-hash.ts';
import { readInto } from './scratch-read.ts';
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
let scratchView: DataView | undefined;

/** Document j's start and end in packed spans (WalkFrom.spans: start, end, start, end ...). */
export const startOf = (spans: Float64Array, j: number): number => spans[2 * j] as number;
export const endOf = (spans: Float64Array, j: number): number => spans[2 * j + 1] as number;

/** A window on the file through the reused chunk (made on first use, with its view). */
function windowOn(fd: number, size: number): Window {
  scratch ??= Buffer.allocUnsafeSlow(CHUNK);
  scratchView ??= viewOf(scratch);
  return new Window(fd, size, scratch, scratchView);
}

export function walkFile(abs: string, prev: WalkFrom, max: number, settle: boolean): Walk {
  const fd = openSync(abs, 'r');
  try {
    const before = fstatSync(fd);
    const size = before.size;
    if (size > max) return { kind: 'over' };
    if (settle && size === 0 && prev.length > prev.from) return { kind: 'unsettled', why: 'emptied' };
    const win = windowOn(fd, size);
    if (settle && prev.lastByte === LF && win.byte(size - 1) !== LF) return { kind: 'unsettled', why: 'no line feed at the end' };
    const bom = size >= 3 && win.byte(0) === 0xef && win.byte(1) === 0xbb && win.byte(2) === 0xbf;
    const from = bom ? 3 : 0;
    const n = prev.spans.length >>> 1;
    const delta = size - prev.length;
    const k = from === prev.from ? matchFromStart(win, prev.spans, prev.prints, prev.held, n) : 0;
    const headEnd = k === 0 ? from : endOf(prev.spans, k - 1);
    const m = from === prev.from ? matchFromEnd(win, prev.spans, prev.prints, prev.held, n, k, headEnd, from, delta) : n;
    const midEnd = m === n ? size : startOf(prev.spans, m) + delta;
    // Only the text between, copied out of the window when a walk read it there: a file-sized buffer
    // per edit was 48 MB of external memory for V8 to account for, and full collections followed.
    const buf = Buffer.allocUnsafeSlow(midEnd - headEnd);
    if (!win.copyOut(buf, headEnd) && readInto(fd, buf, 0, buf.length, headEnd) < buf.length) return { kind: 'unsettled', why: 'cut short while read' };
    const after = fstatSync(fd);
    if (settle && (after.size !== size || after.mtimeMs !== before.mtimeMs)) return { kind: 'unsettled', why: 'changed while read' };
    return { kind: 'walked', buf, size, from, k, m, delta, midStart: headEnd, midEnd };
  } finally {
    closeSync(fd);
  }
}

// A warm-up walk confirms this many documents from each end, this many times over: V8 optimises a
// function it has seen called often, and a single long call only in the middle of its loop.
const WARM_DOCS = 400;
const WARM_ROUNDS = 6;
let warmed = false;

/**
 * Walks a file just read (`prev`: what is remembered of that reading) from both ends, a few
 * thousand documents' worth, reading it as a walk does, so that a process's first edit of a large
 * file runs the walk's loops optimised rather than interpreted, and no read path unseen before
 * throws the optimised code away. Once per process; errors are the next reading's to report.
 */
export function warmWalk(abs: string, prev: WalkFrom): void {
  if (warmed) return;
  warmed = true;
  let fd = -1;
  try {
    fd = openSync(abs, 'r');
    const size = fstatSync(fd).size;
    if (size !== prev.length) return;
    const win = windowOn(fd, size);
    const n = prev.spans.length >>> 1;
    const k = Math.max(0, n - WARM_DOCS);
    for (let round = 0; round < WARM_ROUNDS; round++) {
      matchFromStart(win, prev.spans, prev.prints, prev.held, Math.min(n, WARM_DOCS));
      matchFromEnd(win, prev.spans, prev.prints, prev.held, n, k, k === 0 ? prev.from : startOf(prev.spans, k), prev.from, 0);
    }
  } catch {
    // (only a warm-up)
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

const digest = new Uint32Array(2);

/** Whether the file's [s, e), held by `b` at [s - win.at, e - win.at), has old document j's fingerprint. */
function samePrint(win: Window, b: Buffer, s: number, e: number, prints: Uint32Array, j: number): boolean {
  fingerprint(b, win.view, s - win.at, e - win.at, digest, 0);
  return digest[0] === prints[2 * j] && digest[1] === prints[2 * j + 1];
}

// (the old reading's arrays, not the object holding them: its numbers may be small integers in one
// reading and not in the next, and V8 then throws away code that assumed its shape)

/** How many old documents are where they were, from the start, each followed by a marker (or the end of the file). */
function matchFromStart(win: Window, spans: Float64Array, prints: Uint32Array, held: Uint8Array, n: number): number {
  const size = win.size;
  let k = 0;
  while (k < n && held[k] === 1) {
    const s = startOf(spans, k);
    const e = endOf(spans, k);
    if (e > size) break;
    const b = win.cover(s, Math.min(size, e + 4), true);
    // (a file cut short since its size was read: what the buffer holds past the end is stale)
    if (e > win.end || !samePrint(win, b, s, e, prints, k)) break;
    if (e < size && !isMarkerAt(b, e - win.at)) break;
    k++;
  }
  return k;
}

/** Where the old documents [m, n) begin that are at their old offsets moved by `delta`, each after a line feed and starting with a marker. */
function matchFromEnd(win: Window, spans: Float64Array, prints: Uint32Array, held: Uint8Array, n: number, k: number, headEnd: number, from: number, delta: number): number {
  let m = n;
  while (m > k && held[m - 1] === 1) {
    const s = startOf(spans, m - 1) + delta;
    const e = endOf(spans, m - 1) + delta;
    if (s < headEnd) break;
    const b = win.cover(Math.max(0, s - 1), e, false);
    if (e > win.end || !samePrint(win, b, s, e, prints, m - 1)) break;
    if (s > from && (b[s - 1 - win.at] !== LF || !isMarkerAt(b, s - win.at))) break;
    m--;
  }
  return m;
}

/** A view of the file through the reused chunk: [at, at + length) of the file. */
class Window {
  // Offsets are numbers that may not be small integers: kept in a typed array, so that a field
  // going from integer to double never changes the object's shape and throws away optimised code.
  readonly #range = new Float64Array(3);
  #buf: Buffer;
  /** what fingerprint() reads the buffer through */
  view: DataView;

  constructor(
    readonly fd: number,
    size: number,
    readonly chunk: Buffer,
    readonly chunkView: DataView,
  ) {
    this.#buf = chunk;
    this.view = chunkView;
    this.#range[2] = size;
  }

  /** The file's size when the walk began. */
  get size(): number {
    return this.#range[2] as number;
  }

  /** Where the bytes read begin. */
  get at(): number {
    return this.#range[0] as number;
  }

  /** Where the bytes read end. */
  get end(): number {
    return (this.#range[0] as number) + (this.#range[1] as number);
  }

  byte(offset: number): number {
    if (offset < 0 || offset >= this.size) return -1;
    const b = this.cover(offset, offset + 1, true);
    return offset < this.end ? (b[offset - this.at] as number) : -1;
  }

  /**
   * A buffer holding the file's [s, e) at [s - at, e - at): read ahead from s (`forward`) or back
   * from e; a file that fits the chunk is read whole, once.
   */
  cover(s: number, e: number, forward: boolean): Buffer {
    if (s >= this.at && e <= this.end) return this.#buf;
    const want = e - s;
    const wide = want > this.chunk.length;
    this.#buf = wide ? Buffer.allocUnsafe(want) : this.chunk;
    this.view = wide ? viewOf(this.#buf) : this.chunkView;
    const whole = this.size <= this.#buf.length;
    const len = whole ? this.size : Math.max(want, Math.min(this.#buf.length, forward ? this.size - s : e));
    const at = whole ? 0 : forward ? s : e - len;
    this.#range[0] = at;
    this.#range[1] = readInto(this.fd, this.#buf.subarray(0, len), 0, len, at);
    return this.#buf;
  }

  /** Copies the file's [at, at + out.length) into `out` if the bytes read hold it (no read). */
  copyOut(out: Buffer, at: number): boolean {
    if (at < this.at || at + out.length > this.end) return false;
    this.#buf.copy(out, 0, at - this.at, at - this.at + out.length);
    return true;
  }
}
