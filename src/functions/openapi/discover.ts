// An OpenAPI document (Swagger 2.0 or OpenAPI 3.x) to REST functions, built the way Gloo's
// function discovery (projects/discovery/pkg/fds/discoveries/swagger) builds them:
// - name: the operationId, else the lower-case method and the path with `/` as `.` (`get.pets.{id}`);
// - `:method`; `:path`: base path + path, each `{x}` as `{{ default(x, "") }}`, then the query
//   parameters as `name={{default(name, "")}}` joined with `&`;
// - header parameters: a header `{{default(name, "")}}`;
// - GET/HEAD: the body cleared (empty body template, `content-type` removed, `content-length: 0`);
//   other methods: `content-type: application/json`, the body passed through.
// Where Sluice differs: an operation with a body passes the client's body through, where Gloo
// writes a body template from the schema (it finds the schema by the parameter's name, so usually
// `{}`, and its template breaks on a missing field); path-level parameters apply to every
// operation of the path (Gloo ignores them); OpenAPI 3 is read (base path: the first server's
// path). Form and cookie parameters are skipped with a warning, as Gloo does for form data.
import { compileTemplate } from '../rest/template-parse.ts';
import type { DiscoveredFunction, RestTemplate, Template } from '../types.ts';
import { isObject, type JsonObject, type JsonValue, parseOpenApiText, resolveRef } from './document.ts';

export type DiscoveryResult =
  | { readonly ok: true; readonly functions: DiscoveredFunction[]; readonly warnings: string[] }
  | { readonly ok: false; readonly error: string };

/** Gloo's order of methods within a path item. */
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;

interface Param {
  readonly name: string;
  readonly in: string;
}

interface Spec {
  readonly doc: JsonObject;
  readonly version: 2 | 3;
  readonly basePath: string;
  readonly warn: (message: string) => void;
}

/** Discovers the functions of a document's text (JSON or YAML). */
export function discoverFromText(text: string): DiscoveryResult {
  const parsed = parseOpenApiText(text);
  return parsed.ok ? discoverFunctions(parsed.doc) : { ok: false, error: parsed.error };
}

export function discoverFunctions(doc: JsonObject): DiscoveryResult {
  const warnings: string[] = [];
  const warn = (m: string): void => {
    if (warnings.length < 200) warnings.push(m);
  };
  const version = typeof doc.swagger === 'string' && doc.swagger.startsWith('2') ? 2 : typeof doc.openapi === 'string' && doc.openapi.startsWith('3') ? 3 : undefined;
  if (!version) return { ok: false, error: 'not a Swagger 2.0 or OpenAPI 3 document (no "swagger: 2.0" or "openapi: 3.x")' };
  if (version === 2 && Array.isArray(doc.consumes) && doc.consumes.length > 0 && !doc.consumes.includes('application/json')) {
    return { ok: false, error: `discovery sends application/json; the document consumes only ${JSON.stringify(doc.consumes)}` };
  }
  if (!isObject(doc.paths)) return { ok: false, error: 'the document has no "paths" object' };
  const spec: Spec = { doc, version, basePath: version === 2 ? swaggerBasePath(doc) : serverBasePath(doc), warn };
  const byName = new Map<string, DiscoveredFunction>();
  for (const [path, rawItem] of Object.entries(doc.paths)) {
    if (!path.startsWith('/')) continue;
    const item = resolveRef(doc, rawItem, (m) => warn(`paths[${JSON.stringify(path)}]: ${m}`));
    if (!isObject(item)) continue;
    const shared = parameters(spec, item.parameters, `paths[${JSON.stringify(path)}].parameters`);
    for (const method of METHODS) {
      const op = item[method];
      if (!isObject(op)) continue;
      const where = `paths[${JSON.stringify(path)}].${method}`;
      const fn = operationFunction(spec, path, method.toUpperCase(), op, shared, where);
      if (!fn) continue;
      if (byName.has(fn.name)) warn(`${where}: function name ${JSON.stringify(fn.name)} already taken; skipped`);
      else byName.set(fn.name, fn);
    }
  }
  const functions = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { ok: true, functions, warnings };
}

function trimSlash(path: string): string {
  return path.endsWith('/') ? path.slice(0, -1) : path;
}

function swaggerBasePath(doc: JsonObject): string {
  return typeof doc.basePath === 'string' ? trimSlash(doc.basePath) : '';
}

/** OpenAPI 3: the path of the first server's URL, its variables at their defaults. */
function serverBasePath(doc: JsonObject): string {
  const server = Array.isArray(doc.servers) ? doc.servers[0] : undefined;
  if (!isObject(server) || typeof server.url !== 'string') return '';
  const vars = isObject(server.variables) ? server.variables : {};
  const url = server.url.replace(/\{([^}]*)\}/g, (_, name: string) => {
    const v = vars[name];
    return isObject(v) && typeof v.default === 'string' ? v.default : '';
  });
  let path: string;
  try {
    path = new URL(url, 'http://base.invalid').pathname;
  } catch {
    return '';
  }
  return trimSlash(path);
}

function parameters(spec: Spec, list: JsonValue | undefined, where: string): Param[] {
  if (!Array.isArray(list)) return [];
  const out: Param[] = [];
  list.forEach((raw, i) => {
    const p = resolveRef(spec.doc, raw, (m) => spec.warn(`${where}[${i}]: ${m}`));
    if (isObject(p) && typeof p.name === 'string' && typeof p.in === 'string') out.push({ name: p.name, in: p.in });
  });
  return out;
}

/** Operation parameters override the path item's of the same name and location. */
function merged(shared: Param[], own: Param[]): Param[] {
  const key = (p: Param): string => `${p.in}\0${p.name}`;
  const ownKeys = new Set(own.map(key));
  return [...shared.filter((p) => !ownKeys.has(key(p))), ...own];
}

function operationFunction(spec: Spec, path: string, method: string, op: JsonObject, shared: Param[], where: string): DiscoveredFunction | undefined {
  const params = merged(shared, parameters(spec, op.parameters, `${where}.parameters`));
  const query: string[] = [];
  const headerParams: string[] = [];
  for (const p of params) {
    if (p.in === 'query') query.push(`${p.name}={{default(${p.name}, "")}}`);
    else if (p.in === 'header') headerParams.push(p.name);
    else if (p.in === 'formData' || p.in === 'cookie') spec.warn(`${where}: ${p.in} parameter ${JSON.stringify(p.name)} not supported; ignored`);
  }
  const name = typeof op.operationId === 'string' && op.operationId !== '' ? op.operationId : method.toLowerCase() + path.replace(/\//g, '.');
  let pathTemplate = (spec.basePath + path).replace(/\{/g, '{{ default(').replace(/\}/g, ', "") }}');
  if (query.length > 0) pathTemplate += `?${query.join('&')}`;

  const headers = new Map<string, Template>([
    [':method', method],
    [':path', pathTemplate],
  ]);
  for (const h of headerParams) headers.set(h.toLowerCase(), `{{default(${h}, "")}}`);
  let body: RestTemplate['body'] = { type: 'passthrough' };
  if (method === 'GET' || method === 'HEAD') {
    // As Gloo: no body, and no header describing one.
    headers.set('content-type', '');
    headers.set('content-length', '0');
    headers.set('transfer-encoding', '');
    body = { type: 'template', text: '' };
  } else {
    // A body (a Swagger `in: body` parameter, an OpenAPI 3 requestBody, or none) passes through.
    headers.set('content-type', 'application/json');
  }
  const rest: RestTemplate = { headers: [...headers].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)), body };
  // A parameter name the template language cannot spell (`pet id`) would make a function that
  // fails at every call: leave it out, and say so.
  for (const [header, text] of rest.headers) {
    try {
      compileTemplate(text);
    } catch (err) {
      spec.warn(`${where}: function ${JSON.stringify(name)} skipped: its ${header} template does not compile (${err instanceof Error ? err.message : String(err)})`);
      return undefined;
    }
  }
  return { name, kind: 'rest', rest };
}
