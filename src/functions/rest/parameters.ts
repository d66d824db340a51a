// Route parameters, as Gloo's `destinationSpec.rest.parameters`: each pattern is literal text with
// `{name}` captures, matched against the whole path (without its query) or a header's value. A
// capture takes `[-._%A-Za-z0-9]+`, as Gloo's generated extractors do; a pattern without braces
// takes the whole header value, named after the header. Like Gloo, `path` (with its query) and
// `method` come free. Patterns become RE2 regexes (re2js): linear time whatever a client sends.
import { RE2JS } from 're2js';
import type { ParameterSources } from '../types.ts';

export class ParameterPatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParameterPatternError';
  }
}

/** Where a parameter's value is read: the path, or a (lower-case) header; `:authority` is `host`. */
type Source = { readonly kind: 'path' } | { readonly kind: 'method' } | { readonly kind: 'path-with-query' } | { readonly kind: 'header'; readonly name: string };

interface Extractor {
  readonly source: Source;
  /** whole-value matcher; absent when the whole value is the one variable */
  readonly regex?: RE2JS;
  readonly names: readonly string[];
}

export interface CompiledParameters {
  readonly extractors: readonly Extractor[];
  /** the variables the route's patterns declare (not the free `path` and `method`), in order */
  readonly declared: readonly string[];
}

/** What extraction reads of a request. */
export interface ParameterRequest {
  readonly method: string;
  /** path and query */
  readonly path: string;
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
}

const NAME = /\{\s*([-._\w]+)\s*\}/g;
const CAPTURE = '([-._%A-Za-z0-9]+)';

function compilePattern(source: Source, pattern: string, where: string, wholeValueName: string): Extractor {
  const names: string[] = [];
  let regex = '';
  let last = 0;
  for (const m of pattern.matchAll(NAME)) {
    regex += RE2JS.quote(pattern.slice(last, m.index)) + CAPTURE;
    names.push(m[1]!);
    last = m.index + m[0].length;
  }
  const braces = pattern.split('{').length - 1;
  if (braces !== names.length) {
    throw new ParameterPatternError(
      `${where}: ${JSON.stringify(pattern)} is not a valid pattern: each "{" needs a "}" around a name of letters, digits, "-", "_" or "."`,
    );
  }
  if (names.length === 0) return { source, names: [wholeValueName] };
  return { source, names, regex: RE2JS.compile(regex + RE2JS.quote(pattern.slice(last))) };
}

function headerSource(name: string): Source {
  if (name === ':path') return { kind: 'path' };
  if (name === ':method') return { kind: 'method' };
  return { kind: 'header', name: name === ':authority' ? 'host' : name };
}

/** Compiles a route's parameter patterns once; throws ParameterPatternError naming the bad one. */
export function compileParameters(sources: ParameterSources): CompiledParameters {
  const extractors: Extractor[] = [
    { source: { kind: 'path-with-query' }, names: ['path'] },
    { source: { kind: 'method' }, names: ['method'] },
  ];
  if (sources.path !== undefined && sources.path !== '') {
    extractors.push(compilePattern({ kind: 'path' }, sources.path, 'parameters.path', 'path'));
  }
  for (const [rawName, pattern] of sources.headers) {
    if (pattern === '') continue;
    const name = rawName.toLowerCase();
    extractors.push(compilePattern(headerSource(name), pattern, `parameters.headers[${JSON.stringify(rawName)}]`, name.replace(/^:/, '')));
  }
  const declared = [...new Set(extractors.slice(2).flatMap((ex) => ex.names))];
  return { extractors, declared };
}

function read(source: Source, req: ParameterRequest): string | undefined {
  switch (source.kind) {
    case 'path-with-query':
      return req.path;
    case 'path': {
      const q = req.path.indexOf('?');
      return q === -1 ? req.path : req.path.slice(0, q);
    }
    case 'method':
      return req.method;
    case 'header': {
      const v = req.headers[source.name];
      return typeof v === 'string' ? v : v?.[0];
    }
  }
}

/** The variables a request yields; later patterns override earlier ones of the same name. */
export function extractParameters(compiled: CompiledParameters, req: ParameterRequest): Map<string, string> {
  const out = new Map<string, string>();
  for (const ex of compiled.extractors) {
    const value = read(ex.source, req);
    if (value === undefined) continue;
    if (!ex.regex) {
      out.set(ex.names[0]!, value);
      continue;
    }
    const m = ex.regex.matcher(value);
    if (!m.matches()) continue;
    ex.names.forEach((name, i) => out.set(name, m.group(i + 1)!));
  }
  return out;
}
