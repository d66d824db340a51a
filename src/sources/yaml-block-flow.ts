// One-line flow collections for the block-style reader (yaml-block.ts): `[a, "b", {c: 1}]` and
// `{ name: x, port: 80 }` as the value of a key or a sequence entry, closed on the line they open
// on. Generators and people write Gateway API routes this way (`parentRefs: [{ name: gw }]`); the
// block reader used to leave every such file to js-yaml and detached(), several times slower.
// Only the plainest form is read, and anything where the two YAML libraries or the spec's corners
// could differ is declined (the whole text then goes to the next path): single-pair mappings in a
// sequence (`[a: b]`), keys without a value (`{a}`), empty and trailing entries (`[a,,b]`,
// `[a,]`), `:` inside a plain scalar, comments, and a collection not closed on its line.
// test/sources/yaml-block.test.ts holds the result to the `yaml` package's on a table and on
// seeded fuzz (yaml-gen.ts writes flow collections).

/** What of the block reader a flow collection is read with (BlockReader implements it). */
export interface FlowHost {
  readonly t: string;
  /** the end of the current line */
  readonly e: number;
  /** the number of the value last read */
  id: number;
  /** the top of the entry stack */
  sp: number;
  push(v: unknown, name: string | undefined, nameId: number): void;
  collection(kind: number, base: number): unknown;
  duplicate(base: number, nameId: number, seen: Set<number> | undefined): boolean;
  /** the key numbers of the entries from `base` */
  nameIds(base: number): number[];
  keyName(q: number, colon: number): string;
  quoted(q: number): string;
  quoteEnd(q: number): number;
  plain(s: string): unknown;
  /** throws: the text is left to the other paths */
  decline(): never;
}

export const SEQ = 0x2f3b5a71;
export const MAP = 0x6c8e9cf5;
export const NO_NAME = -1;
const MAX_DEPTH = 64;
const MAX_KEY = 1000;
const SPACE = 32;
const HASH = 35;
const DASH = 45;
const COLON = 58;
const COMMA = 44;
const DQUOTE = 34;
const SQUOTE = 39;
const OPEN_SEQ = 91;
const CLOSE_SEQ = 93;
const OPEN_MAP = 123;
const CLOSE_MAP = 125;
// Characters a plain scalar may not start with (with `-` followed by a space or a flow indicator).
const INDICATOR = table('?:,[]{}#&*!|>\'"%@`');
// Characters that end a plain scalar in a flow collection, or that the reader declines in one.
const STOP = table(',[]{}:#');

function table(chars: string): Uint8Array {
  const t = new Uint8Array(128);
  for (const c of chars) t[c.charCodeAt(0)] = 1;
  return t;
}

/**
 * The flow collection opening at `q` (`[` or `{`) on the current line: its value (shared as the
 * block reader shares, its number in `h.id`) and the position just past its closing bracket.
 */
export function readFlow(h: FlowHost, q: number, depth: number): { value: unknown; end: number } {
  const scan = new FlowScan(h, q);
  const value = scan.collection(depth);
  return { value, end: scan.i };
}

class FlowScan {
  readonly h: FlowHost;
  readonly t: string;
  /** the position reached */
  i: number;

  constructor(h: FlowHost, q: number) {
    this.h = h;
    this.t = h.t;
    this.i = q;
  }

  spaces(): void {
    while (this.i < this.h.e && this.t.charCodeAt(this.i) === SPACE) this.i++;
  }

  /** The character at the position reached, or -1 at the end of the line. */
  at(): number {
    return this.i < this.h.e ? this.t.charCodeAt(this.i) : -1;
  }

  /** The collection opening at the position reached; moves past its closing bracket. */
  collection(depth: number): unknown {
    const h = this.h;
    if (depth > MAX_DEPTH) h.decline();
    const open = this.at();
    const kind = open === OPEN_SEQ ? SEQ : MAP;
    const close = open === OPEN_SEQ ? CLOSE_SEQ : CLOSE_MAP;
    const base = h.sp;
    let seen: Set<number> | undefined;
    this.i++;
    this.spaces();
    if (this.at() !== close) {
      for (;;) {
        if (kind === SEQ) {
          const v = this.value(depth);
          h.push(v, undefined, NO_NAME);
        } else {
          const colon = this.keyEnd();
          const name = h.keyName(this.i, colon);
          const nameId = h.id;
          if (name === '__proto__' || h.duplicate(base, nameId, seen)) h.decline();
          if (h.sp - base >= 32) (seen ??= new Set(h.nameIds(base))).add(nameId);
          // `a: b` only: a value must follow `: ` (an empty one is declined)
          if (this.t.charCodeAt(colon + 1) !== SPACE) h.decline();
          this.i = colon + 1;
          this.spaces();
          const v = this.value(depth);
          h.push(v, name, nameId);
        }
        this.spaces();
        const ch = this.at();
        if (ch === close) break;
        if (ch !== COMMA) h.decline();
        this.i++;
        this.spaces();
        // a trailing comma, or an empty entry
        const next = this.at();
        if (next === -1 || next === COMMA || next === CLOSE_SEQ || next === CLOSE_MAP) h.decline();
      }
    }
    this.i++;
    return h.collection(kind, base);
  }

  /** An entry's value: a nested collection, a quoted or a plain scalar (its number in `h.id`). */
  value(depth: number): unknown {
    const h = this.h;
    const t = this.t;
    const q = this.i;
    const c0 = this.at();
    if (c0 === OPEN_SEQ || c0 === OPEN_MAP) return this.collection(depth + 1);
    if (c0 === DQUOTE || c0 === SQUOTE) {
      const v = h.quoted(q);
      this.i = h.quoteEnd(q);
      this.spaces();
      // `"a": b` in a sequence, or `a: "b": c`
      if (this.at() === COLON) h.decline();
      return v;
    }
    if (c0 === -1 || (c0 < 128 && INDICATOR[c0] === 1)) h.decline();
    if (c0 === DASH) {
      const c1 = q + 1 < h.e ? t.charCodeAt(q + 1) : -1;
      if (c1 === -1 || c1 === SPACE || (c1 < 128 && STOP[c1] === 1)) h.decline();
    }
    let j = q;
    for (; j < h.e; j++) {
      const ch = t.charCodeAt(j);
      if (ch < 128 && STOP[ch] === 1) {
        // `:` (a mapping, or a scalar holding one) and `#` after a space (a comment) are declined;
        // `[` and `{` inside a plain scalar too
        if (ch === COLON || ch === OPEN_SEQ || ch === OPEN_MAP || (ch === HASH && t.charCodeAt(j - 1) === SPACE)) h.decline();
        if (ch !== HASH) break;
      }
    }
    if (j >= h.e) h.decline();
    this.i = j;
    while (t.charCodeAt(j - 1) === SPACE) j--;
    return h.plain(t.slice(q, j));
  }

  /** The `:` ending the implicit key at the position reached (a plain or quoted scalar). */
  keyEnd(): number {
    const h = this.h;
    const t = this.t;
    const q = this.i;
    const c0 = this.at();
    let j: number;
    if (c0 === DQUOTE || c0 === SQUOTE) {
      j = h.quoteEnd(q);
      while (j < h.e && t.charCodeAt(j) === SPACE) j++;
    } else {
      if (c0 === -1 || (c0 < 128 && INDICATOR[c0] === 1) || c0 === DASH) h.decline();
      for (j = q; j < h.e; j++) {
        const ch = t.charCodeAt(j);
        if (ch < 128 && STOP[ch] === 1 && !(ch === HASH && t.charCodeAt(j - 1) !== SPACE)) break;
      }
    }
    if (j >= h.e || t.charCodeAt(j) !== COLON || j - q > MAX_KEY) h.decline();
    return j;
  }
}
