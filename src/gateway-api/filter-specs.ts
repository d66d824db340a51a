// The bodies of HTTPRoute/GRPCRoute filters -> IR filter values, one function per filter kind.
// Each returns a message naming the bad field instead of throwing.
import type { CorsPolicy, HeaderEdits, HeaderPair, PathRewrite, RouteFilter } from '../snapshot/types.ts';
import type { Checked } from './header-matches.ts';
import type { HTTPCORSFilter, HTTPHeaderFilter, HTTPPathModifier, HTTPRequestRedirectFilter, HTTPURLRewriteFilter } from './route-types.ts';
import { isIntIn, isObject, isString, listOf } from './spec-values.ts';

function bad<T>(message: string): Checked<T> {
  return { ok: false, message };
}

function pairs(list: HTTPHeaderFilter['set'], where: string): Checked<HeaderPair[]> {
  const out: HeaderPair[] = [];
  const entries = listOf(list);
  for (let i = 0; i < entries.length; i++) {
    const h = entries[i];
    if (!isObject(h) || !isString(h?.name) || h.name === '' || !isString(h.value)) {
      return bad(`${where}[${i}]: needs a non-empty name and a string value`);
    }
    out.push([h.name.toLowerCase(), h.value]);
  }
  return { ok: true, value: out };
}

export function headerEdits(body: HTTPHeaderFilter | undefined, where: string): Checked<HeaderEdits> {
  if (!isObject(body)) return bad(`${where}: required for this filter type`);
  const set = pairs(body?.set, `${where}.set`);
  if (!set.ok) return set;
  const add = pairs(body?.add, `${where}.add`);
  if (!add.ok) return add;
  const remove = listOf(body?.remove);
  if (!remove.every((name) => isString(name) && name !== '')) return bad(`${where}.remove: must be header names`);
  return { ok: true, value: { set: set.value, add: add.value, remove: remove.map((n) => n.toLowerCase()) } };
}

/** `prefixOnly`: every match of the rule is a path prefix, which ReplacePrefixMatch needs. */
export function pathRewrite(mod: HTTPPathModifier | undefined, where: string, prefixOnly: boolean): Checked<PathRewrite | undefined> {
  if (mod === undefined) return { ok: true, value: undefined };
  if (!isObject(mod)) return bad(`${where}: must be an object`);
  if (mod.type === 'ReplaceFullPath') {
    if (!isString(mod.replaceFullPath)) return bad(`${where}.replaceFullPath: required for ReplaceFullPath`);
    return { ok: true, value: { type: 'full', value: mod.replaceFullPath } };
  }
  if (mod.type === 'ReplacePrefixMatch') {
    if (!isString(mod.replacePrefixMatch)) return bad(`${where}.replacePrefixMatch: required for ReplacePrefixMatch`);
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
  if (b.hostname !== undefined && (!isString(b.hostname) || b.hostname === '')) return bad(`${where}.hostname: must be a host name`);
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
  if (b.hostname !== undefined && (!isString(b.hostname) || b.hostname === '')) return bad(`${where}.hostname: must be a host name`);
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

function strings(list: readonly string[] | undefined, where: string): Checked<string[]> {
  const values = listOf(list);
  if (!values.every(isString)) return bad(`${where}: must be a list of strings`);
  return { ok: true, value: [...values] };
}

/** HTTPCORSFilter (experimental); maxAge defaults to the spec's 5 seconds. */
export function cors(body: HTTPCORSFilter | undefined, where: string): Checked<CorsPolicy> {
  if (!isObject(body)) return bad(`${where}: required for this filter type`);
  const b = body as HTTPCORSFilter;
  const allowOrigins = strings(b.allowOrigins, `${where}.allowOrigins`);
  const allowMethods = strings(b.allowMethods, `${where}.allowMethods`);
  const allowHeaders = strings(b.allowHeaders, `${where}.allowHeaders`);
  const exposeHeaders = strings(b.exposeHeaders, `${where}.exposeHeaders`);
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
