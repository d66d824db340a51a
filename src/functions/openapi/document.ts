// An OpenAPI/Swagger document's text to plain data: JSON first, then YAML (as Gloo's discovery
// falls back), aliases bounded. Internal `$ref`s (`#/...`) are followed on demand; external ones
// (another file or URL) are not fetched: discovery makes no requests beyond the document itself.
import { parse as parseYaml } from 'yaml';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export const isObject = (v: JsonValue | undefined): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

export type ParsedDocument = { readonly ok: true; readonly doc: JsonObject } | { readonly ok: false; readonly error: string };

export function parseOpenApiText(text: string): ParsedDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    try {
      value = parseYaml(text, { maxAliasCount: 100, prettyErrors: false });
    } catch (err) {
      return { ok: false, error: `neither JSON nor YAML: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}` };
    }
  }
  if (!isObject(value as JsonValue)) return { ok: false, error: 'the document is not a JSON/YAML object' };
  return { ok: true, doc: value as JsonObject };
}

/** Bounds a chain of `$ref`s pointing at `$ref`s (and cycles). */
const MAX_HOPS = 32;

/**
 * The value a `$ref` chain ends at: the value itself when it has no `$ref`; undefined, with the
 * reason in `problem`, for an external or unresolvable reference.
 */
export function resolveRef(doc: JsonObject, value: JsonValue | undefined, problem: (message: string) => void): JsonValue | undefined {
  let current = value;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    if (!isObject(current) || typeof current.$ref !== 'string') return current;
    const ref = current.$ref;
    if (!ref.startsWith('#')) {
      problem(`external reference ${JSON.stringify(ref)} not followed (no network for discovery)`);
      return undefined;
    }
    current = pointer(doc, ref.slice(1));
    if (current === undefined) {
      problem(`reference ${JSON.stringify(ref)} does not resolve`);
      return undefined;
    }
  }
  problem('reference chain too long (a cycle?)');
  return undefined;
}

/** JSON Pointer (RFC 6901) lookup; `~1` is `/`, `~0` is `~`, segments percent-decoded as in a URI fragment. */
function pointer(doc: JsonObject, path: string): JsonValue | undefined {
  if (path === '') return doc;
  if (!path.startsWith('/')) return undefined;
  let node: JsonValue | undefined = doc;
  for (const raw of path.slice(1).split('/')) {
    let step: string;
    try {
      step = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    } catch {
      return undefined;
    }
    if (Array.isArray(node)) node = /^\d+$/.test(step) ? node[Number(step)] : undefined;
    else if (isObject(node)) node = Object.hasOwn(node, step) ? node[step] : undefined;
    else return undefined;
    if (node === undefined) return undefined;
  }
  return node;
}
