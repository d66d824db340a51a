// The consumer's half of the per-document parse cache (the reader's is doc-reuse.ts): the entries
// of each document of each file's last reading, by index, for documents that hold no rejection (a
// rejection carries lines, which move when the text above it changes; such documents are parsed on
// every reading). The reader is told which reading the consumer holds (a token, not the documents:
// at 50,000 documents a set of ids cost the main thread more than the edit), and names the
// documents it did not parse as runs of that reading's. They get their entries back: the same
// objects when the document is at the same index, so that the merge (merge.ts) and the translator
// see an unchanged document as unchanged; otherwise the same outcome (and resource) with the
// document's new origin.
import type { FileRead } from './read-file.ts';
import type { DocEntry, FileOrigin } from './yaml-docs.ts';

interface Held {
  /** the reading these entries come from (SplitDocs.reading) */
  readonly reading: number;
  /** the reading's entries in document order: the very array the reading was given out with */
  readonly entries: readonly DocEntry[];
  /** document d's entries are entries[starts[d], starts[d + 1]) */
  readonly starts: Uint32Array;
  /** by document: 1 when its entries are held (it had no rejection) */
  readonly held: Uint8Array;
}

// Per file, the reading's own entries array and two typed arrays: no object per document, so that
// 50,000 documents cost a few hundred KiB here, not a list each.
export class DocCache {
  readonly #files = new Map<string, Held>();

  /** The reading of `rel` whose documents are held here, to send with a reading of it (undefined: none). */
  held(rel: string): number | undefined {
    return this.#files.get(rel)?.reading;
  }

  forget(rel: string): void {
    this.#files.delete(rel);
  }

  /** `read` with every document's entries, and the cache updated from it. */
  take(rel: string, read: FileRead): FileRead {
    if (read.kind !== 'parsed') return read;
    const split = read.docs;
    if (split === undefined) {
      this.#files.delete(rel);
      return read;
    }
    const prev = this.#files.get(rel);
    const count = split.count;
    const runs = orderedRuns(split.reused);
    for (let k = 0; k + 2 < runs.length; k += 3) {
      const was = runs[k + 1] as number;
      const length = runs[k + 2] as number;
      if (prev === undefined || prev.held.subarray(was, was + length).indexOf(0) !== -1) {
        // Cannot happen while the reader only reuses documents of the reading held here; if it
        // does, the file is read again in full.
        this.#files.delete(rel);
        return { kind: 'failed', message: 'not parsed: the parse cache lost a document', retry: true };
      }
    }
    const fresh = read.parsed.entries;
    const starts = new Uint32Array(count + 1);
    const held = new Uint8Array(count);
    // The entries in document order, built a run at a time: a run at its old index is a slice of
    // the old entries (copied natively, not entry by entry: an edit keeps 50,000 documents' worth).
    const parts: DocEntry[][] = [];
    let part: DocEntry[] = [];
    let length = 0;
    let f = 0;
    let doc = 0;
    const parsedUpTo = (end: number): void => {
      for (; doc < end; doc++) {
        starts[doc] = length + part.length;
        let rejected = false;
        for (; f < fresh.length && (fresh[f] as DocEntry).origin.doc === doc; f++) {
          const e = fresh[f] as DocEntry;
          if (e.outcome.kind === 'rejected') rejected = true;
          part.push(e);
        }
        held[doc] = rejected ? 0 : 1;
      }
    };
    for (let k = 0; k + 2 < runs.length; k += 3) {
      const at = runs[k] as number;
      const was = runs[k + 1] as number;
      const n = runs[k + 2] as number;
      parsedUpTo(at);
      const p = prev as Held;
      const first = p.starts[was] as number;
      const base = length + part.length;
      for (let d = 0; d < n; d++) starts[at + d] = base + (p.starts[was + d] as number) - first;
      held.fill(1, at, at + n);
      if (at === was) {
        // A document at its old index keeps its entries as they are (not looked at).
        if (part.length > 0) parts.push(part);
        length += part.length;
        const kept = p.entries.slice(first, p.starts[was + n] as number);
        parts.push(kept);
        length += kept.length;
        part = [];
      } else {
        for (let d = 0; d < n; d++) {
          const end = p.starts[was + d + 1] as number;
          for (let j = p.starts[was + d] as number; j < end; j++) part.push(movedTo(p.entries[j] as DocEntry, at + d));
        }
      }
      doc = at + n;
    }
    parsedUpTo(count);
    if (part.length > 0) parts.push(part);
    const entries = joined(parts);
    starts[count] = entries.length;
    this.#files.set(rel, { reading: split.reading, entries, starts, held });
    const parsed = read.parsed.syntaxErrors === undefined ? { entries } : { entries, syntaxErrors: read.parsed.syntaxErrors };
    return { kind: 'parsed', parsed, bytes: read.bytes };
  }
}

/** The reused runs (at, was, length) in document order (a reader gives them so). */
function orderedRuns(runs: readonly number[]): readonly number[] {
  let ordered = true;
  for (let k = 3; k + 2 < runs.length && ordered; k += 3) ordered = (runs[k] as number) >= (runs[k - 3] as number) + (runs[k - 1] as number);
  if (ordered) return runs;
  const triples = Array.from({ length: Math.floor(runs.length / 3) }, (_, t) => [runs[3 * t] as number, runs[3 * t + 1] as number, runs[3 * t + 2] as number] as const);
  return triples.sort((x, y) => x[0] - y[0]).flat();
}

/** The parts one after the other, in a new array (the last reading's own array is never given out again). */
function joined(parts: readonly DocEntry[][]): DocEntry[] {
  if (parts.length === 0) return [];
  if (parts.length === 1 && parts[0] !== undefined) return parts[0];
  // (a few parts: concat copies natively; many: one push each, no argument list that long)
  if (parts.length <= 64) return ([] as DocEntry[]).concat(...parts);
  const out: DocEntry[] = [];
  for (const part of parts) for (const e of part) out.push(e);
  return out;
}

/** A cached entry at index `doc` of the file: the same object when its document did not move. */
function movedTo(e: DocEntry, doc: number): DocEntry {
  if (e.origin.doc === doc) return e;
  const origin: FileOrigin = { ...e.origin, doc };
  return { origin, outcome: e.outcome };
}
