// The fast YAML path: js-yaml's loader is about 9x faster than the `yaml` package's
// parseAllDocuments + toJS (1,000 generated apps: 143 ms against 1,334 ms); with the guards and
// detached(), the cold parse of bench/scale-translate.ts's 10,000 apps went from about 20 s of CPU
// to about 4 s (the rest is reading files and validation). It answers only when it
// gives exactly what the `yaml` path (yaml-full.ts) gives; otherwise it answers undefined and the
// caller uses the `yaml` path, which alone reports errors (with line and column, one document at a
// time). test/sources/yaml-fast.test.ts holds the two paths to that, on a table and a seeded fuzz.
import { CORE_SCHEMA, loadAll, Type, types } from 'js-yaml';
import { detached, interned, type Interned } from './yaml-detached.ts';
import type { YamlDoc } from './yaml-full.ts';
import { fastPathDeclines } from './yaml-guard.ts';

// js-yaml exports its types (`types.merge` among them); @types/js-yaml 4.0.9 does not declare them.
declare module 'js-yaml' {
  const types: { readonly merge: Type };
}

// js-yaml's core int and float are wider than YAML 1.2's core schema, which the `yaml` package
// follows: js-yaml reads `0b101`, `+0x1F` and `-0o17` as numbers and `-.5` as a string. These two
// types are the `yaml` package's (yaml/dist/schema/core/{int,float}.js: int, intOct and intHex;
// floatNaN, floatExp and float; one regex each here), so plain scalars resolve the same in both
// paths. (null and bool already match: `~`, null, Null, NULL, empty; true, True, TRUE, false,
// False, FALSE.)
export const INT = /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/;
/** The value of a plain scalar INT matches. */
export const intValue = (s: string): number => (s[1] === 'o' ? parseInt(s.slice(2), 8) : s[1] === 'x' ? parseInt(s.slice(2), 16) : parseInt(s, 10));
const coreInt = new Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (s: unknown) => typeof s === 'string' && INT.test(s),
  construct: intValue,
});

const FLOAT_SPECIAL = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
export const FLOAT = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+|[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*))$/;
/** The value of a plain scalar FLOAT matches. */
export function floatValue(s: string): number {
  if (!FLOAT_SPECIAL.test(s)) return parseFloat(s);
  if (s.slice(-3).toLowerCase() === 'nan') return NaN;
  return s[0] === '-' ? -Infinity : Infinity;
}
const coreFloat = new Type('tag:yaml.org,2002:float', {
  kind: 'scalar',
  resolve: (s: unknown) => typeof s === 'string' && FLOAT.test(s),
  construct: floatValue,
});

// `implicit`: a type replaces the core type of the same tag in place (js-yaml's compileList), and
// `<<` resolves to a merge key as the `yaml` path's `merge: true` makes it.
const schema = CORE_SCHEMA.extend({ implicit: [coreInt, coreFloat, types.merge] });

/** The documents of `text` as the `yaml` path reads them, or undefined when only that path can tell. */
export function parseYAMLFast(text: string, into: Interned = interned()): YamlDoc[] | undefined {
  if (fastPathDeclines(text)) return undefined;
  let docs: unknown[];
  try {
    docs = loadAll(text, null, { schema });
  } catch {
    // syntax errors, duplicate keys, nesting deeper than js-yaml's maxDepth: the `yaml` path
    // says where, and rejects only the document concerned.
    return undefined;
  }
  const out: YamlDoc[] = [];
  for (let doc = 0; doc < docs.length; doc++) {
    const value = docs[doc];
    if (value === null || value === undefined) continue;
    if (hasNullKey(value)) return undefined;
    out.push({ doc, value: detached(value, into) });
  }
  return out;
}

// A null key (`~: x`, `null: x`, `: x`) is "null" from js-yaml but "" from the `yaml` package. A
// key "null" in js-yaml's output is either, so it is left to the `yaml` path.
function hasNullKey(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasNullKey);
  if (value === null || typeof value !== 'object') return false;
  for (const key of Object.keys(value)) {
    if (key === 'null' || hasNullKey((value as Record<string, unknown>)[key])) return true;
  }
  return false;
}
