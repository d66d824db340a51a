// Generates YAML text for the differential test of the two YAML paths (yaml-fast.test.ts): values
// shaped like Kubernetes manifests, written in randomly chosen styles (block and flow collections,
// plain, quoted, multi-line and block scalars, comments, document markers, CRLF), then sometimes
// damaged by a few random edits so that invalid and borderline text is covered too.
export type Rnd = () => number;

/**
 * `wild`: also the styles where js-yaml and the `yaml` package part ways (multi-line flow nodes,
 * odd indentation, empty sequence entries, every block scalar header), which the fast path must
 * leave to the `yaml` path; without it, the text is what people and tools write.
 */
export interface Gen {
  readonly rnd: Rnd;
  readonly wild: boolean;
}

const pick = <T>(rnd: Rnd, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
const chance = (rnd: Rnd, p: number): boolean => rnd() < p;

// Scalars whose type differs between YAML schemas or parsers, and ordinary manifest values.
export const EDGE_SCALARS = [
  '1', '-0', '+12', '012', '0o17', '0x1F', '0X1F', '+0x1F', '-0o17', '0b101', '1_000', '1e3', '1E-3', '-.5', '.5', '1.', '1.0e+3',
  '.inf', '-.Inf', '+.INF', '.NaN', '.nan', 'true', 'True', 'TRUE', 'tRue', 'false', 'yes', 'no', 'on', 'off', 'y', 'n',
  '~', 'null', 'Null', 'NULL', 'nULL', '', '2024-01-01', '2024-01-01T00:00:00Z', '2001-12-14 21:59:43.10 -5', '12:30:00',
  '1:20', '0.1.2', '1,000', '=', '<<', '-', '--', '---x', 'a: b', 'a #b', 'a#b', '#x', 'http://x:80/y?z#w', '*.example.com',
  "it's", 'say "hi"', 'é', '日本語', '😀', 'tab\there', 'back\\slash', ' lead', 'trail ', '[x]', '{x}', 'x, y', '@at', '`tick',
  '%pct', '!bang', '&amp', '?q', '|pipe', '>gt', 'line\nbreak', 'two\n\nbreaks', 'end\n',
] as const;

const WORDS = ['app', 'bench', 'default', 'kourier', 'api', 'v1', 'web-0', 'knative-serving', 'example.com', 'Enabled', 'ExternalIP'];

export type Value = string | Value[] | { [key: string]: Value };

/** A manifest-like value: a map with apiVersion, kind, metadata and a nested spec. */
export function genManifest(rnd: Rnd): Value {
  const m: { [key: string]: Value } = { apiVersion: pick(rnd, ['v1', 'networking.internal.knative.dev/v1alpha1']), kind: pick(rnd, ['Service', 'Ingress', 'Endpoints', 'ConfigMap', 'List']) };
  m.metadata = { name: `${pick(rnd, WORDS)}-${Math.floor(rnd() * 100)}`, namespace: pick(rnd, WORDS) };
  if (chance(rnd, 0.5)) (m.metadata as { [key: string]: Value }).annotations = genMap(rnd, 2);
  m.spec = genMap(rnd, 3);
  return m;
}

function genScalar(rnd: Rnd): string {
  if (chance(rnd, 0.4)) return pick(rnd, EDGE_SCALARS);
  if (chance(rnd, 0.3)) return String(Math.floor(rnd() * 70000));
  return `${pick(rnd, WORDS)}${chance(rnd, 0.3) ? ` ${pick(rnd, WORDS)}` : ''}`;
}

function genKey(rnd: Rnd): string {
  if (chance(rnd, 0.05)) return pick(rnd, EDGE_SCALARS);
  return pick(rnd, ['name', 'port', 'ports', 'hosts', 'path', 'splits', 'percent', 'serviceName', 'visibility', 'rules', 'items', 'data', 'labels', 'k8s.io/x']);
}

function genValue(rnd: Rnd, depth: number): Value {
  const r = rnd();
  if (depth <= 0 || r < 0.5) return genScalar(rnd);
  if (r < 0.75) return genMap(rnd, depth - 1);
  return Array.from({ length: Math.floor(rnd() * 4) }, () => genValue(rnd, depth - 1));
}

function genMap(rnd: Rnd, depth: number): { [key: string]: Value } {
  const m: { [key: string]: Value } = {};
  const n = 1 + Math.floor(rnd() * 4);
  for (let i = 0; i < n; i++) m[genKey(rnd)] = genValue(rnd, depth);
  return m;
}

// --- writing -------------------------------------------------------------------------------------

function quoteDouble(rnd: Rnd, s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += pick(rnd, ['\\t', '\t']);
    else if (code > 0x7f && chance(rnd, 0.3)) out += code > 0xffff ? `\\U${code.toString(16).padStart(8, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
    else if (ch === 'a' && chance(rnd, 0.1)) out += '\\x61';
    else out += ch;
  }
  return `${out}"`;
}

const quoteSingle = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const SAFE_PLAIN = /^[\w./+-]*$/;
const pad = (n: number): string => ' '.repeat(Math.max(0, n));

/** A scalar written inline: on one line, or (wild) folded over lines indented by `indent` + extra. */
function inlineScalar(g: Gen, s: string, indent: number, flow: boolean): string {
  const { rnd } = g;
  const r = rnd();
  // plain: anything when wild (valid or not), else what stays one plain scalar
  if (r < 0.55 && !s.includes('\n') && (g.wild || (SAFE_PLAIN.test(s) && s !== '' && !s.startsWith('-')))) return s;
  if (r < 0.7 && (g.wild || !s.includes('\n'))) return quoteSingle(s).replace(/\n/g, `\n\n${pad(indent + 2)}`);
  const q = quoteDouble(rnd, s);
  if (!g.wild) return q;
  const sp = q.indexOf(' ');
  if (sp > 0 && chance(rnd, 0.2)) return `${q.slice(0, sp)}\n${pad(indent + pick(rnd, [-2, 0, 1, 2, 4]))}${q.slice(sp + 1)}`;
  const words = s.split(' ');
  if (!flow && words.length > 1 && !s.includes('\n') && chance(rnd, 0.2)) return `${words[0]}\n${pad(indent + pick(rnd, [-2, 0, 2]))}${words.slice(1).join(' ')}`;
  return q;
}

function blockScalar(g: Gen, s: string, indent: number): string {
  const header = pick(g.rnd, g.wild ? ['|', '|-', '|+', '>', '>-', '>+', '|2', '> # c'] : ['|', '|-', '>', '>-', '| # c']);
  const body = (s === '' || s === '---x' ? ['x', '  ---', '', '# not a comment', 'y: z'] : s.split('\n')).map((l) => (l === '' ? '' : pad(indent + 2) + l)).join('\n');
  return `${header}\n${body}`;
}

function flowValue(g: Gen, v: Value, indent: number): string {
  if (typeof v === 'string') return inlineScalar(g, v, indent, true);
  const sep = g.wild && chance(g.rnd, 0.1) ? `,\n${pad(indent + pick(g.rnd, [-2, 0, 2]))}` : ', ';
  if (Array.isArray(v)) return `[${v.map((x) => flowValue(g, x, indent)).join(sep)}]`;
  return `{${Object.entries(v).map(([k, x]) => `${inlineScalar(g, k, indent, true)}: ${flowValue(g, x, indent)}`).join(sep)}}`;
}

function comment(rnd: Rnd): string {
  return chance(rnd, 0.08) ? pick(rnd, [' # note', ' #', " # it's here"]) : '';
}

function writeValue(g: Gen, v: Value, indent: number, out: string[], prefix: string): void {
  const { rnd } = g;
  if (typeof v === 'string') {
    if (chance(rnd, 0.1)) out.push(`${prefix} ${blockScalar(g, v, indent)}`);
    else out.push(`${prefix} ${inlineScalar(g, v, indent, false)}${comment(rnd)}`);
    return;
  }
  const empty = Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0;
  // an entry's collection on the lines below `-` (`-` alone on its line) only when wild
  if (empty || chance(rnd, 0.15) || (!g.wild && prefix.endsWith('-'))) {
    out.push(`${prefix} ${flowValue(g, v, indent)}${comment(rnd)}`);
    return;
  }
  out.push(prefix + comment(rnd));
  if (Array.isArray(v)) {
    const at = prefix.endsWith('-') || chance(rnd, 0.5) ? indent + 2 : indent;
    for (const x of v) writeItem(g, x, at, out);
  } else writeMap(g, v, indent + pick(rnd, [2, 2, 4]), out);
}

function writeItem(g: Gen, x: Value, indent: number, out: string[]): void {
  if (typeof x === 'object' && !Array.isArray(x) && Object.keys(x).length > 0 && chance(g.rnd, 0.7)) {
    // `- key: value` with the other keys under the first
    const lines: string[] = [];
    writeMap(g, x, indent + 2, lines);
    out.push(`${pad(indent)}- ${(lines[0] ?? '').trimStart()}`, ...lines.slice(1));
    return;
  }
  writeValue(g, x, indent + 2, out, `${pad(indent)}-`);
}

function writeMap(g: Gen, m: { [key: string]: Value }, indent: number, out: string[]): void {
  const { rnd } = g;
  for (const [k, v] of Object.entries(m)) {
    if (chance(rnd, 0.03)) out.push(`${pad(indent)}# a comment`);
    const key = chance(rnd, 0.1) || !SAFE_PLAIN.test(k) ? inlineScalar(g, k, indent, false) : k;
    if (chance(rnd, 0.02)) out.push(`${pad(indent)}<<: ${flowValue(g, genMap(rnd, 0), indent)}`);
    writeValue(g, v, indent, out, `${pad(indent)}${key}:`);
  }
}

/** One file of one or more documents. */
export function genFile(g: Gen): string {
  const { rnd } = g;
  const parts: string[] = [];
  if (chance(rnd, 0.2)) parts.push(pick(rnd, ['# header', '---', '--- # first']));
  const docs = 1 + Math.floor(rnd() * 4);
  for (let d = 0; d < docs; d++) {
    if (d > 0) parts.push(pick(rnd, ['---', '---', '--- # next', '...\n---', '...']));
    const r = rnd();
    if (r < 0.08) continue; // an empty document
    if (r < 0.12) {
      parts.push('# only a comment');
      continue;
    }
    const lines: string[] = [];
    writeMap(g, genManifest(rnd) as { [key: string]: Value }, 0, lines);
    parts.push(lines.join('\n'));
  }
  if (chance(rnd, 0.15)) parts.push(pick(rnd, ['---', '...', '# trailer']));
  const text = `${parts.join('\n')}\n`;
  return chance(rnd, 0.1) ? text.replace(/\n/g, '\r\n') : text;
}

const EDIT_CHARS = [' ', '  ', '\t', '\n', ':', ': ', '-', '- ', '#', ' #', '"', "'", '[', ']', '{', '}', ',', '|', '>', '?', '\\', 'x'];

/** The text with a few random edits: inserted, deleted or replaced characters, a line re-indented. */
export function mutate(rnd: Rnd, text: string): string {
  let t = text;
  const edits = 1 + Math.floor(rnd() * 3);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(rnd() * (t.length + 1));
    const r = rnd();
    if (r < 0.4) t = t.slice(0, at) + pick(rnd, EDIT_CHARS) + t.slice(at);
    else if (r < 0.7) t = t.slice(0, at) + t.slice(at + 1 + Math.floor(rnd() * 3));
    else {
      const ls = t.split('\n');
      const li = Math.floor(rnd() * ls.length);
      ls[li] = (ls[li] ?? '').replace(/^ */, (s) => ' '.repeat(Math.max(0, s.length + pick(rnd, [-2, -1, 1, 2]))));
      t = ls.join('\n');
    }
  }
  return t;
}
