// Parses the text of one config file into validated documents. A file holds one JSON value, or
// several YAML documents separated by `---`; any document may be a `kind: List` whose `items`
// are the resources. A syntax error rejects only the document it is in (YAML documents are
// delimited by `---` lines, so the others are still read as written).
// YAML is read by the block-style reader when it is written as generators write it (yaml-block.ts,
// fastest), else by js-yaml when the text is simple enough for it to give exactly what the `yaml`
// package gives (yaml-fast.ts, several times faster), else by the `yaml` package (yaml-full.ts).
import { index, isObject } from '../api/check.ts';
import type { FieldError, Origin, Rejection } from '../api/types.ts';
import { validateDocument, type ValidateOutcome } from '../api/validate.ts';
import { parseYAMLBlock } from './yaml-block.ts';
import { parseYAMLFast } from './yaml-fast.ts';
import { parseYAMLFull, type YamlDoc } from './yaml-full.ts';
import { interned, type Interned } from './yaml-detached.ts';
import { FilePositions, withLines } from './yaml-positions.ts';

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
  /** the rejections (also in `entries`) of the documents that did not parse, when there are any */
  readonly syntaxErrors?: readonly Rejection[];
}

/** Where a rejected document came from, with the errors. */
function rejected(origin: FileOrigin, errors: FieldError[]): DocEntry {
  return { origin, outcome: { kind: 'rejected', rejection: { origin, errors } } };
}

/**
 * Where a piece of a file read alone (one YAML document: yaml-split.ts) sits in the file: its
 * document index and the lines above it. `into`: strings and values shared with the file's other pieces.
 */
export interface DocPlace {
  readonly doc: number;
  readonly line: number;
  readonly into?: Interned;
}

const WHOLE: DocPlace = { doc: 0, line: 0 };

export function parseConfigText(text: string, file: string, place: DocPlace = WHOLE): ParsedFile {
  if (/\.json$/i.test(file)) return withRejectionLines(parsedFile(parseJSON(text, file), file), text);
  const into = place.into ?? interned();
  let docs = parseYAMLBlock(text, into) ?? parseYAMLFast(text, into) ?? parseYAMLFull(text, place.line, into);
  if (place.doc !== 0) docs = docs.map((d) => ({ ...d, doc: d.doc + place.doc }));
  return withRejectionLines(parsedYAML(docs, file), text, place);
}

/** Adds line numbers to the rejected documents of a file (the only ones that pay for them). */
export function withRejectionLines(parsed: ParsedFile, text: string, place: DocPlace = WHOLE): ParsedFile {
  if (!parsed.entries.some((e) => e.outcome.kind === 'rejected')) return parsed;
  const positions = new FilePositions(text, place.line);
  // A syntax error is both a document's rejection and one of the file's syntaxErrors: the same
  // object, so the file source reports it once; it stays the same object with its lines.
  const lined = new Map<Rejection, Rejection>();
  const entries = parsed.entries.map((e): DocEntry => {
    if (e.outcome.kind !== 'rejected') return e;
    const rejection = withLines(e.outcome.rejection, positions, e.origin.doc === undefined ? undefined : e.origin.doc - place.doc);
    lined.set(e.outcome.rejection, rejection);
    return { origin: e.origin, outcome: { kind: 'rejected', rejection } };
  });
  if (parsed.syntaxErrors === undefined) return { entries };
  return { entries, syntaxErrors: parsed.syntaxErrors.map((r) => lined.get(r) ?? r) };
}

/** The validated documents of a YAML file read by either path (exported for the test of the two). */
export function parsedYAML(docs: readonly YamlDoc[], file: string): ParsedFile {
  return parsedFile(
    docs.map((d) => ('errors' in d ? { entry: rejected({ file, doc: d.doc }, d.errors) } : d)),
    file,
  );
}

type Parsed = { doc: number; value: unknown } | { entry: DocEntry };

function parsedFile(values: readonly Parsed[], file: string): ParsedFile {
  const entries: DocEntry[] = [];
  const syntaxErrors: Rejection[] = [];
  for (const v of values) {
    if ('entry' in v) {
      entries.push(v.entry);
      if (v.entry.outcome.kind === 'rejected') syntaxErrors.push(v.entry.outcome.rejection);
    } else entries.push(...expand(v.value, { file, doc: v.doc }));
  }
  return syntaxErrors.length === 0 ? { entries } : { entries, syntaxErrors };
}

function parseJSON(text: string, file: string): Parsed[] {
  try {
    return [{ doc: 0, value: JSON.parse(text) as unknown }];
  } catch (err) {
    const message = (err as Error).message;
    const pos = /at position (\d+)/.exec(message);
    // Node 20 gives no position for a truncated file: the error is at its end.
    const offset = pos !== null ? Number(pos[1]) : /end of JSON input/.test(message) ? text.length : undefined;
    const at = offset === undefined ? '' : ` at ${lineAndColumn(text, offset)}`;
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
