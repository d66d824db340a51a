// node:http's parser (llhttp) accepts requests the fast path refuses: a second Host, Transfer-Encoding
// in HTTP/1.0, codings other than chunked. Every request node:http parses (hand-offs from the fast
// path, --no-fast-path, the TLS listener, Upgrades) passes these checks, so every HTTP/1.1 request
// on every listener meets the fast path's rules. They also read the request target as the fast path
// would route it: absolute-form names its own host (RFC 9112 3.2.2).

/** The parts of a node:http request the checks read. */
export interface H1RequestLike {
  readonly httpVersionMinor: number;
  readonly rawHeaders: readonly string[];
  readonly url?: string;
}

/** What decide() takes: the authority and the target in origin-form (or `*`). */
export interface H1Target {
  readonly authority: string | undefined;
  readonly url: string;
}

/**
 * The request's authority and origin-form target, or why it must get 400 (and a close: a
 * request refused for its framing leaves the connection's next bytes unknowable).
 */
export function strictTarget(req: H1RequestLike): H1Target | string {
  const raw = req.rawHeaders;
  let host: string | undefined;
  let hosts = 0;
  let lengths = 0;
  let codings = 0;
  let chunked = false;
  for (let i = 0; i < raw.length; i += 2) {
    const n = raw[i]!.length;
    // Names by length first: most never need lower-casing.
    if (n !== 4 && n !== 14 && n !== 17) continue;
    const name = raw[i]!.toLowerCase();
    if (name === 'host') {
      hosts++;
      host = raw[i + 1];
    } else if (name === 'content-length') lengths++;
    else if (name === 'transfer-encoding') {
      codings++;
      chunked = raw[i + 1]!.trim().toLowerCase() === 'chunked';
    }
  }
  // RFC 9112 3.2: exactly one Host in HTTP/1.1.
  if (hosts > 1) return 'more than one Host header';
  if (hosts === 0 && req.httpVersionMinor === 1) return 'missing Host header';
  // RFC 9112 6.1: an HTTP/1.0 message with Transfer-Encoding has faulty framing.
  if (codings > 0 && req.httpVersionMinor === 0) return 'Transfer-Encoding in an HTTP/1.0 request';
  // The fast path knows chunked alone; anything else could be read differently by the next hop.
  if (codings > 1 || (codings === 1 && !chunked)) return 'unsupported Transfer-Encoding';
  if (lengths > 1 || (lengths > 0 && codings > 0)) return 'conflicting Content-Length and Transfer-Encoding';
  const url = req.url ?? '/';
  if (url.charCodeAt(0) === 0x2f || url === '*') return { authority: host, url };
  return absoluteForm(url) ?? 'invalid request-target';
}

/** `http://host[:port]/path?query` -> the URI's authority and the path (RFC 9112 3.2.2); userinfo is refused (RFC 9110 4.2.4). */
function absoluteForm(url: string): H1Target | undefined {
  const m = /^https?:\/\/([^/?#@\s]+)([/?#].*)?$/i.exec(url);
  if (m === null) return undefined;
  const rest = m[2] ?? '';
  return { authority: m[1], url: rest.startsWith('/') ? rest : `/${rest}` };
}
