// Header and query parameter matches of HTTPRoute and GRPCRoute -> IR matches. The spec: when
// several entries name the same header (case-insensitively) or query parameter (exactly), only
// the first counts and the rest are ignored.
import { kept } from '../snapshot/kept-lists.ts';
import type { HeaderMatch, QueryMatch, ValueMatch } from '../snapshot/types.ts';
import type { HTTPHeaderMatch, HTTPQueryParamMatch } from './route-types.ts';
import { isHeaderName, isObject, isString, listOf, regexError } from './spec-values.ts';

export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

function valueMatch(entry: HTTPHeaderMatch | HTTPQueryParamMatch, where: string): Checked<ValueMatch> {
  if (!isString(entry.value)) return { ok: false, message: `${where}.value: must be a string` };
  const type = entry.type ?? 'Exact';
  if (type === 'Exact') return { ok: true, value: { type: 'exact', value: entry.value } };
  if (type === 'RegularExpression') {
    const why = regexError(entry.value);
    if (why !== undefined) return { ok: false, message: `${where}.value: invalid regular expression: ${why}` };
    return { ok: true, value: { type: 'regex', value: entry.value } };
  }
  return { ok: false, message: `${where}.type: unsupported value ${JSON.stringify(type)} (Exact or RegularExpression)` };
}

function matches<T extends HTTPHeaderMatch | HTTPQueryParamMatch>(
  entries: readonly T[] | undefined,
  where: string,
  nameOf: (name: string) => string,
  validName: (name: string) => boolean,
): Checked<readonly { name: string; match: ValueMatch }[]> {
  const out: { name: string; match: ValueMatch }[] = [];
  const seen = new Set<string>();
  const list = listOf(entries);
  for (let i = 0; i < list.length; i++) {
    const entry = list[i];
    const at = `${where}[${i}]`;
    if (!isObject(entry) || !isString(entry.name) || entry.name === '') {
      return { ok: false, message: `${at}.name: must be a non-empty string` };
    }
    if (!validName(entry.name)) return { ok: false, message: `${at}.name: ${JSON.stringify(entry.name)} is not a valid name` };
    const match = valueMatch(entry, at);
    if (!match.ok) return match;
    const name = nameOf(entry.name);
    if (seen.has(name)) continue;
    seen.add(name);
    out.push({ name, match: match.value });
  }
  return { ok: true, value: kept(out) };
}

export function headerMatches(entries: readonly HTTPHeaderMatch[] | undefined, where: string): Checked<readonly HeaderMatch[]> {
  return matches(entries, where, (name) => name.toLowerCase(), isHeaderName);
}

export function queryMatches(entries: readonly HTTPQueryParamMatch[] | undefined, where: string): Checked<readonly QueryMatch[]> {
  // Query parameter names are any text the URL carries (matched after decoding).
  return matches(entries, where, (name) => name, (name) => !/[\0\r\n]/.test(name));
}
