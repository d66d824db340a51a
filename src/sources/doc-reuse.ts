// Reads large YAML files document by document and parses only the documents whose bytes changed
// since the file's last reading (the reader's half of the per-document parse cache; the consumer's
// half, doc-cache.ts, holds the parsed entries). Each reading gets a token; a document whose bytes
// equal one of the last reading's is not parsed when the consumer says it holds that reading
// (`held`, the token) and the document had no rejection (the consumer holds only those). The
// consumer naming the reading keeps the two halves in step whatever happens to a reading on the
// way (a worker that died, a file that failed): any other token, and every document is parsed.
//
// What is remembered per file is where its documents were and, for a file of KEEP_BYTES or more,
// its last bytes: comparing bytes (memcmp) costs a few milliseconds for 50 MB, where hashing them
// cost ~120 ms here (SHA-1 alone is ~80 ms for 47.6 MB under load). Such a file is read again over
// those bytes (doc-reread.ts), so that only one copy of it is ever held. Smaller files keep a
// SHA-1 of each document instead (~1 ms per 400 KB), so that 500 files of 500 documents do not
// hold their text twice (parsed and as bytes). Line
// numbers are not part of a document's identity: a document is parsed with its lines only when it
// has a rejection (the only entries that carry lines), so one that moved down is reported where it
// now is (doc-cache.ts parses rejected documents on every reading).
import { hash } from 'node:crypto';
import { readWhole, rereadOver, ScratchRead, withRoom } from './doc-reread.ts';
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
}

/** What is remembered of a file's last reading (handed from one reader to another: see handOver). */
export interface Remembered {
  /** the file's bytes (KEEP_BYTES or more), or each document's SHA-1 (HASH_BYTES each, in document order) */
  readonly buf?: Buffer;
  readonly hashes?: Buffer;
  /** where the text starts (after a byte order mark) */
  readonly from: number;
  /** the documents' spans, two numbers each (start, end): no object per document */
  readonly spans: Float64Array;
  /** this reading's token (SplitDocs.reading) */
  readonly reading: number;
  /** by document: 1 when the consumer holds its entries (it had no rejection) */
  readonly held: Uint8Array;
  /** entries (List items count) per document */
  readonly counts: Uint32Array;
}

/** Where a changed document's old version is looked for: the last reading's documents [lo, hi). */
interface Candidates {
  readonly lo: number;
  readonly hi: number;
  /** their old bytes (the file's from `offset`), when the file is remembered by its bytes */
  readonly bytes?: Buffer;
  readonly offset?: number;
  /** span key (see keyOf) -> indices, made when a document is not where it was */
  byKey?: Map<string, number[]>;
}

const BOM = [0xef, 0xbb, 0xbf];
const HASH_BYTES = 20;

const spanCount = (spans: Float64Array): number => spans.length >>> 1;
const startOf = (spans: Float64Array, j: number): number => spans[2 * j] as number;
const endOf = (spans: Float64Array, j: number): number => spans[2 * j + 1] as number;

function packSpans(spans: readonly DocSpan[]): Float64Array {
  const packed = new Float64Array(spans.length * 2);
  spans.forEach((s, j) => {
    packed[2 * j] = s.start;
    packed[2 * j + 1] = s.end;
  });
  return packed;
}

/** A buffer that crossed threads arrives as a plain Uint8Array. */
function asBuffer(u8: Uint8Array | undefined): Buffer | undefined {
  return u8 === undefined || Buffer.isBuffer(u8) ? u8 : Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}
const KEEP_BYTES = 8 * 1024 * 1024;

export class DocReuse {
  readonly #files = new Map<string, Remembered>();
  #nextId: number;
  readonly #keepBytes: number;
  /** what files not remembered by their bytes are read into */
  readonly #scratch = new ScratchRead();

  /**
   * `firstId`: reading tokens start here (a new reader starts above the tokens an earlier one gave out);
   * `keepBytesFrom`: files this large or larger are remembered by their bytes (default KEEP_BYTES)
   */
  constructor(firstId = 1, options: { keepBytesFrom?: number } = {}) {
    this.#nextId = firstId;
    this.#keepBytes = options.keepBytesFrom ?? KEEP_BYTES;
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

  adopt(rel: string, r: Remembered): void {
    const buf = asBuffer(r.buf);
    const hashes = asBuffer(r.hashes);
    this.#files.set(rel, buf === r.buf && hashes === r.hashes ? r : { ...r, ...(buf !== undefined && { buf }), ...(hashes !== undefined && { hashes }) });
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
    let usable = prev !== undefined && job.held === prev.reading ? prev : undefined;
    let buf: Buffer;
    let ends: Ends | undefined;
    try {
      if (job.size > limits.maxFileBytes) return tooLarge(limits);
      if (usable?.buf !== undefined) {
        // Its bytes are rewritten from here: forgotten until this reading is remembered.
        this.#files.delete(job.rel);
        const old = usable;
        const oldLength = (old.buf as Buffer).length;
        const again = rereadOver(job.abs, old.buf as Buffer, limits.maxFileBytes, (head, tail, size) => (ends = unchangedEnds(old, head, tail, oldLength, size)));
        if (again === null) return tooLarge(limits);
        buf = again.buf;
      } else {
        const read = job.size >= this.#keepBytes ? readWhole(job.abs, limits.maxFileBytes) : this.#scratch.read(job.abs, limits.maxFileBytes);
        if (read === null) return tooLarge(limits);
        if (this.#scratch.owns(read)) lend(read);
        // Grown past KEEP_BYTES since it was found: remembered by its bytes, which must be its own.
        buf = read.length >= this.#keepBytes && this.#scratch.owns(read) ? copied(read) : read;
      }
    } catch (err) {
      return cannotRead(err);
    }
    if (buf.length > limits.maxFileBytes) return tooLarge(limits);
    const from = buf[0] === BOM[0] && buf[1] === BOM[1] && buf[2] === BOM[2] ? 3 : 0;
    // A byte order mark added or removed: every document is parsed (its old bytes are gone).
    if (ends !== undefined && usable?.from !== from) usable = ends = undefined;
    const edited = ends !== undefined && usable !== undefined ? editedSpans(usable, ends, buf) : undefined;
    const split = edited !== undefined || /\.json$/i.test(job.rel) ? undefined : splitDocuments(buf, from);
    const spans = edited?.spans ?? (split === undefined ? undefined : packSpans(split));
    if (spans === undefined) {
      this.#files.delete(job.rel);
      return parseWholeText(buf.toString('utf8', from), job.rel, limits);
    }
    if (spanCount(spans) > limits.maxDocuments) return tooMany(limits);
    return yield* this.#readSplit(job, edited === undefined && usable?.buf !== undefined ? undefined : usable, buf, from, spans, edited, limits, pieceBytes);
  }

  /**
   * `edited.same[i]`: the index of a document of the last reading with new document i's bytes, or
   * -1: then it is looked for among `edited.candidates` (all of the last reading's without `edited`).
   */
  *#readSplit(job: ReuseJob, usable: Remembered | undefined, buf: Buffer, from: number, spans: Float64Array, edited: Edited | undefined, limits: ConfigLimits, pieceBytes: number): Generator<readonly DocEntry[], FileRead, void> {
    const prev = this.#files.get(job.rel);
    const same = edited?.same;
    const candidates: Candidates = edited?.candidates ?? { lo: 0, hi: prev === undefined ? 0 : spanCount(prev.spans) };
    const keep = buf.length >= this.#keepBytes;
    const hashes = !keep || prev?.hashes !== undefined ? hashSpans(buf, spans) : undefined;
    const count = spanCount(spans);
    const held = new Uint8Array(count);
    const counts: number[] = [];
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
    for (let i = 0; i < count; i++) {
      const hint = same === undefined ? -1 : (same[i] as number);
      const j = usable === undefined ? -1 : hint >= 0 ? (usable.held[hint] === 1 ? hint : -1)
        : usable.hashes !== undefined ? sameHash(usable.hashes, usable, hashes as Buffer, i, i + shift, candidates)
        : sameAs(usable, buf, spans, i, i + shift, candidates);
      if (j >= 0) {
        shift = j - i;
        held[i] = 1;
        counts.push(usable!.counts[j] as number);
        total += usable!.counts[j] as number;
        if (runLength > 0 && i === runAt + runLength && j === runFrom + runLength) runLength++;
        else {
          if (runLength > 0) reused.push(runAt, runFrom, runLength);
          runAt = i;
          runFrom = j;
          runLength = 1;
        }
        continue;
      }
      const start = startOf(spans, i);
      const end = endOf(spans, i);
      const text = buf.toString('utf8', start, end);
      let parsed = parseConfigText(text, job.rel, { doc: i, line: 0, into });
      if (parsed.entries.some((e) => e.outcome.kind === 'rejected')) {
        lines += countLines(buf, linesAt, start);
        linesAt = start;
        parsed = parseConfigText(text, job.rel, { doc: i, line: lines, into });
      }
      for (const e of parsed.entries) entries.push(e);
      if (parsed.syntaxErrors !== undefined) syntaxErrors.push(...parsed.syntaxErrors);
      if (!parsed.entries.some((e) => e.outcome.kind === 'rejected')) held[i] = 1;
      counts.push(parsed.entries.length);
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
    const remembered = { from, spans, reading, held, counts: Uint32Array.from(counts) };
    this.#files.set(job.rel, keep ? { buf, ...remembered } : { hashes: hashes as Buffer, ...remembered });
    return {
      kind: 'parsed',
      parsed: syntaxErrors.length === 0 ? { entries } : { entries, syntaxErrors },
      bytes: buf.length - from,
      docs: { reading, count, reused, parsedBytes },
    };
  }
}

function copied(buf: Buffer): Buffer {
  const own = withRoom(buf.length);
  buf.copy(own);
  return own;
}

/** A reading with the entries given out before it (readPieces) in front of its own. */
function withEntriesBefore(before: readonly DocEntry[], read: FileRead): FileRead {
  if (before.length === 0 || read.kind !== 'parsed') return read;
  return { ...read, parsed: { ...read.parsed, entries: [...before, ...read.parsed.entries] } };
}

/**
 * The documents of a new version of a file, found from its last reading: the bytes both versions
 * begin and end with (doc-reread.ts) hold the old documents (moved by the change in length), and
 * only the text between is split. An edit of one document among 50,000 then costs the read and the
 * comparison, not a scan of every line. Undefined when the changed text cannot be split (see
 * splitDocuments).
 */
interface Edited {
  /** packed as Remembered.spans */
  readonly spans: Float64Array;
  readonly same: Int32Array;
  /** the old documents between the common head and tail */
  readonly candidates: Candidates;
}

/** The old documents wholly in the common head ([0, k)) and tail ([m, n)), and the old bytes of those between. */
interface Ends {
  readonly k: number;
  readonly m: number;
  readonly oldLength: number;
  readonly between: Buffer;
}

/** Called before the old bytes are overwritten: keeps the old bytes of the documents between. */
function unchangedEnds(prev: Remembered, head: number, tail: number, oldLength: number, size: number): Ends {
  const n = spanCount(prev.spans);
  // Documents wholly in the common head, with the `---` that ends them; and wholly in the common
  // tail, with the line feed before them. A file unchanged in full is all head.
  let k = 0;
  if (head === oldLength && size === oldLength) k = n;
  else while (k < n && endOf(prev.spans, k) + 4 <= head) k++;
  let m = n;
  while (m > k && startOf(prev.spans, m - 1) - 1 >= oldLength - tail && startOf(prev.spans, m - 1) > prev.from) m--;
  const from = k < m ? startOf(prev.spans, k) : 0;
  const to = k < m ? endOf(prev.spans, m - 1) : 0;
  return { k, m, oldLength, between: Buffer.from((prev.buf as Buffer).subarray(from, to)) };
}

function editedSpans(prev: Remembered, ends: Ends, buf: Buffer): Edited | undefined {
  const { k, m } = ends;
  const n = spanCount(prev.spans);
  const delta = buf.length - ends.oldLength;
  const midStart = k === 0 ? prev.from : endOf(prev.spans, k - 1);
  const midEnd = m === n ? buf.length : startOf(prev.spans, m) + delta;
  const middle = midStart >= midEnd ? [] : splitDocuments(buf, midStart, midEnd);
  if (middle === undefined) return undefined;
  const count = k + middle.length + (n - m);
  const spans = new Float64Array(count * 2);
  spans.set(prev.spans.subarray(0, 2 * k));
  middle.forEach((s, i) => {
    spans[2 * (k + i)] = s.start;
    spans[2 * (k + i) + 1] = s.end;
  });
  const tailAt = 2 * (k + middle.length);
  spans.set(prev.spans.subarray(2 * m, 2 * n), tailAt);
  if (delta !== 0) for (let x = tailAt; x < spans.length; x++) spans[x] = (spans[x] as number) + delta;
  const same = new Int32Array(count).fill(-1);
  for (let i = 0; i < k; i++) same[i] = i;
  for (let j = m, i = k + middle.length; j < n; j++, i++) same[i] = j;
  const offset = k < m ? startOf(prev.spans, k) : 0;
  return { spans, same, candidates: { lo: k, hi: m, bytes: ends.between, offset } };
}

/**
 * The index of a document of the last reading with the same bytes as `span`, held by the consumer:
 * the one at `guess` (where it would be had nothing moved) or, failing that, any; -1 if none.
 */
function sameAs(prev: Remembered, buf: Buffer, spans: Float64Array, i: number, guess: number, among: Candidates): number {
  const span = { start: startOf(spans, i), end: endOf(spans, i) };
  const bytes = among.bytes;
  if (bytes === undefined) return -1;
  const offset = among.offset ?? 0;
  const equal = (j: number): boolean => {
    if (j < among.lo || j >= among.hi || j >= spanCount(prev.spans) || prev.held[j] !== 1) return false;
    const start = startOf(prev.spans, j);
    const end = endOf(prev.spans, j);
    if (end - start !== span.end - span.start) return false;
    return buf.compare(bytes, start - offset, end - offset, span.start, span.end) === 0;
  };
  if (equal(guess)) return guess;
  // A few candidates (an edit of one document) are compared directly.
  if (among.hi - among.lo <= 8) {
    for (let j = among.lo; j < among.hi; j++) if (equal(j)) return j;
    return -1;
  }
  among.byKey ??= keyed(among, (j) => {
    return keyOf(bytes, { start: startOf(prev.spans, j) - offset, end: endOf(prev.spans, j) - offset });
  });
  for (const j of among.byKey.get(keyOf(buf, span)) ?? []) if (equal(j)) return j;
  return -1;
}

/** Each document's SHA-1, HASH_BYTES each in document order. */
function hashSpans(buf: Buffer, spans: Float64Array): Buffer {
  const count = spanCount(spans);
  const out = Buffer.allocUnsafe(count * HASH_BYTES);
  // crypto.hash: one call per document, with no Hash object (and its native context, freed only at
  // a collection: 50,000 of them a load held malloc's arenas fragmented) nor a Buffer per digest.
  for (let i = 0; i < count; i++) out.write(hash('sha1', buf.subarray(startOf(spans, i), endOf(spans, i)), 'hex'), i * HASH_BYTES, 'hex');
  return out;
}

const hashKey = (hashes: Buffer, i: number): string => hashes.toString('latin1', i * HASH_BYTES, (i + 1) * HASH_BYTES);

/** As sameAs, for a file remembered by its documents' hashes: new document i's among `hashes`. */
function sameHash(old: Buffer, prev: Remembered, hashes: Buffer, i: number, guess: number, among: Candidates): number {
  const equal = (j: number): boolean =>
    j >= among.lo && j < among.hi && prev.held[j] === 1 && old.compare(hashes, i * HASH_BYTES, (i + 1) * HASH_BYTES, j * HASH_BYTES, (j + 1) * HASH_BYTES) === 0;
  if (equal(guess)) return guess;
  among.byKey ??= keyed(among, (j) => hashKey(old, j));
  for (const j of among.byKey.get(hashKey(hashes, i)) ?? []) if (equal(j)) return j;
  return -1;
}

function keyed(among: Candidates, keyOf: (j: number) => string): Map<string, number[]> {
  const byKey = new Map<string, number[]>();
  for (let j = among.lo; j < among.hi; j++) {
    const k = keyOf(j);
    const list = byKey.get(k);
    if (list === undefined) byKey.set(k, [j]);
    else list.push(j);
  }
  return byKey;
}

// A document's length and some of its bytes from the middle (where names differ, past the shared
// `apiVersion` and `kind` lines): equal keys are only candidates, compared in full.
function keyOf(buf: Buffer, s: DocSpan): string {
  const mid = (s.start + s.end) >>> 1;
  return `${s.end - s.start}:${buf.toString('latin1', Math.max(s.start, mid - 24), Math.min(s.end, mid + 24))}`;
}
