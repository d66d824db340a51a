// HPACK's static table (RFC 7541 Appendix A), for the decoder by index and for the encoder by
// name and by name+value (Maps, so an encode never scans the 61 entries).

/** [name, value] of static index i at STATIC_NAMES[i - 1] / STATIC_VALUES[i - 1]. */
const ENTRIES: readonly (readonly [string, string])[] = [
  [':authority', ''], [':method', 'GET'], [':method', 'POST'], [':path', '/'], [':path', '/index.html'],
  [':scheme', 'http'], [':scheme', 'https'], [':status', '200'], [':status', '204'], [':status', '206'],
  [':status', '304'], [':status', '400'], [':status', '404'], [':status', '500'], ['accept-charset', ''],
  ['accept-encoding', 'gzip, deflate'], ['accept-language', ''], ['accept-ranges', ''], ['accept', ''],
  ['access-control-allow-origin', ''], ['age', ''], ['allow', ''], ['authorization', ''], ['cache-control', ''],
  ['content-disposition', ''], ['content-encoding', ''], ['content-language', ''], ['content-length', ''],
  ['content-location', ''], ['content-range', ''], ['content-type', ''], ['cookie', ''], ['date', ''], ['etag', ''],
  ['expect', ''], ['expires', ''], ['from', ''], ['host', ''], ['if-match', ''], ['if-modified-since', ''],
  ['if-none-match', ''], ['if-range', ''], ['if-unmodified-since', ''], ['last-modified', ''], ['link', ''],
  ['location', ''], ['max-forwards', ''], ['proxy-authenticate', ''], ['proxy-authorization', ''], ['range', ''],
  ['referer', ''], ['refresh', ''], ['retry-after', ''], ['server', ''], ['set-cookie', ''],
  ['strict-transport-security', ''], ['transfer-encoding', ''], ['user-agent', ''], ['vary', ''], ['via', ''],
  ['www-authenticate', ''],
];

export const STATIC_TABLE_LENGTH = ENTRIES.length; // 61
export const STATIC_NAMES: readonly string[] = ENTRIES.map((e) => e[0]);
export const STATIC_VALUES: readonly string[] = ENTRIES.map((e) => e[1]);

/** name -> lowest static index with that name. */
export const STATIC_NAME_INDEX: ReadonlyMap<string, number> = new Map(
  [...ENTRIES.entries()].reverse().map(([i, [name]]) => [name, i + 1]),
);

/** name -> value -> static index, for the entries whose value is not empty (an empty value is the name-only case). */
export const STATIC_PAIR_INDEX: ReadonlyMap<string, ReadonlyMap<string, number>> = (() => {
  const m = new Map<string, Map<string, number>>();
  ENTRIES.forEach(([name, value], i) => {
    if (value === '') return;
    let byValue = m.get(name);
    if (byValue === undefined) m.set(name, (byValue = new Map()));
    byValue.set(value, i + 1);
  });
  return m;
})();
