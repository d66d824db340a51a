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
    // by document: the index of the last reading's document it reuses, or -1 (parsed now)
    const from = new Int32Array(count).fill(-1);
    const runs = split.reused;
    for (let k = 0; k + 2 < runs.length; k += 3) {
      const at = runs[k] as number;
      const was = runs[k + 1] as number;
      const length = runs[k + 2] as number;
      for (let d = 0; d < length; d++) {
        if (prev === undefined || prev.held[was + d] !== 1) {
          // Cannot happen while the reader only reuses documents of the reading held here; if it
          // does, the file is read again in full.
          this.#files.delete(rel);
          return { kind: 'failed', message: 'not parsed: the parse cache lost a document', retry: true };
        }
        from[at + d] = was + d;
      }
    }
    const fresh = read.parsed.entries;
    const entries: DocEntry[] = [];
    const starts = new Uint32Array(count + 1);
    const held = new Uint8Array(count);
    let f = 0;
    for (let doc = 0; doc < count; doc++) {
      starts[doc] = entries.length;
      const j = from[doc] as number;
      if (j >= 0) {
        const p = prev as Held;
        const end = p.starts[j + 1] as number;
        // A document at its old index keeps its entries as they are (not looked at: 50,000 of them per edit).
        if (j === doc) for (let k = p.starts[j] as number; k < end; k++) entries.push(p.entries[k] as DocEntry);
        else for (let k = p.starts[j] as number; k < end; k++) entries.push(movedTo(p.entries[k] as DocEntry, doc));
        held[doc] = 1;
        continue;
      }
      let rejected = false;
      for (; f < fresh.length && (fresh[f] as DocEntry).origin.doc === doc; f++) {
        const e = fresh[f] as DocEntry;
        if (e.outcome.kind === 'rejected') rejected = true;
        entries.push(e);
      }
      held[doc] = rejected ? 0 : 1;
    }
    starts[count] = entries.length;
    this.#files.set(rel, { reading: split.reading, entries, starts, held });
    const parsed = read.parsed.syntaxErrors === undefined ? { entries } : { entries, syntaxErrors: read.parsed.syntaxErrors };
    return { kind: 'parsed', parsed, bytes: read.bytes };
  }
}

/** A cached entry at index `doc` of the file: the same object when its document did not move. */
function movedTo(e: DocEntry, doc: number): DocEntry {
  if (e.origin.doc === doc) return e;
  const origin: FileOrigin = { ...e.origin, doc };
  return { origin, outcome: e.outcome };
}
