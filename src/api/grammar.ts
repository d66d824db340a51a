// The grammars of configuration values that end up on the wire: in a request header, a request
// path, a TLS server name or an Envoy resource name. Validation is the only gate between a config
// file (or a cluster object) and the data plane and xDS, which trust these values: a CR/LF in a
// host or header value would otherwise become a header of its own upstream (or a second request
// on a pooled connection), and make Envoy reject the whole route configuration.
// Each predicate answers only "is this well-formed"; the messages are the validators'.
import { isIP } from 'node:net';

// RFC 9110 5.6.2 token: a header name.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// RFC 9110 5.5 field-value, as Node's http layer checks it (HTAB, visible ASCII, obs-text); a
// character above U+00FF cannot be sent as a header byte at all.
const FIELD_VALUE_CHARS = /^[\t\x20-\x7e\x80-\xff]*$/;
// RFC 3986 3.3 path-abempty: segments of pchar (unreserved, pct-encoded, sub-delims, ":", "@").
const PATH = /^(?:\/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})*)+$/;
// RFC 1123 labels as host names use them; `_` is allowed as RFC 3986 reg-names (and DNS
// service records) allow it. Case is ignored by the router.
const HOST_LABEL = /^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;

export function isHeaderName(s: string): boolean {
  return TOKEN.test(s);
}

// Headers that say how a message is framed or how the connection is used. Set by a route, they
// would contradict the framing the proxy actually sends (a request read as longer or shorter than
// it is, on a pooled upstream connection: smuggling), so configuration may not set them.
const FRAMING = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade']);

/** A header a route may set on requests (`Host` may: it rewrites the host). */
export function isSettableHeader(name: string): boolean {
  return !FRAMING.has(name.toLowerCase());
}

/** A header value Sluice may send: no CR, LF, NUL or other control character, no surrounding white space. */
export function headerValueProblem(s: string): string | undefined {
  if (/[\r\n\0]/.test(s)) return 'must not contain CR, LF or NUL';
  if (!FIELD_VALUE_CHARS.test(s)) return 'must hold only visible characters, spaces and tabs (RFC 9110 field-value)';
  if (/^[ \t]|[ \t]$/.test(s)) return 'must not start or end with white space';
  return undefined;
}

/** A DNS host name (`hello.example.com`), or `*.example.com` when `wildcard` is allowed. */
export function isHostName(s: string, wildcard = false): boolean {
  const name = wildcard && s.startsWith('*.') ? s.slice(2) : s;
  if (name.length === 0 || name.length > 253) return false;
  return name.split('.').every((label) => HOST_LABEL.test(label));
}

/** RFC 3986 authority without userinfo: a host name, an IPv4 address or `[IPv6]`, with an optional port. */
export function isAuthority(s: string): boolean {
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/.exec(s);
  if (m === null) return false;
  const host = m[1] as string;
  if (m[2] !== undefined && (Number(m[2]) < 1 || Number(m[2]) > 65535)) return false;
  if (host.startsWith('[')) return isIP(host.slice(1, -1)) === 6;
  return isIP(host) === 4 || isHostName(host);
}

/** A request path prefix: RFC 3986 path characters, starting with `/` (no query, no fragment). */
export function isPathPrefix(s: string): boolean {
  return PATH.test(s);
}
