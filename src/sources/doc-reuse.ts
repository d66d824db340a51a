// Reads large YAML files document by document and parses only the documents whose bytes changed
// since the file's last reading (the reader's half of the per-document parse cache; the consumer's
// half, doc-cache.ts, holds the parsed entries). Each distinct document gets an id; a document
// whose bytes equal one of the last reading's, and whose id the consumer says it holds (`known`),
// keeps that id and is not parsed. The consumer being the judge keeps the two halves in step
// whatever happens to a reading on the way (a worker that died, a file that failed).
//
// What is remembered per file is its last bytes and where its documents were: comparing bytes
// (memcmp) costs a few milliseconds for 50 MB, where hashing them cost ~120 ms here. Line
// numbers are not part of a document's identity: a document is parsed with its lines only when it
// has a rejection (the only entries that carry lines), so one that moved down is reported where it
// now is (doc-cache.ts parses rejected documents on every reading).
import { readFileSync } from 'node:fs';
import type { DocEntry } from './yaml-docs.ts';
import { parseConfigText } from './yaml-docs.ts';
import { interned } from './yaml-detached.ts';
import { cannotRead, parseWholeText, tooLarge, tooMany, type ConfigLimits, type FileRead } from './read-file.ts';
import { countLines, splitDocuments, type DocSpan } from './yaml-split.ts';
import type { Rejection } from '../api/types.ts';

/** One file to read, and the ids of the documents whose entries the consumer holds. */
export interface ReuseJob {
  readonly abs: string;
  readonly rel: string;
  readonly size: number;
  readonly known?: ReadonlySet<number>;
}

interface Remembered {
  readonly buf: Buffer;
  readonly spans: readonly DocSpan[];
  readonly ids: readonly number[];
  /** entries (List items count) per document */
  readonly counts: readonly number[];
  /** span key (see keyOf) -> indices, made when documents moved */
  byKey?: Map<string, number[]>;
}

const BOM = [0xef, 0xbb, 0xbf];

export class DocReuse {
  readonly #files = new Map<string, Remembered>();
  #nextId: number;

  /** `firstId`: ids start here (a new reader starts above the ids an earlier one gave out) */
  constructor(firstId = 1) {
    this.#nextId = firstId;
  }

  forget(rel: string): void {
    this.#files.delete(rel);
  }

  read(job: ReuseJob, limits: ConfigLimits): FileRead {
    let buf: Buffer;
    try {
      if (job.size > limits.maxFileBytes) return tooLarge(limits);
      buf = readFileSync(job.abs);
    } catch (err) {
      return cannotRead(err);
    }
    if (buf.length > limits.maxFileBytes) return tooLarge(limits);
    const from = buf[0] === BOM[0] && buf[1] === BOM[1] && buf[2] === BOM[2] ? 3 : 0;
    const spans = /\.json$/i.test(job.rel) ? undefined : splitDocuments(buf, from);
    if (spans === undefined) {
      this.#files.delete(job.rel);
      return parseWholeText(buf.toString('utf8', from), job.rel, limits);
    }
    if (spans.length > limits.maxDocuments) return tooMany(limits);
    return this.#readSplit(job, buf, from, spans, limits);
  }

  #readSplit(job: ReuseJob, buf: Buffer, from: number, spans: readonly DocSpan[], limits: ConfigLimits): FileRead {
    const prev = this.#files.get(job.rel);
    const known = job.known;
    const ids: number[] = [];
    const counts: number[] = [];
    const reused: number[] = [];
    const entries: DocEntry[] = [];
    const syntaxErrors: Rejection[] = [];
    const into = interned();
    let parsedBytes = 0;
    let total = 0;
    let shift = 0;
    // Lines are counted only up to the rejected documents, in one pass over the file.
    let linesAt = from;
    let lines = 0;
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i] as DocSpan;
      const j = prev === undefined || known === undefined ? -1 : sameAs(prev, buf, span, i + shift, known);
      if (j >= 0) {
        shift = j - i;
        const id = prev!.ids[j] as number;
        ids.push(id);
        counts.push(prev!.counts[j] as number);
        reused.push(i);
        total += prev!.counts[j] as number;
        continue;
      }
      const text = buf.toString('utf8', span.start, span.end);
      let parsed = parseConfigText(text, job.rel, { doc: i, line: 0, into });
      if (parsed.entries.some((e) => e.outcome.kind === 'rejected')) {
        lines += countLines(buf, linesAt, span.start);
        linesAt = span.start;
        parsed = parseConfigText(text, job.rel, { doc: i, line: lines, into });
      }
      for (const e of parsed.entries) entries.push(e);
      if (parsed.syntaxErrors !== undefined) syntaxErrors.push(...parsed.syntaxErrors);
      ids.push(this.#nextId++);
      counts.push(parsed.entries.length);
      total += parsed.entries.length;
      parsedBytes += span.end - span.start;
    }
    if (total > limits.maxDocuments) return tooMany(limits);
    this.#files.set(job.rel, { buf, spans, ids, counts });
    return {
      kind: 'parsed',
      parsed: syntaxErrors.length === 0 ? { entries } : { entries, syntaxErrors },
      bytes: buf.length - from,
      docs: { ids, reused, parsedBytes },
    };
  }
}

/**
 * The index of a document of the last reading with the same bytes as `span` and a known id: the
 * one at `guess` (where it would be had nothing moved) or, failing that, any; -1 if none.
 */
function sameAs(prev: Remembered, buf: Buffer, span: DocSpan, guess: number, known: ReadonlySet<number>): number {
  const equal = (j: number): boolean => {
    const old = prev.spans[j];
    if (old === undefined || old.end - old.start !== span.end - span.start || !known.has(prev.ids[j] as number)) return false;
    return buf.compare(prev.buf, old.start, old.end, span.start, span.end) === 0;
  };
  if (equal(guess)) return guess;
  prev.byKey ??= keyed(prev);
  for (const j of prev.byKey.get(keyOf(buf, span)) ?? []) if (equal(j)) return j;
  return -1;
}

function keyed(prev: Remembered): Map<string, number[]> {
  const byKey = new Map<string, number[]>();
  prev.spans.forEach((s, j) => {
    const k = keyOf(prev.buf, s);
    const list = byKey.get(k);
    if (list === undefined) byKey.set(k, [j]);
    else list.push(j);
  });
  return byKey;
}

// A document's length and some of its bytes from the middle (where names differ, past the shared
// `apiVersion` and `kind` lines): equal keys are only candidates, compared in full.
function keyOf(buf: Buffer, s: DocSpan): string {
  const mid = (s.start + s.end) >>> 1;
  return `${s.end - s.start}:${buf.toString('latin1', Math.max(s.start, mid - 24), Math.min(s.end, mid + 24))}`;
}
