// Turns the client's request into the upstream's, from a compiled REST call: pure, no I/O.
// Parameters are extracted, templates rendered (variables: the parameters, over the top-level
// fields of a JSON body unless the body passes through), `:method`/`:path`/`:authority` set the
// request line and host, a header whose template renders empty is removed (as Gloo's
// transformation filter does), and the body is passed, rendered or merged with the parameters.
import type { FunctionRequest } from '../types.ts';
import type { CompiledRestCall } from './compile.ts';
import { extractParameters } from './parameters.ts';
import type { Json } from './template-ast.ts';
import { type RenderInput, renderTemplate, TemplateRenderError } from './template-render.ts';

export interface UpstreamRequest {
  readonly method: string;
  /** path and query */
  readonly path: string;
  /** lower-case names, framing and hop-by-hop headers removed */
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

export type BuildResult = { readonly ok: true; readonly request: UpstreamRequest } | { readonly ok: false; readonly status: 400; readonly message: string };

/** Never forwarded: connection-level headers of the client's hop, and framing (recomputed). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade', 'content-length', 'transfer-encoding', 'expect', 'http2-settings']);
const METHOD = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A header value may carry tab, visible ASCII and obs-text only (CR/LF would split the header). */
function validHeaderValue(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c !== 9 && (c < 0x20 || c === 0x7f || c > 0xff)) return false;
  }
  return true;
}

/** Percent-encodes what may not appear raw in a request target (spaces, controls, non-ASCII). */
function safeTarget(path: string): string {
  if (/^[\x21-\x7e]*$/.test(path)) return path;
  let out = '';
  for (const ch of path) {
    if (/^[\x21-\x7e]$/.test(ch)) out += ch;
    // Buffer writes a lone surrogate as U+FFFD where encodeURIComponent would throw.
    else for (const byte of Buffer.from(ch, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function parseJson(body: Buffer): { ok: true; value: Json } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) as Json };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}

const isObject = (v: Json | undefined): v is { [key: string]: Json } => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Sets `a.b.c` in a JSON object, creating objects on the way (own properties only, never a prototype). */
function setPath(target: { [key: string]: Json }, dotted: string, value: string): void {
  const steps = dotted.split('.');
  let node = target;
  for (let i = 0; i < steps.length; i++) {
    const key = steps[i]!;
    if (i === steps.length - 1) {
      Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
      return;
    }
    let next = Object.hasOwn(node, key) ? node[key] : undefined;
    if (!isObject(next)) {
      next = {};
      Object.defineProperty(node, key, { value: next, enumerable: true, writable: true, configurable: true });
    }
    node = next as { [key: string]: Json };
  }
}

const fail = (fn: string, message: string): BuildResult => ({ ok: false, status: 400, message: `function ${JSON.stringify(fn)}: ${message}` });

export function buildUpstreamRequest(call: CompiledRestCall, req: FunctionRequest): BuildResult {
  const params = extractParameters(call.parameters, req);
  let context: Json = null;
  let bodyFields: { [key: string]: Json } = {};
  if (call.body.type !== 'passthrough' && req.body.length > 0) {
    const parsed = parseJson(req.body);
    if (parsed.ok) {
      context = parsed.value;
      if (isObject(parsed.value)) bodyFields = parsed.value;
    } else if (call.body.type === 'merge-extractors') {
      return fail(call.function, `the request body is not valid JSON (${parsed.reason}); parameters can only be merged into a JSON object`);
    }
  }
  const variables: { [key: string]: Json } = { ...bodyFields, ...Object.fromEntries(params) };
  const input: RenderInput = {
    variables,
    header: (name) => {
      const v = req.headers[name];
      return typeof v === 'string' ? v : v?.[0];
    },
    extraction: (name) => params.get(name),
    body: () => req.body.toString('utf8'),
    context: () => context,
  };

  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    // HTTP/2 pseudo-headers are not headers on an HTTP/1.1 request; `:authority` is its Host.
    if (name === ':authority' && req.headers.host === undefined && typeof value === 'string') headers.host = value;
    if (!HOP_BY_HOP.has(name) && !name.startsWith(':')) headers[name] = typeof value === 'string' ? value : [...value];
  }
  let method = req.method;
  let path = req.path;
  try {
    for (const [name, template] of call.headers) {
      const value = renderTemplate(template, input);
      if (name === ':method') {
        if (value === '') continue;
        if (!METHOD.test(value)) return fail(call.function, `:method rendered ${JSON.stringify(value)}, not an HTTP method`);
        method = value;
      } else if (name === ':path') {
        if (value === '') continue;
        if (!value.startsWith('/')) return fail(call.function, `:path rendered ${JSON.stringify(value)}, which does not start with "/"`);
        path = safeTarget(value);
      } else if (value === '') {
        delete headers[name === ':authority' ? 'host' : name];
      } else if (!validHeaderValue(value)) {
        return fail(call.function, `header ${JSON.stringify(name)} rendered a value with control or non-Latin-1 characters`);
      } else {
        headers[name === ':authority' ? 'host' : name] = value;
      }
    }
    return { ok: true, request: { method, path, headers, body: renderBody(call, req, params, input, context) } };
  } catch (err) {
    if (err instanceof TemplateRenderError || err instanceof BodyError) return fail(call.function, err.message);
    // JSON.parse takes any depth; writing a value back (JSON.stringify, comparisons) recurses.
    if (err instanceof RangeError) return fail(call.function, 'the request body is nested too deeply to use');
    throw err;
  }
}

class BodyError extends Error {}

function renderBody(call: CompiledRestCall, req: FunctionRequest, params: Map<string, string>, input: RenderInput, context: Json): Buffer {
  switch (call.body.type) {
    case 'passthrough':
      return req.body;
    case 'template':
      return Buffer.from(renderTemplate(call.body.template, input));
    case 'merge-extractors': {
      if (req.body.length > 0 && !isObject(context)) throw new BodyError('the request body is a JSON value but not an object; parameters can only be merged into a JSON object');
      // A copy: the parsed body is also the variables' source.
      const target = (req.body.length > 0 ? JSON.parse(req.body.toString('utf8')) : {}) as { [key: string]: Json };
      for (const name of call.parameters.declared) {
        const value = params.get(name);
        if (value !== undefined) setPath(target, name, value);
      }
      return Buffer.from(JSON.stringify(target));
    }
  }
}
