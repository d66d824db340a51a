// Checks a decoded request header list (RFC 9113 8.2, 8.3, RFC 8441 4) and splits it into the
// request's pseudo-header values and its regular fields. A malformed list is a stream error of
// type PROTOCOL_ERROR: the caller resets the stream, the connection lives on.

export interface RequestHead {
  method: string;
  scheme: string | undefined;
  authority: string | undefined;
  path: string | undefined;
  /** RFC 8441's :protocol (extended CONNECT), else undefined. */
  protocol: string | undefined;
  /** Regular fields, flat name/value pairs, in arrival order. */
  fields: string[];
  /** content-length's value, or -1 when the request has none. */
  contentLength: number;
}

/** Why a header list is malformed; undefined when it is well-formed. */
export type Malformed = string;

// tchar (RFC 9110 5.6.2) minus upper case: the bytes a field name may hold in HTTP/2.
const NAME_OK = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz") NAME_OK[c.charCodeAt(0)] = 1;

function badName(name: string): boolean {
  if (name.length === 0) return true;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c > 127 || NAME_OK[c] === 0) return true;
  }
  return false;
}

/** NUL, CR or LF anywhere, or white space at either end (RFC 9113 8.2.1). */
function badValue(value: string): boolean {
  const n = value.length;
  if (n === 0) return false;
  const first = value.charCodeAt(0);
  const last = value.charCodeAt(n - 1);
  if (first === 32 || first === 9 || last === 32 || last === 9) return true;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c === 0 || c === 10 || c === 13) return true;
  }
  return false;
}

/** Connection-specific fields HTTP/2 forbids (RFC 9113 8.2.2); `te` is checked apart. */
function connectionSpecific(name: string): boolean {
  switch (name) {
    case 'connection':
    case 'keep-alive':
    case 'proxy-connection':
    case 'transfer-encoding':
    case 'upgrade':
      return true;
    default:
      return false;
  }
}

/** A request's header list; `out` receives the parsed head (reused by the caller). */
export function parseRequestHead(pairs: readonly string[], out: RequestHead): Malformed | undefined {
  let method: string | undefined;
  let scheme: string | undefined;
  let authority: string | undefined;
  let path: string | undefined;
  let protocol: string | undefined;
  let regular = false;
  let contentLength = -1;
  const fields: string[] = [];
  for (let i = 0; i < pairs.length; i += 2) {
    const name = pairs[i]!;
    const value = pairs[i + 1]!;
    if (name.charCodeAt(0) === 58 /* : */) {
      if (regular) return 'pseudo-header after a regular field';
      if (badValue(value)) return `invalid value for ${name}`;
      switch (name) {
        case ':method':
          if (method !== undefined) return 'repeated :method';
          method = value;
          break;
        case ':scheme':
          if (scheme !== undefined) return 'repeated :scheme';
          scheme = value;
          break;
        case ':authority':
          if (authority !== undefined) return 'repeated :authority';
          authority = value;
          break;
        case ':path':
          if (path !== undefined) return 'repeated :path';
          path = value;
          break;
        case ':protocol':
          if (protocol !== undefined) return 'repeated :protocol';
          protocol = value;
          break;
        default:
          return `unknown pseudo-header ${name}`;
      }
      continue;
    }
    regular = true;
    if (badName(name)) return 'invalid field name';
    if (badValue(value)) return `invalid value for ${name}`;
    if (connectionSpecific(name)) return `connection-specific field ${name}`;
    if (name === 'te' && value !== 'trailers') return 'te other than "trailers"';
    if (name === 'content-length') {
      const n = parseContentLength(value);
      if (n < 0 || (contentLength >= 0 && n !== contentLength)) return 'invalid content-length';
      contentLength = n;
    }
    fields.push(name, value);
  }
  if (method === undefined) return 'missing :method';
  if (method === 'CONNECT' && protocol === undefined) {
    // A plain CONNECT names only the authority (RFC 9113 8.5).
    if (scheme !== undefined || path !== undefined) return 'CONNECT with :scheme or :path';
    if (authority === undefined) return 'CONNECT without :authority';
  } else {
    if (protocol !== undefined && method !== 'CONNECT') return ':protocol without CONNECT';
    if (scheme === undefined || path === undefined || path === '') return 'missing :scheme or :path';
    if (protocol !== undefined && authority === undefined) return 'extended CONNECT without :authority';
  }
  out.method = method;
  out.scheme = scheme;
  out.authority = authority;
  out.path = path;
  out.protocol = protocol;
  out.fields = fields;
  out.contentLength = contentLength;
  return undefined;
}

/** Trailers: regular fields only (RFC 9113 8.1). */
export function checkTrailers(pairs: readonly string[]): Malformed | undefined {
  for (let i = 0; i < pairs.length; i += 2) {
    const name = pairs[i]!;
    if (name.charCodeAt(0) === 58) return 'pseudo-header in trailers';
    if (badName(name) || badValue(pairs[i + 1]!)) return 'invalid trailer field';
    if (connectionSpecific(name)) return `connection-specific field ${name}`;
  }
  return undefined;
}

/** Digits only, at most 15 of them (beyond 2^53 nothing is exact); -1 otherwise. */
function parseContentLength(value: string): number {
  if (value.length === 0 || value.length > 15) return -1;
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}
