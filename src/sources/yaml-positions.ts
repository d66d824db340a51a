// Line numbers for rejected documents. Valid files never come here: positions cost a second,
// position-keeping parse, so it is made only for a file that has a rejected document, and only
// the documents concerned are composed (the `yaml` package's CST parser splits the file into
// documents cheaply; the Composer then builds nodes, with their offsets, for one document).
// JSON files are read the same way (JSON is YAML's flow syntax).
import type { CST, Document, Node } from 'yaml';
import type { FieldError, Rejection } from '../api/types.ts';
// `yaml` loads on first use: a plain start needs none of it (lazy-package.ts).
import { yamlPackage as yaml } from '../lazy-package.ts';

/** Finds the lines of the fields of one file's documents. */
export class FilePositions {
  readonly #lines = new (yaml().LineCounter)();
  readonly #documents: CST.Document[] = [];
  readonly #composed = new Map<number, Document.Parsed | null>();
  /** lines of the file above `text` (a document read alone: yaml-split.ts) */
  readonly #lineOffset: number;

  constructor(text: string, lineOffset = 0) {
    this.#lineOffset = lineOffset;
    // Positions are a courtesy: whatever the text, failing to find them must not fail the load.
    try {
      for (const token of new (yaml().Parser)(this.#lines.addNewLine).parse(text)) {
        if (token.type === 'document') this.#documents.push(token);
      }
    } catch {
      this.#documents.length = 0;
    }
  }

  /**
   * The line of `path` (`spec.rules[0].hosts[1]`, `items[2].metadata.name`) in document `doc`.
   * A field that is not there (a missing required field) gets the first line of its document, or
   * of its List item when the path starts at one.
   */
  lineOf(doc: number, path: string): number | undefined {
    const document = this.#document(doc);
    if (document === null) return undefined;
    const start = this.#lineAt(document.contents?.range[0] ?? this.#documents[doc]?.offset);
    const segments = parsePath(path) ?? [];
    let node: unknown = document.contents;
    let fallback = start;
    for (let i = 0; i < segments.length; i++) {
      const found = child(node, segments[i] as Segment);
      if (found === undefined) return fallback;
      // A List item is the document of its errors.
      if (i === 1 && segments[0] === 'items') fallback = this.#lineAt(found.at) ?? start;
      if (i === segments.length - 1) return this.#lineAt(found.at);
      node = found.value;
    }
    return start;
  }

  #lineAt(offset: number | undefined): number | undefined {
    return offset === undefined ? undefined : this.#lines.linePos(offset).line + this.#lineOffset;
  }

  #document(doc: number): Document.Parsed | null {
    let composed = this.#composed.get(doc);
    if (composed !== undefined) return composed;
    const token = this.#documents[doc];
    composed = null;
    try {
      if (token !== undefined) for (const d of new (yaml().Composer)({ merge: true }).compose([token])) composed ??= d;
    } catch {
      composed = null;
    }
    this.#composed.set(doc, composed);
    return composed;
  }
}

type Segment = string | number;

/** `spec.rules[0].labels["a.b/c"]` -> ['spec', 'rules', 0, 'labels', 'a.b/c']; undefined if unreadable. */
function parsePath(path: string): Segment[] | undefined {
  const out: Segment[] = [];
  const re = /(?:^([A-Za-z_][A-Za-z0-9_-]*)|\.([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\])/y;
  let at = 0;
  while (at < path.length) {
    re.lastIndex = at;
    const m = re.exec(path);
    if (m === null) return undefined;
    if (m[3] !== undefined) out.push(Number(m[3]));
    else if (m[4] !== undefined) out.push(JSON.parse(m[4]) as string);
    else out.push((m[1] ?? m[2]) as string);
    at = re.lastIndex;
  }
  return out;
}

/** The value at `segment` of a map or sequence node, and the offset where it is written (a key's). */
function child(node: unknown, segment: Segment): { value: unknown; at: number | undefined } | undefined {
  if (typeof segment === 'number') {
    if (!yaml().isSeq(node)) return undefined;
    const item = node.items[segment] as Node | undefined;
    return item === undefined ? undefined : { value: item, at: item.range?.[0] };
  }
  if (!yaml().isMap(node)) return undefined;
  // The last of duplicate keys is the one a reader keeps (duplicates are a syntax error anyway).
  for (let i = node.items.length - 1; i >= 0; i--) {
    const pair = node.items[i];
    const key = pair?.key;
    if (yaml().isScalar(key) && String(key.value) === segment) return { value: pair?.value, at: key.range?.[0] };
  }
  return undefined;
}

/** A rejection with the line of each error (and its own: the first in the file), when they can be found. */
export function withLines(rejection: Rejection, positions: FilePositions, doc: number | undefined): Rejection {
  const errors = rejection.errors.map((e): FieldError => {
    const line = syntaxErrorLine(e.message) ?? (doc === undefined ? undefined : positions.lineOf(doc, e.path));
    return line === undefined ? e : { ...e, line };
  });
  const lines = errors.flatMap((e) => (e.line === undefined ? [] : [e.line]));
  const line = lines.length > 0 ? Math.min(...lines) : doc === undefined ? undefined : positions.lineOf(doc, '');
  return { ...rejection, errors, ...(line !== undefined && { line }) };
}

// YAML and JSON syntax errors already say where they are (`... at line 4, column 1: ...`).
function syntaxErrorLine(message: string): number | undefined {
  const m = /^(?:YAML|JSON) syntax error at line (\d+)\b/.exec(message);
  return m === null ? undefined : Number(m[1]);
}
