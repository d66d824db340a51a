// Route matchers compiled from the IR (path, header and query value matches) and the per-request
// tests on them. Regexes are RE2 (re2js: linear time, so no configured pattern can be made to
// backtrack for ever by a request), compiled once and matched against the whole string, as Envoy's
// safe_regex. A pattern that does not compile never matches, and is reported, not thrown.
import { RE2JS } from 're2js';
import { BoundedTable } from '../snapshot/bounded-table.ts';
import type { PathMatch, ValueMatch } from '../snapshot/types.ts';

/** Told about a configuration problem the data plane works around (an invalid regex). */
export type ReportProblem = (problem: string) => void;

/** A whole-string matcher; `never` when the pattern was invalid. */
export interface Regex {
  matches(input: string): boolean;
}

const NEVER: Regex = Object.freeze({ matches: () => false });

// Compiled patterns by source, each as the one Regex every route with it shares: compiling is pure,
// so planes may share them. A bad pattern is kept as its error message, so each compile of a route
// with it reports it (the builder reports each once).
// Bounded (snapshot/bounded-table.ts): a pattern every route repeats stays; those of removed routes fall out.
const regexes = new BoundedTable<Regex | string>(5000);

function compiled(pattern: string): Regex | string {
  try {
    const re = RE2JS.compile(pattern);
    return { matches: (input) => re.matches(input) };
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

export function compileRegex(pattern: string, where: string, report: ReportProblem): Regex {
  const re = regexes.make(pattern, compiled);
  if (typeof re === 'string') {
    report(`${where}: invalid regex ${JSON.stringify(pattern)} (${re}); the route never matches`);
    return NEVER;
  }
  return re;
}

export const PATH_PREFIX = 0;
export const PATH_SEGMENTS = 1;
export const PATH_EXACT = 2;
export const PATH_REGEX = 3;

/** A path match as a kind code and a value, so the common prefix test is inline and allocation-free. */
export interface PathMatcher {
  readonly kind: typeof PATH_PREFIX | typeof PATH_SEGMENTS | typeof PATH_EXACT | typeof PATH_REGEX;
  /** the prefix or exact path; for segments without a trailing `/` (`/` itself becomes ``) */
  readonly value: string;
  readonly regex: Regex | undefined;
}

export function compilePath(m: PathMatch, where: string, report: ReportProblem): PathMatcher {
  switch (m.type) {
    case 'prefix':
      return { kind: PATH_PREFIX, value: m.value, regex: undefined };
    case 'segment-prefix':
      return { kind: PATH_SEGMENTS, value: m.value.replace(/\/+$/, ''), regex: undefined };
    case 'exact':
      return { kind: PATH_EXACT, value: m.value, regex: undefined };
    case 'regex':
      return { kind: PATH_REGEX, value: m.value, regex: compileRegex(m.value, where, report) };
  }
}

export function pathMatches(m: PathMatcher, path: string): boolean {
  switch (m.kind) {
    case PATH_PREFIX:
      return path.startsWith(m.value);
    case PATH_SEGMENTS:
      // `/foo` matches `/foo`, `/foo/` and `/foo/…`, never `/foobar`.
      return path.startsWith(m.value) && (path.length === m.value.length || path.charCodeAt(m.value.length) === 47 /* / */);
    case PATH_EXACT:
      return path === m.value;
    case PATH_REGEX:
      return (m.regex as Regex).matches(path);
  }
}

/** How many leading characters of `path` (which `m` matched) the match consumed: for ReplacePrefixMatch. */
export function matchedLength(m: PathMatcher, path: string): number {
  switch (m.kind) {
    case PATH_PREFIX:
    case PATH_SEGMENTS:
      return m.value.length;
    case PATH_EXACT:
    case PATH_REGEX:
      return path.length;
  }
}

export const VALUE_EXACT = 0;
export const VALUE_REGEX = 1;
export const VALUE_PRESENT = 2;

export interface ValueMatcher {
  /** lower-case header name, or the query parameter name as sent */
  readonly name: string;
  readonly kind: typeof VALUE_EXACT | typeof VALUE_REGEX | typeof VALUE_PRESENT;
  readonly value: string;
  readonly regex: Regex | undefined;
  /** Envoy's invert_match (headers only): see HeaderMatch.invert */
  readonly invert: boolean;
}

export function compileValue(name: string, m: ValueMatch, where: string, report: ReportProblem, invert = false): ValueMatcher {
  switch (m.type) {
    case 'exact':
      return { name, kind: VALUE_EXACT, value: m.value, regex: undefined, invert };
    case 'regex':
      return { name, kind: VALUE_REGEX, value: m.value, regex: compileRegex(m.value, where, report), invert };
    case 'present':
      return { name, kind: VALUE_PRESENT, value: '', regex: undefined, invert };
  }
}

/** `value` is the header's or parameter's value, undefined when absent. */
export function valueMatches(m: ValueMatcher, value: string | undefined): boolean {
  // Envoy: an absent header matches only an inverted presence match.
  if (value === undefined) return m.invert && m.kind === VALUE_PRESENT;
  let matched: boolean;
  switch (m.kind) {
    case VALUE_EXACT:
      matched = value === m.value;
      break;
    case VALUE_REGEX:
      matched = (m.regex as Regex).matches(value);
      break;
    case VALUE_PRESENT:
      matched = true;
      break;
  }
  return matched !== m.invert;
}

/**
 * The value of the first occurrence of parameter `name` in `query` (the target after `?`), as sent:
 * Envoy's route matcher compares the raw query (Utility::parseQueryString, no percent-decoding and
 * no `+` to space), so `?q=a%20b` matches the exact value `a%20b`, not `a b`. A parameter without
 * `=` has the value ``. Undefined when absent.
 */
export function queryParam(query: string, name: string): string | undefined {
  let start = 0;
  const n = query.length;
  while (start <= n) {
    let end = query.indexOf('&', start);
    if (end < 0) end = n;
    const eq = query.indexOf('=', start);
    const keyEnd = eq >= 0 && eq < end ? eq : end;
    if (keyEnd - start === name.length && query.startsWith(name, start)) return keyEnd === end ? '' : query.slice(keyEnd + 1, end);
    start = end + 1;
  }
  return undefined;
}
