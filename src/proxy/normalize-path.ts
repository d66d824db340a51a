// The request target as Sluice routes and forwards it. Without normalisation `/public/../private`
// would match a `/public` route and the upstream would serve `/private`; like Envoy's
// normalize_path + merge_slashes (on by default in Istio and Envoy Gateway), the path is
// normalised before matching and forwarded normalised, so the route and the upstream agree.
// Paths with nothing to normalise cost one scan and no allocation.

/**
 * `target` without its `#fragment` (never part of a request target, RFC 9110 7.1), and with
 * `normalize`, its path (before `?`; the query is kept as sent) normalised:
 * - percent-encoded unreserved characters decoded (RFC 3986 6.2.2.2: `%2e` is `.`), and
 *   other percent-encodings left as sent (`%2F` stays encoded; no case normalisation, as Envoy's
 *   normalize_path does not do it, so both data planes forward the same bytes);
 * - runs of `/` merged into one;
 * - `.` and `..` segments removed (RFC 3986 5.2.4; `..` never climbs above the root).
 * Returns `target` itself when nothing changes. A target that is not a path (`*`) is left alone.
 */
export function routedTarget(target: string, normalize: boolean): string {
  let query = -1;
  let fragment = -1;
  let work = false;
  const n = target.length;
  for (let i = 0; i < n; i++) {
    const c = target.charCodeAt(i);
    if (c === HASH) {
      fragment = i;
      break;
    }
    if (query >= 0) continue;
    if (c === QUESTION) query = i;
    else if (c === PERCENT) work = true;
    else if (c === SLASH && i + 1 < n) {
      const d = target.charCodeAt(i + 1);
      if (d === SLASH || d === DOT) work = true;
    }
  }
  const end = fragment >= 0 ? fragment : n;
  if (!normalize || !work || target.charCodeAt(0) !== SLASH) return fragment >= 0 ? target.slice(0, fragment) : target;
  const pathEnd = query >= 0 ? query : end;
  const path = normalizePath(target.slice(0, pathEnd));
  return path + target.slice(pathEnd, end);
}

const HASH = 0x23;
const QUESTION = 0x3f;
const PERCENT = 0x25;
const SLASH = 0x2f;
const DOT = 0x2e;

/** An absolute path (starts with `/`) normalised as routedTarget describes. */
function normalizePath(path: string): string {
  const decoded = path.includes('%') ? decodeUnreserved(path) : path;
  const segments = decoded.split('/');
  const out: string[] = [];
  // segments[0] is the empty string before the leading slash.
  for (let i = 1; i < segments.length; i++) {
    const s = segments[i]!;
    if (s === '..') out.pop();
    else if (s !== '' && s !== '.') out.push(s);
  }
  // `/a/`, `/a/.` and `/a/b/..` keep (or gain) the trailing slash of a directory.
  const last = segments[segments.length - 1];
  const slash = out.length > 0 && (last === '' || last === '.' || last === '..') ? '/' : '';
  return `/${out.join('/')}${slash}`;
}

/** `%XX` of an unreserved character (ALPHA / DIGIT / - . _ ~) decoded; other escapes left as they are. */
function decodeUnreserved(path: string): string {
  let out = '';
  let from = 0;
  for (let i = path.indexOf('%'); i >= 0 && i + 2 < path.length; i = path.indexOf('%', i + 1)) {
    const hi = hexValue(path.charCodeAt(i + 1));
    const lo = hexValue(path.charCodeAt(i + 2));
    if (hi < 0 || lo < 0) continue;
    const code = hi * 16 + lo;
    out += path.slice(from, i) + (isUnreserved(code) ? String.fromCharCode(code) : path.slice(i, i + 3));
    from = i + 3;
    i += 2;
  }
  return out + path.slice(from);
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

function isUnreserved(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e;
}
