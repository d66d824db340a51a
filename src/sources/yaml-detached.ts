// What the source keeps of a parsed file, made as small as its content allows:
// - Strings cut out of the file text by a YAML parser can be V8 "sliced strings" that keep the
//   whole text of the file alive for as long as any of them is; at 10,000 files that doubled the
//   memory held by parsed resources. A copy of each long string (V8 slices only strings of 13
//   characters or more) drops the reference to the text. Equal strings of one file (namespace,
//   port names, addresses) are stored once (`strings`), and so are equal strings of different
//   files (ownCopy: apiVersions, kinds, namespaces were 8.5 MiB of copies at 10,000 files).
// - Equal objects and arrays of one file are stored once too, frozen. Knative writes each ingress
//   rule twice (external and cluster-local visibility) with the same paths, splits and headers;
//   sharing them took the 10,000 bench apps from 69 to 41 MiB. Frozen, because a value shared by
//   two places must not be changed through one of them (nothing downstream changes its input).
// Structure, key order and values stay exactly the same. Both YAML paths (yaml-full.ts,
// yaml-fast.ts) slice strings out of the text, so both use this.

/** One file's shared strings and values. */
export interface Interned {
  readonly strings: Map<string, string>;
  /** a value's shape (see keyOf) -> the one frozen copy */
  readonly values: Map<string, object>;
  /** the number of each shared object or array, for the keys of the values that hold it */
  readonly ids: Map<object, number>;
  /** values kept unshared so far (each gets a key of its own) */
  unshared: number;
  /** the block-style reader's own table (yaml-block.ts), made on its first use */
  block?: unknown;
}

export function interned(): Interned {
  return { strings: new Map(), values: new Map(), ids: new Map(), unshared: 0 };
}

export function detached(value: unknown, into: Interned): unknown {
  if (typeof value === 'string') return str(value, into);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const out = value.map((v) => detached(v, into));
    return share(out, `[${out.map((v) => keyOf(v, into)).join(',')}`, into);
  }
  // Anything but a plain object (a Date from a YAML timestamp) is kept as it is, not shared.
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  const out: Record<string, unknown> = {};
  let key = '{';
  for (const k of Object.keys(value)) {
    const v = detached((value as Record<string, unknown>)[k], into);
    key += `${JSON.stringify(k)}:${keyOf(v, into)},`;
    // defineProperty: a `__proto__` key stays an ordinary key, as the YAML parser made it. It is
    // only for that key: defineProperty for every key made this walk 2-3x slower.
    if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    else out[k] = v;
  }
  return share(out, key, into);
}

function str(s: string, into: Interned): string {
  let out = into.strings.get(s);
  if (out === undefined) into.strings.set(s, (out = ownCopy(s)));
  return out;
}

// Longer strings are rarely repeated across files (certificates, annotations): a copy of their own.
const SHARED_UP_TO = 256;

// The object ownCopy sets one key of at a time (created without a prototype: dictionary mode).
const INTERN: Record<string, number> = Object.create(null);

/**
 * A copy of `s` that is not a slice of a file's text: for strings up to SHARED_UP_TO characters,
 * the one copy V8 keeps in its string table (a property name is internalized), shared by every
 * file that holds the string and dropped by V8 when none does, so nothing here grows; longer ones
 * a fresh flat copy.
 */
export function ownCopy(s: string): string {
  if (s.length > SHARED_UP_TO) return JSON.parse(JSON.stringify(s)) as string;
  // One dictionary-mode object, emptied after each use: a new `{ [s]: 0 }` per string made V8 a
  // hidden class per distinct string, about twice the CPU (and garbage) of this.
  INTERN[s] = 0;
  let out = s;
  for (const k in INTERN) out = k;
  delete INTERN[s];
  return out;
}


/** The shared copy of a value with this key, `made` (frozen) when it is the first. */
function share<T extends object>(made: T, key: string, into: Interned): T {
  const have = into.values.get(key);
  if (have !== undefined) return have as T;
  into.values.set(key, Object.freeze(made));
  into.ids.set(made, into.ids.size);
  return made;
}

/**
 * A detached value's key in its parent's: scalars as JSON (typed: 1 and "1" differ), shared
 * values by number (equal keys mean equal content, so a number stands for the content). Keys are
 * linear in a value's own size, not its depth.
 */
function keyOf(v: unknown, into: Interned): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (v === undefined) return 'u';
  if (v === null || typeof v === 'boolean') return String(v);
  if (typeof v === 'object') {
    const id = into.ids.get(v);
    // A value not shared (a Date): unique, so it never makes two parents equal.
    return id === undefined ? `!${into.unshared++}` : `#${id}`;
  }
  return `?${typeof v}:${String(v)}`;
}
