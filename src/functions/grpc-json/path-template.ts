// google.api.http path templates (googleapis http.proto, "Path template syntax"):
//   Template = "/" Segments [ Verb ] ;  Segments = Segment { "/" Segment } ;
//   Segment  = "*" | "**" | LITERAL | Variable ;  Variable = "{" FieldPath [ "=" Segments ] "}" ;
//   Verb     = ":" LITERAL ;
// Parsed once at compile time; matching walks a request path's raw segments.

export type Segment = { readonly kind: 'literal'; readonly text: string } | { readonly kind: 'any' } | { readonly kind: 'rest' };

export interface PathVariable {
  /** the request field the value goes to, split on dots */
  readonly fieldPath: readonly string[];
  /** the template segments the variable spans: [start, end) */
  readonly start: number;
  readonly end: number;
}

export interface PathTemplate {
  readonly text: string;
  readonly segments: readonly Segment[];
  readonly variables: readonly PathVariable[];
  /** '' when the template has no `:verb` */
  readonly verb: string;
}

const LITERAL = /^[^/{}:*=]+/;
const FIELD_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*/;

/** Parses a template; throws an Error saying what is wrong and where. */
export function parseTemplate(text: string): PathTemplate {
  if (!text.startsWith('/')) throw new Error(`path template "${text}" must start with "/"`);
  const segments: Segment[] = [];
  const variables: PathVariable[] = [];
  let rest = text.slice(1);
  const fail = (why: string): never => {
    throw new Error(`path template "${text}": ${why} at offset ${text.length - rest.length}`);
  };
  const segment = (inVariable: boolean): void => {
    if (rest.startsWith('**')) {
      segments.push({ kind: 'rest' });
      rest = rest.slice(2);
    } else if (rest.startsWith('*')) {
      segments.push({ kind: 'any' });
      rest = rest.slice(1);
    } else if (rest.startsWith('{')) {
      if (inVariable) fail('variables cannot nest');
      rest = rest.slice(1);
      const field = FIELD_PATH.exec(rest)?.[0] ?? fail('a field path is expected');
      rest = rest.slice(field.length);
      const start = segments.length;
      if (rest.startsWith('=')) {
        rest = rest.slice(1);
        segmentList(true);
      } else segments.push({ kind: 'any' });
      if (!rest.startsWith('}')) fail('"}" is expected');
      rest = rest.slice(1);
      variables.push({ fieldPath: field.split('.'), start, end: segments.length });
    } else {
      const lit = LITERAL.exec(rest)?.[0] ?? fail('a segment is expected');
      segments.push({ kind: 'literal', text: lit });
      rest = rest.slice(lit.length);
    }
  };
  const segmentList = (inVariable: boolean): void => {
    segment(inVariable);
    while (rest.startsWith('/')) {
      rest = rest.slice(1);
      segment(inVariable);
    }
  };
  let verb = '';
  if (rest !== '' && !rest.startsWith(':')) segmentList(false);
  if (rest.startsWith(':')) {
    rest = rest.slice(1);
    verb = LITERAL.exec(rest)?.[0] ?? fail('a verb is expected after ":"');
    rest = rest.slice(verb.length);
  }
  if (rest !== '') fail(`unexpected "${rest[0]}"`);
  const restAt = segments.findIndex((s) => s.kind === 'rest');
  if (restAt >= 0 && restAt !== segments.length - 1) throw new Error(`path template "${text}": "**" must be the last segment`);
  const seen = new Set<string>();
  for (const v of variables) {
    const name = v.fieldPath.join('.');
    if (seen.has(name)) throw new Error(`path template "${text}": variable "${name}" appears twice`);
    seen.add(name);
  }
  return { text, segments, variables, verb };
}

export interface TemplateMatch {
  /** field path (dotted) -> decoded value */
  readonly variables: ReadonlyMap<string, string>;
  /** per template segment: 0 literal, 1 `*`, 2 `**`; the lowest wins, compared left to right */
  readonly rank: readonly number[];
}

/** Matches a request path (without its query) against a template; undefined when it does not. */
export function matchTemplate(t: PathTemplate, path: string): TemplateMatch | undefined {
  if (!path.startsWith('/')) return undefined;
  let body = path.slice(1);
  if (t.verb) {
    if (!body.endsWith(`:${t.verb}`)) return undefined;
    body = body.slice(0, -(t.verb.length + 1));
  }
  const raw = body === '' ? [] : body.split('/');
  const spans: [number, number][] = []; // template segment -> [from, to) of raw segments
  let at = 0;
  for (const seg of t.segments) {
    if (seg.kind === 'rest') {
      spans.push([at, raw.length]);
      at = raw.length;
      continue;
    }
    const value = raw[at];
    if (value === undefined) return undefined;
    if (seg.kind === 'literal' ? value !== seg.text : value === '') return undefined;
    spans.push([at, at + 1]);
    at++;
  }
  if (at !== raw.length) return undefined;
  const variables = new Map<string, string>();
  for (const v of t.variables) {
    const from = spans[v.start]?.[0] ?? at;
    const to = spans[v.end - 1]?.[1] ?? at;
    const single = v.end - v.start === 1 && t.segments[v.start]?.kind !== 'rest';
    variables.set(v.fieldPath.join('.'), percentDecode(raw.slice(from, to).join('/'), !single));
  }
  const rank = t.segments.map((s) => (s.kind === 'literal' ? 0 : s.kind === 'any' ? 1 : 2));
  return { variables, rank };
}

/**
 * Percent-decodes a value as the spec says: a single-segment variable fully, a multi-segment one
 * except `%2F`/`%2f` (which stay as they are, so a decoded "/" still means a segment boundary).
 * Malformed escapes are kept literally; the bytes are read as UTF-8.
 */
export function percentDecode(text: string, keepSlash: boolean): string {
  if (!text.includes('%')) return text;
  const parts: Buffer[] = [];
  let last = 0;
  for (const m of text.matchAll(/%([0-9A-Fa-f]{2})/g)) {
    const byte = Number.parseInt(m[1]!, 16);
    if (keepSlash && byte === 0x2f) continue;
    parts.push(Buffer.from(text.slice(last, m.index), 'utf8'), Buffer.of(byte));
    last = m.index + 3;
  }
  parts.push(Buffer.from(text.slice(last), 'utf8'));
  return Buffer.concat(parts).toString('utf8');
}

/** Compares two ranks: negative when `a` is the more specific match. */
export function compareRank(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return b.length - a.length;
}
