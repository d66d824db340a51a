// Parses the text of one config file into validated documents. A file holds one JSON value, or
// several YAML documents separated by `---`; any document may be a `kind: List` whose `items`
// are the resources. A syntax error rejects only the document it is in (YAML documents are
// delimited by `---` lines, so the others are still read as written).
import { LineCounter, parseAllDocuments } from 'yaml';
import { index, isObject } from '../api/check.ts';
import type { FieldError, Origin, Rejection } from '../api/types.ts';
import { validateDocument, type ValidateOutcome } from '../api/validate.ts';

/** Origin of a document in a config directory; `item` is set for the items of a `kind: List`. */
export interface FileOrigin extends Origin {
  file: string;
  doc?: number;
  item?: number;
}

export interface DocEntry {
  readonly origin: FileOrigin;
  readonly outcome: ValidateOutcome;
}

export interface ParsedFile {
  /** in document order (List items in item order) */
  readonly entries: readonly DocEntry[];
}

/** Where a rejected document came from, with the errors. */
function rejected(origin: FileOrigin, errors: FieldError[]): DocEntry {
  return { origin, outcome: { kind: 'rejected', rejection: { origin, errors } } };
}

export function parseConfigText(text: string, file: string): ParsedFile {
  const values = /\.json$/i.test(file) ? parseJSON(text, file) : parseYAML(text, file);
  const entries: DocEntry[] = [];
  for (const v of values) {
    if ('entry' in v) entries.push(v.entry);
    else entries.push(...expand(v.value, { file, doc: v.doc }));
  }
  return { entries };
}

type Parsed = { doc: number; value: unknown } | { entry: DocEntry };

function parseYAML(text: string, file: string): Parsed[] {
  const lines = new LineCounter();
  // `merge` accepts `<<:` keys as Kubernetes' YAML reader does; maxAliasCount bounds alias bombs.
  const docs = parseAllDocuments(text, { prettyErrors: false, lineCounter: lines, merge: true });
  const out: Parsed[] = [];
  const strings = new Map<string, string>();
  docs.forEach((d, doc) => {
    if (d.errors.length > 0) {
      const errors = d.errors.map((e) => {
        const at = lines.linePos(e.pos[0]);
        return { path: '', message: `YAML syntax error at line ${at.line}, column ${at.col}: ${e.message}` };
      });
      out.push({ entry: rejected({ file, doc }, errors) });
      return;
    }
    let value: unknown;
    try {
      value = d.toJS({ maxAliasCount: 100 });
    } catch (err) {
      out.push({ entry: rejected({ file, doc }, [{ path: '', message: `YAML error: ${(err as Error).message}` }]) });
      return;
    }
    // Empty documents (a trailing `---`, a file of comments) hold nothing.
    if (value !== null && value !== undefined) out.push({ doc, value: detached(value, strings) });
  });
  return out;
}

// Strings cut out of the file text by the YAML parser can be V8 "sliced strings" that keep the whole
// text of the file alive for as long as any of them is; at 10,000 files that doubled the memory held
// by parsed resources. A copy of each long string (V8 slices only strings of 13 characters or more)
// drops the reference to the text; structure, key order and values stay exactly the same.
// Equal strings of one file (namespace, port names, addresses) are also stored once (`strings`).
function detached(value: unknown, strings: Map<string, string>): unknown {
  if (typeof value === 'string') {
    let s = strings.get(value);
    if (s === undefined) strings.set(value, (s = value.length >= 13 ? (JSON.parse(JSON.stringify(value)) as string) : value));
    return s;
  }
  if (Array.isArray(value)) return value.map((v) => detached(v, strings));
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    // defineProperty: a `__proto__` key stays an ordinary key, as the YAML parser made it.
    Object.defineProperty(out, key, { value: detached((value as Record<string, unknown>)[key], strings), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function parseJSON(text: string, file: string): Parsed[] {
  try {
    return [{ doc: 0, value: JSON.parse(text) as unknown }];
  } catch (err) {
    const message = (err as Error).message;
    const pos = /at position (\d+)/.exec(message);
    const at = pos === null ? '' : ` at ${lineAndColumn(text, Number(pos[1]))}`;
    return [{ entry: rejected({ file }, [{ path: '', message: `JSON syntax error${at}: ${message}` }]) }];
  }
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `line ${line}, column ${offset - before.lastIndexOf('\n')}`;
}

/** A `kind: List` becomes its items (errors addressed as `items[3].spec...`); anything else is one document. */
function expand(value: unknown, origin: FileOrigin): DocEntry[] {
  if (!isObject(value) || value.kind !== 'List') return [{ origin, outcome: validateDocument(value, origin) }];
  if (!Array.isArray(value.items)) {
    const message = value.items === undefined ? 'required' : 'must be a list';
    return [rejected(origin, [{ path: 'items', message }])];
  }
  return value.items.map((item: unknown, i: number) => {
    const itemOrigin: FileOrigin = { ...origin, item: i };
    return { origin: itemOrigin, outcome: prefixErrors(validateDocument(item, itemOrigin), index('items', i)) };
  });
}

function prefixErrors(outcome: ValidateOutcome, prefix: string): ValidateOutcome {
  if (outcome.kind !== 'rejected') return outcome;
  const r: Rejection = outcome.rejection;
  const errors = r.errors.map((e) => ({ path: e.path === '' ? prefix : joinPath(prefix, e.path), message: e.message }));
  return { kind: 'rejected', rejection: { ...r, errors } };
}

function joinPath(prefix: string, path: string): string {
  return path.startsWith('[') ? `${prefix}${path}` : `${prefix}.${path}`;
}
