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
import { MAP, NO_NAME, readFlow, SEQ, type FlowHost } from './yaml-block-flow.ts';
import { interned, type Interned } from './yaml-detached.ts';
import type { YamlDoc } from './yaml-full.ts';
import { blockTable, type BlockTable, clearStack, NULL_ID, type Scalar } from './yaml-block-values.ts';
import { BlockText, DECLINE } from './yaml-block-text.ts';

export type { BlockTable } from './yaml-block-values.ts';

// Wherever they are, these leave the text to the other paths: tab, carriage return and other
// control characters, C1, surrogates (astral characters), byte order marks, non-characters.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds.
const UNUSUAL = /[\x00-\x09\x0B-\x1F\x7F-\x9F\uD800-\uDFFF\uFEFF\uFFFE\uFFFF]/;
// The `yaml` package refuses implicit keys over 1024 characters.
const MAX_KEY = 1000;
const MAX_DEPTH = 64;
// Character codes are local constants in each of the reader's files, which the compiler folds.
const LF = 10;
const SPACE = 32;
const HASH = 35;
const DASH = 45;
const COLON = 58;
const DQUOTE = 34;
const SQUOTE = 39;
// Characters a plain scalar may not start with (c-indicator; `-` is checked apart), and flow
// indicators, which the reader leaves to the others anywhere in a plain scalar.
const INDICATOR = table('?:,[]{}#&*!|>\'"%@`');
const FLOW = table('[]{}');
const FLOW_OR_COMMA = table('[]{},');

function table(chars: string): Uint8Array {
  const t = new Uint8Array(128);
  for (const c of chars) t[c.charCodeAt(0)] = 1;
  return t;
}

/** The documents of `text` as the `yaml` path reads them, or undefined when another path must. */
export function parseYAMLBlock(text: string, into: Interned = interned()): YamlDoc[] | undefined {
  if (UNUSUAL.test(text)) return undefined;
  const table = (into.block ??= blockTable()) as BlockTable;
  try {
    return new BlockReader(text, table, into).documents();
  } catch (err) {
    if (err === DECLINE) return undefined;
    throw err;
  } finally {
    clearStack();
  }
}

/** Block structure: documents, block sequences and mappings, keys, and the value on a key's line. */
class BlockReader extends BlockText implements FlowHost {
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

}
