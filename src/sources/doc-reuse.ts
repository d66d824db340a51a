// Reads large YAML files document by document and parses only the documents whose bytes changed
// since the file's last reading (the reader's half of the per-document parse cache; the consumer's
// half, doc-cache.ts, holds the parsed entries). Each reading gets a token; a document whose bytes
// equal one of the last reading's is not parsed when the consumer says it holds that reading
// (`held`, the token) and the document had no rejection (the consumer holds only those). The
// consumer naming the reading keeps the two halves in step whatever happens to a reading on the
// way (a worker that died, a file that failed): any other token, and every document is parsed.
//
// What is remembered per file is where its documents were and each one's fingerprint (doc-hash.ts,
// 8 bytes), never its bytes: a 47.6 MB file held as bytes was 45 MiB of the gateway's RSS. A file of
// WALK_FROM bytes or more is read again by a walk (doc-walk.ts): its old documents are looked for
// at their old offsets from both ends, so only the changed text between is split and kept; a
// smaller one is read whole and split. Line numbers are not part of a document's identity: a
// document is parsed with its lines only when it has a rejection (the only entries that carry
// lines), so one that moved down is reported where it now is (doc-cache.ts parses rejected
// documents on every reading).
import { readFileSync } from 'node:fs';
import { ScratchRead } from './scratch-read.ts';
import { fingerprint, FINGERPRINT_BYTES, viewOf } from './doc-hash.ts';
import { endOf, startOf, walkFile, warmWalk, type WalkFrom } from './doc-walk.ts';
import type { DocEntry } from './yaml-docs.ts';
import { parseConfigText } from './yaml-docs.ts';
import { interned } from './yaml-detached.ts';
import { cannotRead, parseWholeText, tooLarge, tooMany, type ConfigLimits, type FileRead } from './read-file.ts';
import { countLines, splitDocuments, type DocSpan } from './yaml-split.ts';
import type { Rejection } from '../api/types.ts';

/** One file to read, and the reading whose documents' entries the consumer holds. */
export interface ReuseJob {
  readonly abs: string;
  readonly rel: string;
  readonly size: number;
  readonly held?: number;
  /** the reading may be refused as a write in progress (FileRead `unsettled`): see doc-walk.ts */
  readonly settle?: boolean;
}

/** What is remembered of a file's last reading (handed from one reader to another: see handOver). */
export interface Remembered extends WalkFrom {
  /** this reading's token (SplitDocs.reading) */
  readonly reading: number;
  /** entries (List items count) per document */
  readonly counts: Uint32Array;
}

/** Where a changed document's old version is looked for: the last reading's documents [lo, hi). */
interface Candidates {
  readonly lo: number;
  readonly hi: number;
  /** fingerprint key -> indices, made when a document is not where it was */
  byKey?: Map<string, number[]>;
}

const BOM = [0xef, 0xbb, 0xbf];
const PRINT_WORDS = FINGERPRINT_BYTES / 4;

const spanCount = (spans: Float64Array): number => spans.length >>> 1;

function packSpans(spans: readonly DocSpan[]): Float64Array {
  const packed = new Float64Array(spans.length * 2);
  spans.forEach((s, j) => {
    packed[2 * j] = s.start;
    packed[2 * j + 1] = s.end;
  });
  return packed;
}

// Files this large or larger, read before, are read again by a walk (doc-walk.ts); smaller ones are
// read whole (a split of a few megabytes costs little).
const WALK_FROM = 1024 * 1024;

export class DocReuse {
  readonly #files = new Map<string, Remembered>();
  #nextId: number;
  readonly #walkFrom: number;
  /** what files not remembered by their bytes are read into */
  readonly #scratch = new ScratchRead();

  /**
   * `firstId`: reading tokens start here (a new reader starts above the tokens an earlier one gave out);
   * `walkFrom`: files this large or larger are read again by a walk (default WALK_FROM)
   */
  constructor(firstId = 1, options: { walkFrom?: number } = {}) {
    this.#nextId = firstId;
    this.#walkFrom = options.walkFrom ?? WALK_FROM;
  }

  forget(rel: string): void {
    this.#files.delete(rel);
  }

  /** Whether `rel` is remembered here (its next reading can skip the documents it left alone). */
  has(rel: string): boolean {
    return this.#files.has(rel);
  }

  /** The files remembered here. */
  files(): string[] {
    return [...this.#files.keys()];
  }

  /**
   * What is remembered of `rel`, taken out of this reader for another (adopt): the consumer's
   * token names that reading, so the other reader parses only the documents an edit changed
   * (the parse worker hands back what it read of a file this way: parse-worker.ts).
   */
  handOver(rel: string): Remembered | undefined {
    const r = this.#files.get(rel);
    this.#files.delete(rel);
    return r;
  }

  /** `abs`: where the file is, when this thread will walk its next versions (the walk is warmed up). */
  adopt(rel: string, r: Remembered, abs?: string): void {
    this.#files.set(rel, r);
    if (abs !== undefined && r.length >= this.#walkFrom) warmWalk(abs, r);
  }

  read(job: ReuseJob, limits: ConfigLimits): FileRead {
    const pieces = this.readPieces(job, limits, Number.POSITIVE_INFINITY);
    const before: DocEntry[] = [];
    for (;;) {
      const step = pieces.next();
      if (step.done) return withEntriesBefore(before, step.value);
      for (const e of step.value) before.push(e);
    }
  }

  /** As read(), letting the event loop run between pieces of `pieceBytes` of text parsed. */
  async readYielding(job: ReuseJob, limits: ConfigLimits, pieceBytes: number): Promise<FileRead> {
    const pieces = this.readPieces(job, limits, pieceBytes);
    const before: DocEntry[] = [];
    for (;;) {
      const step = pieces.next();
      if (step.done) return withEntriesBefore(before, step.value);
      for (const e of step.value) before.push(e);
      await new Promise<void>((r) => setImmediate(r));
    }
  }

  /**
   * The reading of `job`, its parsed entries given out a piece at a time as their documents' text
   * adds up to `pieceBytes` (the parse worker sends each piece on, so that it never holds a large
   * file's entries at once); the reading returned holds the entries not given out yet.
   */
  *readPieces(job: ReuseJob, limits: ConfigLimits, pieceBytes: number): Generator<readonly DocEntry[], FileRead, void> {
    let lent: Buffer | undefined;
    try {
      return yield* this.#readPieces(job, limits, pieceBytes, (buf) => (lent = buf));
    } finally {
      if (lent !== undefined) this.#scratch.release(lent);
    }
  }

  /** readPieces, `lend` told of a buffer lent by the scratch reader (given back when the reading ends). */
  *#readPieces(job: ReuseJob, limits: ConfigLimits, pieceBytes: number, lend: (buf: Buffer) => void): Generator<readonly DocEntry[], FileRead, void> {
    const prev = this.#files.get(job.rel);
    const usable = prev !== undefined && job.held === prev.reading ? prev : undefined;
    let buf: Buffer;
    // A walk's buffer holds the file's bytes from `base` on (the text between the old documents): offsets stay the file's.
    let base = 0;
    let size: number;
    let from: number | undefined;
    let edited: Edited | undefined;
    /** The whole file through the scratch reader (null: over the limit). */
    const readWhole = (): Buffer | null => {
      const read = this.#scratch.read(job.abs, limits.maxFileBytes);
      if (read !== null && this.#scratch.owns(read)) lend(read);
      return read;
    };
    try {
      if (job.size > limits.maxFileBytes) return tooLarge(limits);
      // (a large file caught short, as a write in place begins, is walked too: its reading may be refused)
      const walk = usable !== undefined && Math.max(job.size, usable.length) >= this.#walkFrom ? walkFile(job.abs, usable, limits.maxFileBytes, job.settle === true) : undefined;
      if (walk?.kind === 'over') return tooLarge(limits);
      if (walk?.kind === 'unsettled') return job.settle === true ? { kind: 'unsettled', why: walk.why } : cannotRead(new Error('the file changed while it was read'));
      if (walk !== undefined && usable !== undefined) {
        buf = walk.buf;
        base = walk.midStart;
        size = walk.size;
        from = walk.from;
        edited = editedSpans(usable, walk.buf, walk);
        if (edited === undefined) {
          // The text between cannot be split: the file is read whole and split.
          const read = readWhole();
          if (read === null) return tooLarge(limits);
          buf = read;
          base = 0;
          size = read.length;
          from = undefined;
        } else if (job.settle === true && lastCutShort(usable, edited)) return { kind: 'unsettled', why: 'documents missing at the end' };
      } else {
        const read = readWhole();
        if (read === null) return tooLarge(limits);
        buf = read;
        size = read.length;
      }
    } catch (err) {
      return cannotRead(err);
    }
    if (size > limits.maxFileBytes) return tooLarge(limits);
    from ??= buf[0] === BOM[0] && buf[1] === BOM[1] && buf[2] === BOM[2] ? 3 : 0;
    const split = edited !== undefined || /\.json$/i.test(job.rel) ? undefined : splitDocuments(buf, from);
    const spans = edited?.spans ?? (split === undefined ? undefined : packSpans(split));
    if (spans === undefined) {
      this.#files.delete(job.rel);
      return parseWholeText(buf.toString('utf8', from), job.rel, limits);
    }
    if (spanCount(spans) > limits.maxDocuments) return tooMany(limits);
    return yield* this.#readSplit(job, usable, { buf, base, size }, from, spans, edited, limits, pieceBytes);
  }

  /**
   * `edited.same[i]`: the index of a document of the last reading with new document i's bytes, or
   * -1: then it is looked for among `edited.candidates` (all of the last reading's without `edited`).
   */
  *#readSplit(job: ReuseJob, usable: Remembered | undefined, bytes: Text, from: number, spans: Float64Array, edited: Edited | undefined, limits: ConfigLimits, pieceBytes: number): Generator<readonly DocEntry[], FileRead, void> {
    const same = edited?.same;
    const candidates: Candidates = edited?.candidates ?? { lo: 0, hi: usable === undefined ? 0 : spanCount(usable.spans) };
    let { buf, base } = bytes;
    const prints = edited?.prints ?? fingerprints(buf, spans);
    const count = spanCount(spans);
    const held = new Uint8Array(count);
    const counts = new Uint32Array(count);
    const reused: number[] = [];
    let runAt = -1;
    let runFrom = -1;
    let runLength = 0;
    let entries: DocEntry[] = [];
    const syntaxErrors: Rejection[] = [];
    let into = interned();
    let parsedBytes = 0;
    let pieceAt = 0;
    let total = 0;
    let shift = 0;
    // Lines are counted only up to the rejected documents, in one pass over the file.
    let linesAt = from;
    let lines = 0;
    // Documents [i, i + length) are the last reading's [j, j + length): taken over without a parse.
    const reuse = (i: number, j: number, length: number): void => {
      const prevCounts = (usable as Remembered).counts;
      held.fill(1, i, i + length);
      counts.set(prevCounts.subarray(j, j + length), i);
      total += sumOf(prevCounts, j, j + length);
      if (runLength > 0 && i === runAt + runLength && j === runFrom + runLength) runLength += length;
      else {
        if (runLength > 0) reused.push(runAt, runFrom, runLength);
        runAt = i;
        runFrom = j;
        runLength = length;
      }
      shift = j - i;
    };
    for (let i = 0; i < count; i++) {
      const hint = same === undefined ? -1 : (same[i] as number);
      if (hint >= 0 && usable !== undefined && usable.held[hint] === 1) {
        // The walk's documents come in runs (the ends of the file): taken a run at a time.
        const length = heldRun(same as Int32Array, usable.held, i, hint);
        reuse(i, hint, length);
        i += length - 1;
        continue;
      }
      const j = usable === undefined || hint >= 0 ? -1 : samePrint(usable, prints, i, i + shift, candidates);
      if (j >= 0) {
        reuse(i, j, 1);
        continue;
      }
      const start = startOf(spans, i);
      const end = endOf(spans, i);
      const text = buf.toString('utf8', start - base, end - base);
      let parsed = parseConfigText(text, job.rel, { doc: i, line: 0, into });
      if (parsed.entries.some((e) => e.outcome.kind === 'rejected')) {
        // A walk read only the text between the old documents: the lines above are read now.
        if (linesAt < base) {
          buf = readFileSync(job.abs);
          base = 0;
        }
        lines += countLines(buf, linesAt - base, start - base);
        linesAt = start;
        parsed = parseConfigText(text, job.rel, { doc: i, line: lines, into });
      }
      for (const e of parsed.entries) entries.push(e);
      if (parsed.syntaxErrors !== undefined) syntaxErrors.push(...parsed.syntaxErrors);
      if (!parsed.entries.some((e) => e.outcome.kind === 'rejected')) held[i] = 1;
      counts[i] = parsed.entries.length;
      total += parsed.entries.length;
      parsedBytes += end - start;
      if (total > limits.maxDocuments) return tooMany(limits);
      if (parsedBytes - pieceAt >= pieceBytes) {
        pieceAt = parsedBytes;
        const piece = entries;
        entries = [];
        // Values are shared within a piece only: the table holds every value it has seen, and
        // each piece is cloned into the main thread on its own (sharing across them is lost there).
        into = interned();
        yield piece;
      }
    }
    if (runLength > 0) reused.push(runAt, runFrom, runLength);
    if (total > limits.maxDocuments) return tooMany(limits);
    const reading = this.#nextId++;
    const length = bytes.size;
    // (the last byte is in the text a walk read, or in the last old document: its last byte is the old one)
    const lastByte = length === 0 ? -1 : edited !== undefined && edited.midEnd < length ? (usable as Remembered).lastByte : (buf[length - 1 - base] as number);
    const remembered: Remembered = { from, spans, prints, length, lastByte, reading, held, counts };
    this.#files.set(job.rel, remembered);
    // (the next reading of a file this large is a walk)
    if (edited === undefined && length >= this.#walkFrom) warmWalk(job.abs, remembered);
    return {
      kind: 'parsed',
      parsed: syntaxErrors.length === 0 ? { entries } : { entries, syntaxErrors },
      bytes: length - from,
      docs: { reading, count, reused, parsedBytes },
    };
  }
}

/** A file's bytes from `base` on (all of them when 0), and its size. */
interface Text {
  readonly buf: Buffer;
  readonly base: number;
  readonly size: number;
}

/** A reading with the entries given out before it (readPieces) in front of its own. */
function withEntriesBefore(before: readonly DocEntry[], read: FileRead): FileRead {
  if (before.length === 0 || read.kind !== 'parsed') return read;
  return { ...read, parsed: { ...read.parsed, entries: [...before, ...read.parsed.entries] } };
}

/**
 * The documents of a new version of a large file, found by a walk (doc-walk.ts): the old documents
 * [0, k) where they were, [m, n) moved by the change in length, and between them the text read,
 * split here. Undefined when that text cannot be split (see splitDocuments).
 */
interface Edited {
  /** packed as Remembered.spans */
  readonly spans: Float64Array;
  readonly same: Int32Array;
  /** every document's fingerprint: the old ones' carried over */
  readonly prints: Uint32Array;
  /** the old documents between the ends */
  readonly candidates: Candidates;
  /** the text read: [midStart, midEnd) */
  readonly midStart: number;
  readonly midEnd: number;
  /** how many new documents the text between holds */
  readonly middle: number;
}

/** `buf`: the file's [midStart, midEnd). */
function editedSpans(prev: Remembered, buf: Buffer, walk: { k: number; m: number; delta: number; midStart: number; midEnd: number }): Edited | undefined {
  const { k, m, delta, midStart, midEnd } = walk;
  const n = spanCount(prev.spans);
  const middle = midStart >= midEnd ? [] : splitDocuments(buf, 0, midEnd - midStart);
  if (middle === undefined) return undefined;
  const count = k + middle.length + (n - m);
  const spans = new Float64Array(count * 2);
  spans.set(prev.spans.subarray(0, 2 * k));
  const prints = new Uint32Array(count * PRINT_WORDS);
  prints.set(prev.prints.subarray(0, PRINT_WORDS * k));
  const view = viewOf(buf);
  middle.forEach((s, i) => {
    spans[2 * (k + i)] = s.start + midStart;
    spans[2 * (k + i) + 1] = s.end + midStart;
    fingerprint(buf, view, s.start, s.end, prints, PRINT_WORDS * (k + i));
  });
  const tailAt = k + middle.length;
  spans.set(prev.spans.subarray(2 * m, 2 * n), 2 * tailAt);
  prints.set(prev.prints.subarray(PRINT_WORDS * m, PRINT_WORDS * n), PRINT_WORDS * tailAt);
  if (delta !== 0) for (let x = 2 * tailAt; x < spans.length; x++) spans[x] = (spans[x] as number) + delta;
  const same = new Int32Array(count).fill(-1);
  for (let i = 0; i < k; i++) same[i] = i;
  for (let j = m, i = tailAt; j < n; j++, i++) same[i] = j;
  return { spans, same, prints, candidates: { lo: k, hi: m }, midStart, midEnd, middle: middle.length };
}

/**
 * A reading that looks like a file cut short by a write in progress: fewer documents than the last
 * reading, and the last one new (not one of the old documents, as a file cut mid-document ends).
 */
function lastCutShort(prev: Remembered, edited: Edited): boolean {
  const count = spanCount(edited.spans);
  if (count >= spanCount(prev.spans) || edited.same[count - 1] !== -1) return false;
  const last = count - 1;
  for (let j = edited.candidates.lo; j < edited.candidates.hi; j++) if (samePrintAt(prev.prints, j, edited.prints, last)) return false;
  return true;
}

/** Each document's fingerprint, in document order. */
function fingerprints(buf: Buffer, spans: Float64Array): Uint32Array {
  const count = spanCount(spans);
  const out = new Uint32Array(count * PRINT_WORDS);
  const view = viewOf(buf);
  for (let i = 0; i < count; i++) fingerprint(buf, view, startOf(spans, i), endOf(spans, i), out, i * PRINT_WORDS);
  return out;
}

/** How many documents from i on are the last reading's from j on, each held (`same` as Edited.same). */
function heldRun(same: Int32Array, held: Uint8Array, i: number, j: number): number {
  let length = 1;
  while (i + length < same.length && same[i + length] === j + length && held[j + length] === 1) length++;
  return length;
}

function sumOf(a: Uint32Array, from: number, to: number): number {
  let sum = 0;
  for (let x = from; x < to; x++) sum += a[x] as number;
  return sum;
}

const samePrintAt = (a: Uint32Array, j: number, b: Uint32Array, i: number): boolean => a[PRINT_WORDS * j] === b[PRINT_WORDS * i] && a[PRINT_WORDS * j + 1] === b[PRINT_WORDS * i + 1];
const printKey = (p: Uint32Array, i: number): string => `${p[PRINT_WORDS * i]}:${p[PRINT_WORDS * i + 1]}`;

/**
 * The index of a document of the last reading with new document i's fingerprint, held by the
 * consumer: the one at `guess` (where it would be had nothing moved) or, failing that, any; -1 if none.
 */
function samePrint(prev: Remembered, prints: Uint32Array, i: number, guess: number, among: Candidates): number {
  const equal = (j: number): boolean => j >= among.lo && j < among.hi && prev.held[j] === 1 && samePrintAt(prev.prints, j, prints, i);
  if (equal(guess)) return guess;
  if (among.byKey === undefined) {
    const byKey = new Map<string, number[]>();
    for (let j = among.lo; j < among.hi; j++) {
      const key = printKey(prev.prints, j);
      const list = byKey.get(key);
      if (list === undefined) byKey.set(key, [j]);
      else list.push(j);
    }
    among.byKey = byKey;
  }
  for (const j of among.byKey.get(printKey(prints, i)) ?? []) if (equal(j)) return j;
  return -1;
}
