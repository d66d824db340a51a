// Reading a request's raw [name, value, ...] header array (what every front end hands decide()).

/**
 * A header's value by lower-case name in a raw [name, value, ...] array; a header sent several
 * times is its values joined by `,` (RFC 9110 5.3), which is what Envoy's header matchers compare,
 * so `X: blue` twice is `blue,blue` and matches neither `blue` nor a route meant for one value.
 */
export function rawHeader(raw: readonly string[], lowerName: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const n = raw[i]!;
    if (n.length === lowerName.length && n.toLowerCase() === lowerName) value = value === undefined ? raw[i + 1] : `${value},${raw[i + 1]}`;
  }
  return value;
}
