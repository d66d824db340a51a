// The reference YAML path: the `yaml` package (YAML 1.2 core schema). It reads every file the fast
// path (yaml-fast.ts) declines, and it alone reports syntax errors: a syntax error rejects only the
// document it is in (documents are delimited by `---` lines, so the others are still read as
// written), with its line and column.
// `yaml` loads on first use: a plain start needs none of it (lazy-package.ts).
import { yamlPackage as yaml } from '../lazy-package.ts';
import type { FieldError } from '../api/types.ts';
import { detached, interned, type Interned } from './yaml-detached.ts';

/**
 * One non-empty document of a YAML file, by its index among all the file's documents (empty ones,
 * such as a trailing `---` or a file of comments, count but hold nothing and are left out).
 */
export type YamlDoc = { readonly doc: number; readonly value: unknown } | { readonly doc: number; readonly errors: FieldError[] };

/** `lineOffset`: lines of the file above `text` (a document read alone: yaml-split.ts), for messages. */
export function parseYAMLFull(text: string, lineOffset = 0, into: Interned = interned()): YamlDoc[] {
  const { LineCounter, parseAllDocuments } = yaml();
  const lines = new LineCounter();
  // `merge` accepts `<<:` keys as Kubernetes' YAML reader does; maxAliasCount bounds alias bombs.
  const docs = parseAllDocuments(text, { prettyErrors: false, lineCounter: lines, merge: true });
  const out: YamlDoc[] = [];
  docs.forEach((d, doc) => {
    if (d.errors.length > 0) {
      const errors = d.errors.map((e) => {
        const at = lines.linePos(e.pos[0]);
        return { path: '', message: `YAML syntax error at line ${at.line + lineOffset}, column ${at.col}: ${e.message}` };
      });
      out.push({ doc, errors });
      return;
    }
    let value: unknown;
    try {
      value = d.toJS({ maxAliasCount: 100 });
    } catch (err) {
      out.push({ doc, errors: [{ path: '', message: `YAML error: ${(err as Error).message}` }] });
      return;
    }
    if (value === null || value === undefined) return;
    try {
      out.push({ doc, value: detached(value, into) });
    } catch (err) {
      // toJS builds a cyclic value for an alias inside its own anchor (`a: &x [*x]`); walking it
      // overflows the stack. No Kubernetes object is cyclic: reject the document.
      if (!(err instanceof RangeError)) throw err;
      out.push({ doc, errors: [{ path: '', message: 'YAML error: an alias refers to a node that contains it, or the document nests too deep' }] });
    }
  });
  return out;
}
