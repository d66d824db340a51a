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
  /** by document index: its entries, or undefined for a document with a rejection (not held) */
  readonly docs: ReadonlyArray<readonly DocEntry[] | undefined>;
}

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
    const held = this.#files.get(rel);
    const docs = new Array<readonly DocEntry[] | undefined>(split.count);
    const reused = new Uint8Array(split.count);
    const runs = split.reused;
    for (let k = 0; k + 2 < runs.length; k += 3) {
      const at = runs[k] as number;
      const from = runs[k + 1] as number;
      const length = runs[k + 2] as number;
      for (let d = 0; d < length; d++) {
        const cached = held?.docs[from + d];
        if (cached === undefined) {
          // Cannot happen while the reader only reuses documents of the reading held here; if it
          // does, the file is read again in full.
          this.#files.delete(rel);
          return { kind: 'failed', message: 'not parsed: the parse cache lost a document', retry: true };
        }
        docs[at + d] = at === from ? cached : movedTo(cached, at + d);
        reused[at + d] = 1;
      }
    }
    const fresh = read.parsed.entries;
    const entries: DocEntry[] = [];
    let f = 0;
    for (let doc = 0; doc < split.count; doc++) {
      let mine = docs[doc];
      if (reused[doc] === 0) {
        const from = f;
        while (f < fresh.length && (fresh[f] as DocEntry).origin.doc === doc) f++;
        mine = fresh.slice(from, f);
        docs[doc] = mine.some((e) => e.outcome.kind === 'rejected') ? undefined : mine;
      }
      for (const e of mine as readonly DocEntry[]) entries.push(e);
    }
    this.#files.set(rel, { reading: split.reading, docs });
    const parsed = read.parsed.syntaxErrors === undefined ? { entries } : { entries, syntaxErrors: read.parsed.syntaxErrors };
    return { kind: 'parsed', parsed, bytes: read.bytes };
  }
}

/** A cached document's entries at index `doc` of the file. */
function movedTo(cached: readonly DocEntry[], doc: number): readonly DocEntry[] {
  if (cached.length === 0 || cached[0]?.origin.doc === doc) return cached;
  return cached.map((e) => {
    const origin: FileOrigin = { ...e.origin, doc };
    return { origin, outcome: e.outcome };
  });
}
