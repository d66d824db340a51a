// Strings cut out of the file text by a YAML parser can be V8 "sliced strings" that keep the whole
// text of the file alive for as long as any of them is; at 10,000 files that doubled the memory held
// by parsed resources. A copy of each long string (V8 slices only strings of 13 characters or more)
// drops the reference to the text; structure, key order and values stay exactly the same.
// Equal strings of one file (namespace, port names, addresses) are also stored once (`strings`).
// Both YAML paths (yaml-full.ts, yaml-fast.ts) slice strings out of the text, so both use this.
export function detached(value: unknown, strings: Map<string, string>): unknown {
  if (typeof value === 'string') {
    let s = strings.get(value);
    if (s === undefined) strings.set(value, (s = value.length >= 13 ? (JSON.parse(JSON.stringify(value)) as string) : value));
    return s;
  }
  if (Array.isArray(value)) return value.map((v) => detached(v, strings));
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = detached((value as Record<string, unknown>)[key], strings);
    // defineProperty: a `__proto__` key stays an ordinary key, as the YAML parser made it. It is
    // only for that key: defineProperty for every key made this walk 2-3x slower.
    if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
    else out[key] = v;
  }
  return out;
}
