// The consumer's half of the per-document parse cache (the reader's is doc-reuse.ts): the entries
// of each document of each file's last reading, by document id, for documents that hold no
// rejection (a rejection carries lines, which move when the text above it changes; such documents
// are parsed on every reading). A reading that left documents out because their id is held here
// gets their entries back: the same objects when the document is at the same index, so that the
// merge (merge.ts) and the translator see an unchanged document as unchanged; otherwise the same
// outcome (and resource) with the document's new origin.
import type { FileRead } from './read-file.ts';
import type { DocEntry, FileOrigin } from './yaml-docs.ts';

export class DocCache {
  readonly #files = new Map<string, Map<number, readonly DocEntry[]>>();

  /** The ids of `rel`'s documents held here, to send with a reading of it (undefined: none). */
  known(rel: string): ReadonlySet<number> | undefined {
    const docs = this.#files.get(rel);
    return docs === undefined || docs.size === 0 ? undefined : new Set(docs.keys());
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
    const next = new Map<number, readonly DocEntry[]>();
    const fresh = read.parsed.entries;
    const entries: DocEntry[] = [];
    let f = 0;
    let r = 0;
    for (let doc = 0; doc < split.ids.length; doc++) {
      const id = split.ids[doc] as number;
      let mine: readonly DocEntry[];
      if (split.reused[r] === doc) {
        r++;
        const cached = held?.get(id);
        if (cached === undefined) {
          // Cannot happen while the reader only reuses ids it was told are held; if it does, the
          // file is read again in full.
          this.#files.delete(rel);
          return { kind: 'failed', message: 'not parsed: the parse cache lost a document', retry: true };
        }
        mine = movedTo(cached, doc);
      } else {
        const from = f;
        while (f < fresh.length && (fresh[f] as DocEntry).origin.doc === doc) f++;
        mine = fresh.slice(from, f);
      }
      for (const e of mine) entries.push(e);
      if (!mine.some((e) => e.outcome.kind === 'rejected')) next.set(id, mine);
    }
    this.#files.set(rel, next);
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
