// Splits a YAML file's bytes into its documents without parsing them, so that a file of 50,000
// documents can be compared with its previous version document by document and only the changed
// ones parsed (doc-reuse.ts). A `---` at the start of a line, followed by a space, a tab or the
// end of the line, always starts a document: YAML forbids that text inside any scalar (c-forbidden),
// so a block scalar or a quoted string cannot hide one (a quoted string broken over such a line is
// a syntax error either way). Parsed alone, each piece gives the document a parse of the whole file
// gives (test/sources/yaml-split.test.ts holds the two to that).
//
// Text the split cannot follow is left whole (undefined): directives (`%YAML`, `%TAG` apply to the
// document after them) and `...` document end markers. Both are rare in manifests.

/** One document's bytes: [start, end) of the file's buffer. */
export interface DocSpan {
  readonly start: number;
  readonly end: number;
}

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const DASH = 0x2d;
const DOT = 0x2e;
const PERCENT = 0x25;
const HASH = 0x23;

const MARKER = Buffer.from('\n---');

/**
 * The documents of `buf[from..to)`, or undefined when the text must be parsed whole (see above).
 * `from` is the start of the text or of a document, `to` the end of the text or of a document.
 */
export function splitDocuments(buf: Uint8Array, from = 0, to = buf.length): DocSpan[] | undefined {
  const b = Buffer.from(buf.buffer, buf.byteOffset, to);
  if (hasLineStarting(b, from, PERCENT) || hasDocumentEnd(b, from)) return undefined;
  const starts: number[] = [];
  if (isMarkerAt(b, from)) starts.push(from);
  for (let at = b.indexOf(MARKER, from); at !== -1; at = b.indexOf(MARKER, at + 1)) {
    if (isMarkerAt(b, at + 1)) starts.push(at + 1);
  }
  // Text before the first marker is a document of its own, unless it is only comments and blank
  // lines: a parser then reads it as part of the document the marker starts.
  if (starts[0] !== from && (starts.length === 0 || !onlyComments(b, from, starts[0] as number))) starts.unshift(from);
  else if (starts.length > 0) starts[0] = from;
  if (starts.length === 0) starts.push(from);
  const spans: DocSpan[] = [];
  for (let i = 0; i < starts.length; i++) spans.push({ start: starts[i] as number, end: i + 1 < starts.length ? (starts[i + 1] as number) : b.length });
  return spans;
}

/** `---` at `at`, followed by white space, a line end or the end of the text. */
export function isMarkerAt(b: Buffer, at: number): boolean {
  if (b[at] !== DASH || b[at + 1] !== DASH || b[at + 2] !== DASH) return false;
  const next = b[at + 3];
  return next === undefined || next === SPACE || next === TAB || next === LF || next === CR;
}

/** A line starting with `c` (at `from` or after a line feed). */
function hasLineStarting(b: Buffer, from: number, c: number): boolean {
  if (b[from] === c) return true;
  for (let at = b.indexOf(c, from); at !== -1; at = b.indexOf(c, at + 1)) if (b[at - 1] === LF) return true;
  return false;
}

/** A `...` line: a document end marker. */
function hasDocumentEnd(b: Buffer, from: number): boolean {
  const isEnd = (at: number): boolean => {
    if (b[at] !== DOT || b[at + 1] !== DOT || b[at + 2] !== DOT) return false;
    const next = b[at + 3];
    return next === undefined || next === SPACE || next === TAB || next === LF || next === CR;
  };
  if (isEnd(from)) return true;
  for (let at = b.indexOf('\n...', from); at !== -1; at = b.indexOf('\n...', at + 1)) if (isEnd(at + 1)) return true;
  return false;
}

/** Only blank lines and comments in [from, to). */
function onlyComments(b: Buffer, from: number, to: number): boolean {
  let lineStart = true;
  let inComment = false;
  for (let i = from; i < to; i++) {
    const c = b[i] as number;
    if (c === LF) {
      lineStart = true;
      inComment = false;
    } else if (inComment || c === SPACE || c === TAB || c === CR) {
      // blank or comment: nothing to decide yet
    } else if (lineStart && c === HASH) {
      inComment = true;
    } else {
      return false;
    }
  }
  return true;
}

/** The number of line feeds in [from, to): the line offset of a document that starts at `to`. */
export function countLines(b: Uint8Array, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (b[i] === LF) n++;
  return n;
}
