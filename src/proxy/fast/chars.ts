// Byte classes for strict HTTP/1.1 parsing (RFC 9110 5.6.2 tokens, 5.5 field values, RFC 3986).
// Lookup tables, so the parser's inner loops are one array read per byte.

/** tchar: a byte allowed in methods, header names and chunk-extension names */
export const TOKEN = new Uint8Array(256);
/** a byte allowed in a field value: HTAB, SP, VCHAR, obs-text (CTLs and DEL are not) */
export const VALUE = new Uint8Array(256);
/**
 * Request-target bytes: 1 = RFC 3986 character the fast path forwards as is, 2 = printable but
 * outside RFC 3986 (`{`, `|`, `"`, ...; handed to node:http so its parser has the last word),
 * 0 = never allowed (CTL, SP, DEL, `#`).
 */
export const TARGET = new Uint8Array(256);
/** hex digit value + 1 (0 = not a hex digit) */
export const HEX = new Uint8Array(256);

for (let c = 0; c < 256; c++) {
  const alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  if (alnum || "!#$%&'*+-.^_`|~".includes(String.fromCharCode(c))) TOKEN[c] = 1;
  if (c === 0x09 || (c >= 0x20 && c !== 0x7f)) VALUE[c] = 1;
  if (alnum || "-._~:/?[]@!$&'()*+,;=%".includes(String.fromCharCode(c))) TARGET[c] = 1;
  else if (c > 0x20 && c < 0x7f && c !== 0x23) TARGET[c] = 2;
  if (c >= 0x30 && c <= 0x39) HEX[c] = c - 0x30 + 1;
  else if (c >= 0x41 && c <= 0x46) HEX[c] = c - 0x41 + 11;
  else if (c >= 0x61 && c <= 0x66) HEX[c] = c - 0x61 + 11;
}

export const CR = 0x0d;
export const LF = 0x0a;
export const SP = 0x20;
export const HTAB = 0x09;
