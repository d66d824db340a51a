// URL rewrites and redirects (Gateway API HTTPURLRewriteFilter, HTTPRequestRedirectFilter): the
// path a rewrite sends upstream and the Location a redirect answers with. Compiled once per route;
// per request they only join strings.
import { RE2JS } from 're2js';
import type { PathRewrite, RouteFilter } from '../snapshot/types.ts';
import { type PathMatcher, matchedLength } from './match.ts';

export interface CompiledPathRewrite {
  /** `full`: the path becomes `value`; otherwise what the route's match matched is replaced */
  readonly full: boolean;
  readonly value: string;
  /** `value` without trailing `/`, joined to a rest that starts with `/` */
  readonly trimmed: string;
  /** a `regex` rewrite: every match replaced (full and value unused) */
  readonly regex?: { readonly re: RE2JS; readonly replacement: string };
}

export function compilePathRewrite(p: PathRewrite): CompiledPathRewrite {
  if (p.type === 'regex') {
    // Envoy's substitution names groups `\1`; re2js's JavaScript mode names them `$1`.
    const replacement = p.substitution.replaceAll('$', '$$$$').replace(/\\(\d)/g, '$$$1');
    return { full: false, value: '', trimmed: '', regex: { re: RE2JS.compile(p.pattern), replacement } };
  }
  return { full: p.type === 'full', value: p.value, trimmed: p.value.replace(/\/+$/, '') };
}

/**
 * The path after `rw`, for a request whose `path` the route's `match` matched. ReplacePrefixMatch
 * as the Gateway API's table has it: with prefix `/foo`, `/foo/bar` -> `/xyz/bar` for `/xyz` or
 * `/xyz/`, `/bar` for `` or `/`; `/foo` -> `/xyz`, or `/` for `` or `/`; `/foo/` -> `/xyz/`.
 * An exact or regex match matched the whole path, so its prefix replacement is the whole path.
 */
export function rewritePath(rw: CompiledPathRewrite, match: PathMatcher, path: string): string {
  if (rw.full) return rw.value;
  if (rw.regex !== undefined) return rw.regex.re.matcher(path).replaceAll(rw.regex.replacement) || '/';
  const rest = path.slice(matchedLength(match, path));
  // A literal prefix can end inside a segment (`/foo` of `/foobar`): then the rest is appended as is.
  const out = rest === '' || rest.charCodeAt(0) === 47 /* / */ ? rw.trimmed + rest : rw.value + rest;
  return out === '' ? '/' : out;
}

export interface CompiledRedirect {
  readonly scheme: 'http' | 'https' | undefined;
  readonly hostname: string | undefined;
  readonly port: number | undefined;
  readonly path: CompiledPathRewrite | undefined;
  readonly status: 301 | 302 | 303 | 307 | 308;
}

type RedirectFilter = Extract<RouteFilter, { type: 'redirect' }>;

export function compileRedirect(f: RedirectFilter): CompiledRedirect {
  return { scheme: f.scheme, hostname: f.hostname, port: f.port, path: f.path && compilePathRewrite(f.path), status: f.statusCode };
}

/** What a redirect keeps of the request. */
export interface RedirectRequest {
  readonly secure: boolean;
  /** the Host as sent (for its port) */
  readonly authority: string | undefined;
  /** a Gateway port's declared listener port: kept instead of the Host's (--port-offset is invisible) */
  readonly listenerPort?: number | undefined;
  /** normalised host, without port */
  readonly host: string;
  /** normalised path, and the query with its `?` (or ``) */
  readonly path: string;
  readonly query: string;
}

/**
 * The Location of a redirect, by the Gateway API's rules: unset parts keep the request's; with no
 * port, a scheme that is set brings its own well-known port, otherwise the port the request came to
 * (the Gateway listener's, else the Host's) is kept; port 80 with http and 443 with https are left out.
 */
export function redirectLocation(r: CompiledRedirect, match: PathMatcher, req: RedirectRequest): string {
  const scheme = r.scheme ?? (req.secure ? 'https' : 'http');
  const port = r.port ?? (r.scheme !== undefined ? undefined : (req.listenerPort ?? portOf(req.authority)));
  const showPort = port !== undefined && !((scheme === 'http' && port === 80) || (scheme === 'https' && port === 443));
  const path = r.path === undefined ? req.path : rewritePath(r.path, match, req.path);
  return headerSafe(`${scheme}://${r.hostname ?? req.host}${showPort ? `:${port}` : ''}${path}${req.query}`);
}

/** The port of a Host header (`h:8080`, `[::1]:8080`), undefined when it has none or it is not a port. */
function portOf(authority: string | undefined): number | undefined {
  if (authority === undefined) return undefined;
  const colon = authority.lastIndexOf(':');
  if (colon < 0 || authority.indexOf(']', colon) >= 0) return undefined;
  const digits = authority.slice(colon + 1);
  if (!/^[0-9]{1,5}$/.test(digits)) return undefined;
  const port = Number(digits);
  return port > 0 && port < 65536 ? port : undefined;
}

// What a client sent goes into the Location header: anything but visible ASCII is percent-encoded,
// so no front end's header validation can throw on it and nothing can split the header.
export function headerSafe(value: string): string {
  return /^[\x21-\x7e]*$/.test(value) ? value : value.replace(/[^\x21-\x7e]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}
