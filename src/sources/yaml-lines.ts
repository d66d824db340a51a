// Finds flow nodes (quoted scalars, flow collections) that continue past the end of their line.
// The `yaml` package requires their continuation lines to be indented more than the enclosing
// block collection and rejects the document otherwise; js-yaml accepts any indentation there, so
// the fast YAML path (yaml-fast.ts) leaves such text to the `yaml` path. Kubernetes manifests
// rarely break a flow node over lines, so the scan only has to be cheap and conservative: where it
// is unsure (a quote inside a plain scalar, say) it may answer true, never false for a flow node
// that does continue. It also answers true for two more things it sees on the way: a collection
// used as a key inside a flow mapping (`{[a], b: c}`: js-yaml makes it the key `a`, the `yaml`
// package `[ a ]`), and a comment right after a flow node (`"a"#c`, an error for the `yaml`
// package, a comment for js-yaml).
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const DQ = 0x22;
const SQ = 0x27;
const HASH = 0x23;
const COLON = 0x3a;
const DASH = 0x2d;
const COMMA = 0x2c;
const BACKSLASH = 0x5c;
const OPEN_SQ = 0x5b;
const CLOSE_SQ = 0x5d;
const OPEN_CURLY = 0x7b;
const CLOSE_CURLY = 0x7d;
const PIPE = 0x7c;
const GT = 0x3e;
const PLUS = 0x2b;

// also for the other cases above
const CROSSES = -1;

const isSpace = (c: number): boolean => c === SPACE || c === TAB || c === CR;
// the end of a token: white space, a line break or the end of the text (NaN)
const isBlank = (c: number): boolean => c === SPACE || c === TAB || c === CR || c === LF || Number.isNaN(c);

export function flowSpansLines(text: string): boolean {
  const n = text.length;
  let i = 0;
  // while >= 0, lines indented more than this (and blank lines) are block scalar content
  let contentAbove = -1;
  while (i < n) {
    const lineStart = i;
    while (text.charCodeAt(i) === SPACE) i++;
    const indent = i - lineStart;
    const c = text.charCodeAt(i);
    if (contentAbove >= 0) {
      if (indent > contentAbove || c === LF || c === CR || i >= n) {
        i = nextLine(text, i);
        continue;
      }
      contentAbove = -1;
    }
    const end = scanBlockLine(text, i, lineStart);
    if (end === CROSSES) return true;
    if (end < 0) {
      // a block scalar header: its content is the lines indented more than the node's column
      contentAbove = -end - 2;
      i = nextLine(text, i);
    } else i = end;
  }
  return false;
}

function nextLine(text: string, i: number): number {
  const nl = text.indexOf('\n', i);
  return nl === -1 ? text.length : nl + 1;
}

/**
 * Scans one line in block context from `i` (after the indentation). Returns the start of the next
 * line, CROSSES if a flow node continues past this line, or -2 - column for a block scalar header
 * (`|`, `>-`) whose node starts at that column.
 */
function scanBlockLine(text: string, i: number, lineStart: number): number {
  // the `- ` of block sequence entries
  while (text.charCodeAt(i) === DASH && isBlank(text.charCodeAt(i + 1))) {
    i++;
    while (isSpace(text.charCodeAt(i))) i++;
  }
  const column = i - lineStart;
  for (;;) {
    const c = text.charCodeAt(i);
    // at the start of a node
    if (c === DQ || c === SQ || c === OPEN_SQ || c === OPEN_CURLY) {
      i = scanFlow(text, i);
      if (i === CROSSES) return CROSSES;
    } else if (c === PIPE || c === GT) {
      let j = i + 1;
      if (text.charCodeAt(j) === DASH || text.charCodeAt(j) === PLUS) j++;
      if (isBlank(text.charCodeAt(j))) return -2 - column;
    }
    // the rest of the node, up to the next `: ` (a value follows), a comment or the line end
    for (;;) {
      const d = text.charCodeAt(i);
      if (d === LF || Number.isNaN(d)) return i + 1;
      if (d === HASH && (i === lineStart || isSpace(text.charCodeAt(i - 1)))) return nextLine(text, i);
      i++;
      if (d === COLON && isBlank(text.charCodeAt(i))) break;
    }
    while (isSpace(text.charCodeAt(i))) i++;
  }
}

/** Scans a quoted scalar or flow collection from its first character; its end, or CROSSES. */
function scanFlow(text: string, i: number): number {
  const end = scanFlowNode(text, i);
  return end !== CROSSES && text.charCodeAt(end) === HASH ? CROSSES : end;
}

function scanFlowNode(text: string, i: number): number {
  // the open collections, innermost last: true for a mapping
  const open: boolean[] = [];
  let nodeStart = true;
  let keyStart = false;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === LF || Number.isNaN(c)) return CROSSES;
    if (nodeStart && (c === DQ || c === SQ)) {
      i = c === DQ ? endOfDoubleQuoted(text, i + 1) : endOfSingleQuoted(text, i + 1);
      if (i === CROSSES || open.length === 0) return i;
      if (text.charCodeAt(i) === HASH) return CROSSES;
      nodeStart = keyStart = false;
    } else if (c === OPEN_SQ || c === OPEN_CURLY) {
      if (keyStart) return CROSSES;
      open.push(c === OPEN_CURLY);
      nodeStart = true;
      keyStart = c === OPEN_CURLY;
      i++;
    } else if (c === CLOSE_SQ || c === CLOSE_CURLY) {
      open.pop();
      i++;
      if (open.length === 0) return i;
      if (text.charCodeAt(i) === HASH) return CROSSES;
      nodeStart = keyStart = false;
    } else if (c === COMMA || c === COLON) {
      nodeStart = true;
      keyStart = c === COMMA && open[open.length - 1] === true;
      i++;
    } else if (c === HASH && isSpace(text.charCodeAt(i - 1))) {
      return CROSSES; // a comment: the collection goes on on the next line
    } else {
      if (!isSpace(c)) nodeStart = keyStart = false;
      i++;
    }
  }
}

function endOfDoubleQuoted(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === LF || Number.isNaN(c)) return CROSSES;
    if (c === DQ) return i + 1;
    i += c === BACKSLASH ? 2 : 1;
  }
}

function endOfSingleQuoted(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === LF || Number.isNaN(c)) return CROSSES;
    if (c === SQ) {
      if (text.charCodeAt(i + 1) !== SQ) return i + 1;
      i++;
    }
    i++;
  }
}
