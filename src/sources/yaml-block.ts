// The block-style YAML reader: the first of the three YAML paths (then yaml-fast.ts, js-yaml, then
// yaml-full.ts, the `yaml` package). It reads only what generators and `kubectl get -o yaml` write
// (block mappings and sequences, one-line plain and quoted scalars, flow collections closed on
// their line (yaml-block-flow.ts), comments, `---` between documents) and declines (undefined)
// anything else, which the next path reads. What it answers is what the `yaml` package gives
// (test/sources/yaml-block.test.ts holds it to that on a table and on seeded fuzz), built in one
// pass over the text: no document model, no second walk to detach strings (yaml-detached.ts) and
// share equal values, which it does as it goes (strings and values are shared within `into` in the
// same way, frozen). At 10,000 generated apps it reads several times faster than js-yaml followed
// by detached().
import { FLOAT, floatValue, INT, intValue } from './yaml-fast.ts';
import { MAP, NO_NAME, readFlow, SEQ, type FlowHost } from './yaml-block-flow.ts';
import { interned, ownCopy, type Interned } from './yaml-detached.ts';
import type { YamlDoc } from './yaml-full.ts';

/** Strings and values read so far within one Interned: each distinct one has a number. */
export interface BlockTable {
  /** a string's content, or "\u0001" + the text of another scalar -> its value and number */
  readonly scalars: Map<string, Scalar>;
  /** plain keys read so far (each resolved to a string once) */
  readonly keys: Map<string, Scalar>;
  /** a hash of a collection's entries' numbers -> the frozen copies with that hash */
  readonly values: Map<number, Shared>;
  next: number;
}

interface Scalar {
  readonly v: unknown;
  readonly id: number;
}

/** One frozen collection, its number, and its entries' numbers (keys' and values'). */
interface Shared {
  readonly v: object;
  readonly id: number;
  readonly kind: number;
  /** keys' and values' numbers, interleaved */
  readonly entries: readonly number[];
  readonly next: Shared | undefined;
}


/**
 * The entries of the collections being read, innermost last (the reader is not re-entrant:
 * one runs at a time in a thread); each collection takes its entries off when it is made.
 */
const stack = { values: [] as unknown[], names: [] as Array<string | undefined>, nameIds: [] as number[], ids: [] as number[] };

// Wherever they are, these leave the text to the other paths: tab, carriage return and other
// control characters, C1, surrogates (astral characters), byte order marks, non-characters.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds.
const UNUSUAL = /[\x00-\x09\x0B-\x1F\x7F-\x9F\uD800-\uDFFF\uFEFF\uFFFE\uFFFF]/;
// The `yaml` package refuses implicit keys over 1024 characters.
const MAX_KEY = 1000;
const MAX_DEPTH = 64;
const LF = 10;
const SPACE = 32;
const HASH = 35;
const DASH = 45;
const COLON = 58;
const DQUOTE = 34;
const SQUOTE = 39;
const BACKSLASH = 92;
// Characters a plain scalar may not start with (c-indicator; `-` is checked apart), and flow
// indicators, which the reader leaves to the others anywhere in a plain scalar.
const INDICATOR = table('?:,[]{}#&*!|>\'"%@`');
const FLOW = table('[]{}');
const FLOW_OR_COMMA = table('[]{},');
const NULL_ID = 0;
const TRUE_ID = 1;
const FALSE_ID = 2;

function table(chars: string): Uint8Array {
  const t = new Uint8Array(128);
  for (const c of chars) t[c.charCodeAt(0)] = 1;
  return t;
}

/** Thrown (one object, no stack) when the text is not one the reader answers for. */
const DECLINE = Object.freeze({ decline: true });

/** The documents of `text` as the `yaml` path reads them, or undefined when another path must. */
export function parseYAMLBlock(text: string, into: Interned = interned()): YamlDoc[] | undefined {
  if (UNUSUAL.test(text)) return undefined;
  const table = (into.block ??= { scalars: new Map(), keys: new Map(), values: new Map(), next: 3 } satisfies BlockTable) as BlockTable;
  try {
    return new BlockReader(text, table, into).documents();
  } catch (err) {
    if (err === DECLINE) return undefined;
    throw err;
  } finally {
    stack.values.length = stack.names.length = stack.nameIds.length = stack.ids.length = 0;
  }
}

class BlockReader implements FlowHost {
  readonly t: string;
  readonly n: number;
  readonly table: BlockTable;
  readonly into: Interned;
  /** the current line: its start, its content's start (`c - p` is its indentation), its end */
  p = 0;
  c = 0;
  e = 0;
  /** no content line left in this document (a `---` line or the end of the text) */
  end = false;
  /** the number of the value last read */
  id = 0;
  /** the top of `stack` */
  sp = 0;

  constructor(text: string, table: BlockTable, into: Interned) {
    this.t = text;
    this.n = text.length;
    this.table = table;
    this.into = into;
  }

  documents(): YamlDoc[] {
    const out: YamlDoc[] = [];
    this.seek(0);
    // Text before the first `---` is a document when it holds anything but comments.
    let doc = this.end && this.p < this.n ? -1 : 0;
    for (;;) {
      if (!this.end) {
        out.push({ doc, value: this.node(0) });
        if (!this.end) throw DECLINE; // content after the document's top node
      }
      if (this.p >= this.n) return out;
      // at a `---` line: a new document
      doc++;
      const rest = this.p + 3;
      if (rest < this.n && this.t.charCodeAt(rest) !== LF) this.blankFrom(rest, this.lineEnd(rest));
      this.seek(this.lineEnd(rest) + 1);
    }
  }

  decline(): never {
    throw DECLINE;
  }

  lineEnd(from: number): number {
    const e = this.t.indexOf('\n', from);
    return e === -1 ? this.n : e;
  }

  /** Moves to the first content line at or after `q` (a line start), or to the end of the document. */
  seek(q: number): void {
    const t = this.t;
    for (;;) {
      if (q >= this.n) {
        this.p = this.c = this.e = this.n;
        this.end = true;
        return;
      }
      const e = this.lineEnd(q);
      let c = q;
      while (c < e && t.charCodeAt(c) === SPACE) c++;
      if (c < e && t.charCodeAt(c) !== HASH) {
        if (c === q) {
          const c0 = t.charCodeAt(q);
          if ((c0 === DASH || c0 === 46) && t.startsWith(c0 === DASH ? '---' : '...', q) && (q + 3 === e || t.charCodeAt(q + 3) === SPACE)) {
            if (c0 !== DASH) throw DECLINE; // `...`: a document end marker
            this.p = q;
            this.c = q;
            this.e = e;
            this.end = true;
            return;
          }
          if (c0 === 37) throw DECLINE; // `%`: a directive
        }
        this.p = q;
        this.c = c;
        this.e = e;
        this.end = false;
        return;
      }
      q = e + 1;
    }
  }

  next(): void {
    this.seek(this.e + 1);
  }

  /** The node starting at the current line's content: a sequence or a mapping. */
  node(depth: number): unknown {
    if (depth > MAX_DEPTH) throw DECLINE;
    const col = this.c - this.p;
    if (this.isEntry(this.c)) return this.sequence(col, depth);
    if (this.keyEnd(this.c) >= 0) return this.mapping(col, this.c, depth);
    throw DECLINE; // a scalar on a line of its own
  }

  /** `-` followed by a space or the end of the line at `at`. */
  isEntry(at: number): boolean {
    return this.t.charCodeAt(at) === DASH && (at + 1 === this.e || this.t.charCodeAt(at + 1) === SPACE);
  }

  sequence(col: number, depth: number): unknown {
    if (depth > MAX_DEPTH) throw DECLINE;
    const t = this.t;
    const base = this.sp;
    for (;;) {
      let q = this.c + 1;
      while (q < this.e && t.charCodeAt(q) === SPACE) q++;
      // an entry on the lines below its `-`, or a compact nested sequence
      if (q >= this.e || t.charCodeAt(q) === HASH || this.isEntry(q)) throw DECLINE;
      let v: unknown;
      if (this.keyEnd(q) >= 0) v = this.mapping(q - this.p, q, depth + 1);
      else {
        v = this.inline(q, depth + 1);
        this.next();
      }
      this.push(v, undefined, NO_NAME);
      if (this.end || this.c - this.p < col) break;
      if (this.c - this.p > col) throw DECLINE;
      if (!this.isEntry(this.c)) break; // the next key of the mapping this sequence is a value of
    }
    return this.collection(SEQ, base);
  }

  /** A block mapping at column `col`, its first key at `first` on the current line. */
  mapping(col: number, first: number, depth: number): unknown {
    if (depth > MAX_DEPTH) throw DECLINE;
    const t = this.t;
    const base = this.sp;
    let seen: Set<number> | undefined;
    let q = first;
    for (;;) {
      const colon = this.keyEnd(q);
      if (colon < 0) throw DECLINE;
      const name = this.keyName(q, colon);
      const nameId = this.id;
      // `__proto__` is left to the paths that define it as an own key
      if (name === '__proto__' || this.duplicate(base, nameId, seen)) throw DECLINE;
      if (this.sp - base >= 32) (seen ??= new Set(this.nameIds(base))).add(nameId);
      let r = colon + 1;
      while (r < this.e && t.charCodeAt(r) === SPACE) r++;
      let v: unknown;
      if (r >= this.e || t.charCodeAt(r) === HASH) {
        // the value is on the lines below, or empty
        this.next();
        const indent = this.c - this.p;
        if (!this.end && indent > col) v = this.node(depth + 1);
        else if (!this.end && indent === col && this.isEntry(this.c)) v = this.sequence(col, depth + 1);
        else {
          v = null;
          this.id = NULL_ID;
        }
      } else {
        v = this.inline(r, depth + 1);
        this.next();
      }
      this.push(v, name, nameId);
      if (this.end || this.c - this.p < col) break;
      if (this.c - this.p > col || this.isEntry(this.c)) throw DECLINE;
      q = this.c;
    }
    return this.collection(MAP, base);
  }

  /** The key `nameId` is already among the entries from `base` (a duplicate key). */
  duplicate(base: number, nameId: number, seen: Set<number> | undefined): boolean {
    if (seen !== undefined) return seen.has(nameId);
    for (let i = base; i < this.sp; i++) if (stack.nameIds[i] === nameId) return true;
    return false;
  }

  nameIds(base: number): number[] {
    return stack.nameIds.slice(base, this.sp);
  }

  /** An entry of the collection being read; its value's number is `id`. */
  push(v: unknown, name: string | undefined, nameId: number): void {
    stack.values[this.sp] = v;
    stack.names[this.sp] = name;
    stack.nameIds[this.sp] = nameId;
    stack.ids[this.sp] = this.id;
    this.sp++;
  }

  /**
   * The position of the `:` that ends the implicit key at `q`, or -1 when the line holds no key
   * there (it is a scalar). Keys the reader leaves to the others throw.
   */
  keyEnd(q: number): number {
    const t = this.t;
    const e = this.e;
    const c0 = t.charCodeAt(q);
    let i: number;
    // a flow collection is a value (inline() declines one followed by `:`, an implicit key)
    if (c0 === 91 || c0 === 123) return -1;
    if (c0 === DQUOTE || c0 === SQUOTE) {
      i = this.quoteEnd(q);
      while (i < e && t.charCodeAt(i) === SPACE) i++;
      return i < e && t.charCodeAt(i) === COLON && (i + 1 === e || t.charCodeAt(i + 1) === SPACE) ? i : -1;
    }
    let flow = false;
    for (i = q; i < e; i++) {
      const ch = t.charCodeAt(i);
      if (ch === COLON && (i + 1 === e || t.charCodeAt(i + 1) === SPACE)) break;
      if (ch === HASH && t.charCodeAt(i - 1) === SPACE) return -1;
      if (FLOW_OR_COMMA[ch] === 1) flow = true;
    }
    if (i >= e) return -1;
    if (flow || INDICATOR[c0] === 1 || c0 === DASH || i - q > MAX_KEY) throw DECLINE;
    return i;
  }

  /** The key at `q` ending at `colon`, as a string (its number in `id`); other keys throw. */
  keyName(q: number, colon: number): string {
    const c0 = this.t.charCodeAt(q);
    if (c0 === DQUOTE || c0 === SQUOTE) {
      if (colon - q > MAX_KEY) throw DECLINE;
      return this.quoted(q) as string;
    }
    let end = colon;
    while (this.t.charCodeAt(end - 1) === SPACE) end--;
    const raw = this.t.slice(q, end);
    // Keys repeat: each distinct one is resolved once.
    let have = this.table.keys.get(raw);
    if (have === undefined) {
      // `<<` is a merge key; a key that is not a string (null, true, 1) is stringified differently
      // by the two libraries.
      if (raw === '<<' || typeof this.plain(raw) !== 'string') throw DECLINE;
      this.table.keys.set(raw, (have = this.table.scalars.get(raw) as Scalar));
    }
    this.id = have.id;
    return have.v as string;
  }

  /** The scalar or flow collection at `q` (the rest of the line must be blank or a comment), its number in `id`. */
  inline(q: number, depth: number): unknown {
    const t = this.t;
    const c0 = t.charCodeAt(q);
    if (c0 === DQUOTE || c0 === SQUOTE) {
      const v = this.quoted(q);
      this.afterValue(this.quoteEnd(q));
      return v;
    }
    if (c0 === 91 || c0 === 123) {
      // a flow collection closed on this line (yaml-block-flow.ts)
      const { value, end } = readFlow(this, q, depth);
      this.afterValue(end);
      return value;
    }
    if (INDICATOR[c0] === 1 || (c0 === DASH && (q + 1 === this.e || t.charCodeAt(q + 1) === SPACE))) throw DECLINE;
    let end = this.e;
    for (let i = q; i < this.e; i++) {
      const ch = t.charCodeAt(i);
      if (ch === HASH && t.charCodeAt(i - 1) === SPACE) {
        end = i;
        break;
      }
      // `: ` or a final `:` is a mapping the `yaml` package refuses here; flow indicators are left alone
      if ((ch === COLON && (i + 1 === this.e || t.charCodeAt(i + 1) === SPACE)) || FLOW[ch] === 1) throw DECLINE;
    }
    while (t.charCodeAt(end - 1) === SPACE) end--;
    return this.plain(t.slice(q, end));
  }

  /** After a value ending at `at`: blank, or a comment after a space. */
  afterValue(at: number): void {
    if (at < this.e && this.t.charCodeAt(at) !== SPACE) throw DECLINE;
    this.blankFrom(at, this.e);
  }

  /** Only spaces, then maybe a comment, in [at, e) (a comment needs a space before it). */
  blankFrom(at: number, e: number): void {
    let i = at;
    while (i < e && this.t.charCodeAt(i) === SPACE) i++;
    if (i < e && (this.t.charCodeAt(i) !== HASH || i === at)) throw DECLINE;
  }

  /** Just past the closing quote of the quoted scalar at `q`, on its line. */
  quoteEnd(q: number): number {
    const t = this.t;
    const quote = t.charCodeAt(q);
    for (let i = q + 1; i < this.e; i++) {
      const ch = t.charCodeAt(i);
      if (quote === DQUOTE && ch === BACKSLASH) i++;
      else if (ch === quote) {
        if (quote === SQUOTE && t.charCodeAt(i + 1) === SQUOTE) i++;
        else return i + 1;
      }
    }
    throw DECLINE; // a quoted scalar over several lines
  }

  quoted(q: number): string {
    const end = this.quoteEnd(q) - 1;
    let s = this.t.slice(q + 1, end);
    if (this.t.charCodeAt(q) === SQUOTE) s = s.replaceAll("''", "'");
    else if (s.includes('\\')) {
      // JSON's escapes mean the same in YAML; \u is left out (surrogates), YAML's own are declined.
      if (s.includes('\\u')) throw DECLINE;
      try {
        s = JSON.parse(`"${s}"`) as string;
      } catch {
        throw DECLINE;
      }
    }
    return this.str(s);
  }

  /** A plain scalar resolved as YAML 1.2 core does. */
  plain(s: string): unknown {
    const c0 = s.charCodeAt(0);
    if ((c0 >= 48 && c0 <= 57) || c0 === 43 || c0 === DASH || c0 === 46) {
      if (INT.test(s)) return this.other(s, intValue(s));
      if (FLOAT.test(s)) return this.other(s, floatValue(s));
    }
    switch (s) {
      case '':
      case '~':
      case 'null':
      case 'Null':
      case 'NULL':
        this.id = NULL_ID;
        return null;
      case 'true':
      case 'True':
      case 'TRUE':
        this.id = TRUE_ID;
        return true;
      case 'false':
      case 'False':
      case 'FALSE':
        this.id = FALSE_ID;
        return false;
      default:
        return this.str(s);
    }
  }

  /** A number, by the text it was read from (equal texts, equal numbers). */
  other(text: string, v: unknown): unknown {
    const k = `\u0001${text}`;
    let have = this.table.scalars.get(k);
    if (have === undefined) this.table.scalars.set(k, (have = { v, id: this.table.next++ }));
    this.id = have.id;
    return have.v;
  }

  /** The one copy of a string (not a slice of the text: see yaml-detached.ts). */
  str(s: string): string {
    let have = this.table.scalars.get(s);
    if (have === undefined) {
      const own = ownCopy(s);
      this.table.scalars.set(own, (have = { v: own, id: this.table.next++ }));
    }
    this.id = have.id;
    return have.v as string;
  }

  /**
   * The collection of the entries from `base`: the one frozen copy with this content, found by
   * its entries' numbers before anything is built, so that a repeated value costs no object.
   */
  collection(kind: number, base: number): unknown {
    const n = this.sp - base;
    let h = kind;
    for (let i = base; i < this.sp; i++) h = Math.imul(Math.imul(h ^ stack.nameIds[i]!, 0x01000193) ^ stack.ids[i]!, 0x01000193);
    const first = this.table.values.get(h);
    for (let e = first; e !== undefined; e = e.next) if (e.kind === kind && sameEntries(e, base, n)) return this.found(e, base);
    let v: object;
    if (kind === SEQ) v = stack.values.slice(base, this.sp);
    else {
      const o: Record<string, unknown> = {};
      for (let i = base; i < this.sp; i++) o[stack.names[i]!] = stack.values[i];
      v = o;
    }
    const entries = new Array<number>(2 * n);
    for (let i = 0; i < n; i++) {
      entries[2 * i] = stack.nameIds[base + i]!;
      entries[2 * i + 1] = stack.ids[base + i]!;
    }
    const e: Shared = { v: Object.freeze(v), id: this.table.next++, kind, entries, next: first };
    this.table.values.set(h, e);
    return this.found(e, base);
  }

  found(e: Shared, base: number): unknown {
    // Lets go of what the stack held above `base`.
    for (let i = base; i < this.sp; i++) stack.values[i] = stack.names[i] = undefined;
    this.sp = base;
    this.id = e.id;
    return e.v;
  }
}

function sameEntries(e: Shared, base: number, n: number): boolean {
  const entries = e.entries;
  if (entries.length !== 2 * n) return false;
  for (let i = 0; i < n; i++) if (entries[2 * i] !== stack.nameIds[base + i] || entries[2 * i + 1] !== stack.ids[base + i]) return false;
  return true;
}
