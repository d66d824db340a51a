// A tiny subset of Go's `encoding/json` output, enough to reproduce knative.dev/networking
// `ingress.ComputeHash` byte for byte. Go's encoder differs from JSON.stringify in three ways
// that matter here: it escapes `<`, `>`, `&` (HTML-safe by default) and U+2028/U+2029, and it
// sorts map keys by their UTF-8 bytes. The encoders in hash.ts write struct fields in Go field order.

// Go 1.22+ writes \b and \f in short form, as it does \n \r \t; other controls as \u00xx.
const SHORT: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

// biome-ignore lint/suspicious/noControlCharactersInRegex: Go escapes control characters; this finds them.
const ESCAPED = /["\\\u0000-\u001f<>&\u2028\u2029]/;

/** Encodes a string the way Go's json.Marshal does (HTML escaping on). */
export function goString(s: string): string {
  // Host names, paths and Service names need no escaping: skip the replace (a quarter of the
  // Knative hash's time at 10,000 ingresses).
  if (!ESCAPED.test(s)) return '"' + s + '"';
  // Lone surrogates cannot come out of Go's decoder (it turns them into U+FFFD), and
  // Buffer.from(…, 'utf8') does the same replacement when the result is hashed.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: as ESCAPED above.
  return '"' + s.replace(/["\\\u0000-\u001f<>&\u2028\u2029]/g, (c) => SHORT[c] ?? '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')) + '"';
}

/** Compares strings by UTF-8 bytes, as Go's `sort.Strings` does (differs from UTF-16 order above U+FFFF). */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
