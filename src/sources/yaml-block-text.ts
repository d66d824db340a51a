// The block-style reader's walk over the text (yaml-block.ts): content lines one at a time (comments and
// blank lines passed over, a `---` line ends a document), what may follow a value, and quoted scalars.
import type { Interned } from './yaml-detached.ts';
import { type BlockTable, BlockValues } from './yaml-block-values.ts';

const SPACE = 32;
const HASH = 35;
const DASH = 45;
const DQUOTE = 34;
const SQUOTE = 39;
const BACKSLASH = 92;

/** Thrown (one object, no stack) when the text is not one the reader answers for. */
export const DECLINE = Object.freeze({ decline: true });

export class BlockText extends BlockValues {
  readonly t: string;
  readonly n: number;
  readonly into: Interned;
  /** the current line: its start, its content's start (`c - p` is its indentation), its end */
  p = 0;
  c = 0;
  e = 0;
  /** no content line left in this document (a `---` line or the end of the text) */
  end = false;

  constructor(text: string, table: BlockTable, into: Interned) {
    super(table);
    this.t = text;
    this.n = text.length;
    this.into = into;
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

}
