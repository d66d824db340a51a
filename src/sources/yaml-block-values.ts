// The block-style reader's values (yaml-block.ts): each distinct scalar and collection read within
// one Interned is one frozen copy with a number, found by its text or by its entries' numbers before
// anything is built, so that a repeated value costs no object.
import { FLOAT, floatValue, INT, intValue } from './yaml-fast.ts';
import { SEQ } from './yaml-block-flow.ts';
import { ownCopy } from './yaml-detached.ts';

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

export interface Scalar {
  readonly v: unknown;
  readonly id: number;
}

/** One frozen collection, its number, and its entries' numbers (keys' and values'). */
export interface Shared {
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

const DASH = 45;
export const NULL_ID = 0;
const TRUE_ID = 1;
const FALSE_ID = 2;

/** A table for a new Interned: the numbers below 3 are null, true and false. */
export function blockTable(): BlockTable {
  return { scalars: new Map(), keys: new Map(), values: new Map(), next: 3 };
}

/** Lets go of the entries a read left on the stack (one that declined midway). */
export function clearStack(): void {
  stack.values.length = stack.names.length = stack.nameIds.length = stack.ids.length = 0;
}

/** The values and entries of one read: the numbers of what it read last, and the collections being read. */
export class BlockValues {
  readonly table: BlockTable;
  /** the number of the value last read */
  id = 0;
  /** the top of `stack` */
  sp = 0;

  constructor(table: BlockTable) {
    this.table = table;
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
