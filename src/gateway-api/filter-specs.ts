// The bodies of HTTPRoute/GRPCRoute filters -> IR filter values, one function per filter kind.
// Each returns a message naming the bad field instead of throwing.
import { kept, NONE } from '../snapshot/kept-lists.ts';
import type { CorsPolicy, HeaderEdits, HeaderPair, PathRewrite, RouteFilter } from '../snapshot/types.ts';
import type { Checked } from './header-matches.ts';
import type { HTTPCORSFilter, HTTPHeaderFilter, HTTPPathModifier, HTTPRequestRedirectFilter, HTTPURLRewriteFilter } from './route-types.ts';
import { isHeaderName, isHeaderValue, isIntIn, isObject, isPreciseHostname, isString, isUriText, listOf } from './spec-values.ts';

function bad<T>(message: string): Checked<T> {
  return { ok: false, message };
}

function pairs(list: HTTPHeaderFilter['set'], where: string): Checked<readonly HeaderPair[]> {
  const out: HeaderPair[] = [];
  const entries = listOf(list);
  for (let i = 0; i < entries.length; i++) {
    const h = entries[i];
    if (!isObject(h) || !isHeaderName(h?.name) || !isHeaderValue(h.value)) {
      return bad(`${where}[${i}]: needs a header name (an HTTP token) and a value without CR, LF or NUL`);
    }
    out.push([h.name.toLowerCase(), h.value]);
  }
  return { ok: true, value: kept(out) };
}

export function headerEdits(body: HTTPHeaderFilter | undefined, where: string): Checked<HeaderEdits> {
  if (!isObject(body)) return bad(`${where}: required for this filter type`);
  const set = pairs(body?.set, `${where}.set`);
  if (!set.ok) return set;
  const add = pairs(body?.add, `${where}.add`);
  if (!add.ok) return add;
  const remove = listOf(body?.remove);
  if (!remove.every(isHeaderName)) return bad(`${where}.remove: must be header names (HTTP tokens)`);
  return { ok: true, value: { set: set.value, add: add.value, remove: remove.length === 0 ? NONE : remove.map((n) => n.toLowerCase()) } };
}

/** `prefixOnly`: every match of the rule is a path prefix, which ReplacePrefixMatch needs. */
export function pathRewrite(mod: HTTPPathModifier | undefined, where: string, prefixOnly: boolean): Checked<PathRewrite | undefined> {
  if (mod === undefined) return { ok: true, value: undefined };
  if (!isObject(mod)) return bad(`${where}: must be an object`);
  if (mod.type === 'ReplaceFullPath') {
    if (!isUriText(mod.replaceFullPath)) return bad(`${where}.replaceFullPath: required for ReplaceFullPath, without spaces or control characters`);
    return { ok: true, value: { type: 'full', value: mod.replaceFullPath } };
  }
  if (mod.type === 'ReplacePrefixMatch') {
    if (!isUriText(mod.replacePrefixMatch)) return bad(`${where}.replacePrefixMatch: required for ReplacePrefixMatch, without spaces or control characters`);
    if (!prefixOnly) return bad(`${where}: ReplacePrefixMatch needs the rule's matches to be PathPrefix matches`);
    return { ok: true, value: { type: 'prefix', value: mod.replacePrefixMatch } };
  }
  return bad(`${where}.type: unsupported value ${JSON.stringify(mod.type)} (ReplaceFullPath or ReplacePrefixMatch)`);
}

const REDIRECT_CODES = new Set([301, 302, 303, 307, 308]);
const WELL_KNOWN_PORT = { http: 80, https: 443 } as const;

export function redirect(body: HTTPRequestRedirectFilter | undefined, where: string, prefixOnly: boolean): Checked<RouteFilter> {
  if (!isObject(body)) return bad(`${where}: required for this filter type`);
  const b = body as HTTPRequestRedirectFilter;
  const statusCode = b.statusCode ?? 302;
  if (!REDIRECT_CODES.has(statusCode)) return bad(`${where}.statusCode: ${JSON.stringify(statusCode)} is not one of 301, 302, 303, 307, 308`);
  if (b.scheme !== undefined && b.scheme !== 'http' && b.scheme !== 'https') return bad(`${where}.scheme: must be http or https`);
  if (b.hostname !== undefined && !isPreciseHostname(b.hostname)) return bad(`${where}.hostname: must be a lower-case host name without wildcard`);
  if (b.port !== undefined && !isIntIn(b.port, 1, 65535)) return bad(`${where}.port: must be 1..65535`);
  const path = pathRewrite(b.path, `${where}.path`, prefixOnly);
  if (!path.ok) return path;
  // The spec: with a scheme and no port, the port is the scheme's well-known one (not the
  // listener's), which Location then leaves out.
  const port = b.port ?? (b.scheme !== undefined ? WELL_KNOWN_PORT[b.scheme] : undefined);
  return {
    ok: true,
    value: {
      type: 'redirect',
      statusCode,
      ...(b.scheme !== undefined && { scheme: b.scheme }),
      ...(b.hostname !== undefined && { hostname: b.hostname }),
      ...(port !== undefined && { port }),
      ...(path.value !== undefined && { path: path.value }),
    },
  };
}

export function urlRewrite(body: HTTPURLRewriteFilter | undefined, where: string, prefixOnly: boolean): Checked<RouteFilter> {
  if (!isObject(body)) return bad(`${where}: required for this filter type`);
  const b = body as HTTPURLRewriteFilter;
  if (b.hostname !== undefined && !isPreciseHostname(b.hostname)) return bad(`${where}.hostname: must be a lower-case host name without wildcard`);
  const path = pathRewrite(b.path, `${where}.path`, prefixOnly);
  if (!path.ok) return path;
  return {
    ok: true,
    value: {
      type: 'url-rewrite',
      ...(b.hostname !== undefined && { hostname: b.hostname }),
      ...(path.value !== undefined && { path: path.value }),
    },
  };
}

function strings(list: readonly string[] | undefined, where: string, valid: (s: string) => boolean, what: string): Checked<string[]> {
  const values = listOf(list);
  const wrong = values.find((v) => !isString(v) || !valid(v));
  if (wrong !== undefined) return bad(`${where}: ${JSON.stringify(wrong)} is not ${what}`);
  return { ok: true, value: [...values] };
}

const CORS_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', '*']);

/** HTTPCORSFilter (experimental); maxAge defaults to the spec's 5 seconds. */
export function cors(body: HTTPCORSFilter | undefined, where: string): Checked<CorsPolicy> {
  if (!isObject(body)) return bad(`${where}: required for this filter type`);
  const b = body as HTTPCORSFilter;
  const allowOrigins = strings(b.allowOrigins, `${where}.allowOrigins`, isUriText, 'an origin');
  const allowMethods = strings(b.allowMethods, `${where}.allowMethods`, (m) => CORS_METHODS.has(m), 'an HTTP method or *');
  const allowHeaders = strings(b.allowHeaders, `${where}.allowHeaders`, isHeaderName, 'a header name or *');
  const exposeHeaders = strings(b.exposeHeaders, `${where}.exposeHeaders`, isHeaderName, 'a header name or *');
  for (const list of [allowOrigins, allowMethods, allowHeaders, exposeHeaders]) if (!list.ok) return list;
  if (b.allowCredentials !== undefined && typeof b.allowCredentials !== 'boolean') return bad(`${where}.allowCredentials: must be true or false`);
  const maxAge = b.maxAge ?? 5;
  if (!isIntIn(maxAge, 1, 2 ** 31 - 1)) return bad(`${where}.maxAge: must be a positive number of seconds`);
  const value = (c: Checked<string[]>): string[] => (c.ok ? c.value : []);
  return {
    ok: true,
    value: {
      allowOrigins: value(allowOrigins),
      allowMethods: value(allowMethods),
      allowHeaders: value(allowHeaders),
      exposeHeaders: value(exposeHeaders),
      maxAge,
      allowCredentials: b.allowCredentials ?? false,
    },
  };
}
