// A tiny subset of Go's `encoding/json` output, enough to reproduce knative.dev/networking
// `ingress.ComputeHash` byte for byte. Go's encoder differs from JSON.stringify in three ways
// that matter here: it escapes `<`, `>`, `&` (HTML-safe by default) and U+2028/U+2029, and it
// sorts map keys by their UTF-8 bytes. Struct fields are written by the caller in Go field order.

/** A value Go would encode; objects are written in insertion order (callers build them in field order). */
export type GoValue = string | number | null | readonly GoValue[] | GoStruct | GoMap;

/** A Go struct: fields in declaration order. */
export class GoStruct {
  constructor(readonly fields: ReadonlyArray<readonly [string, GoValue]>) {}
}

/** A Go map[string]T: keys are sorted on output. */
export class GoMap {
  constructor(readonly entries: ReadonlyMap<string, GoValue>) {}
}

// Go 1.22+ writes \b and \f in short form, as it does \n \r \t; other controls as \u00xx.
const SHORT: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const ESCAPED = /["\\\u0000-\u001f<>&\u2028\u2029]/;

/** Encodes a string the way Go's json.Marshal does (HTML escaping on). */
export function goString(s: string): string {
  // Host names, paths and Service names need no escaping: skip the replace (a quarter of the
  // Knative hash's time at 10,000 ingresses).
  if (!ESCAPED.test(s)) return '"' + s + '"';
  // Lone surrogates cannot come out of Go's decoder (it turns them into U+FFFD), and
  // Buffer.from(…, 'utf8') does the same replacement when the result is hashed.
  return '"' + s.replace(/["\\\u0000-\u001f<>&\u2028\u2029]/g, (c) => SHORT[c] ?? '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')) + '"';
}

/** Compares strings by UTF-8 bytes, as Go's `sort.Strings` does (differs from UTF-16 order above U+FFFF). */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export function goEncode(v: GoValue): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return goString(v);
  if (typeof v === 'number') return String(Math.trunc(v));
  if (v instanceof GoStruct) return '{' + v.fields.map(([k, x]) => goString(k) + ':' + goEncode(x)).join(',') + '}';
  if (v instanceof GoMap) {
    const keys = [...v.entries.keys()].sort(compareUtf8);
    return '{' + keys.map((k) => goString(k) + ':' + goEncode(v.entries.get(k) as GoValue)).join(',') + '}';
  }
  return '[' + (v as readonly GoValue[]).map(goEncode).join(',') + ']';
}
