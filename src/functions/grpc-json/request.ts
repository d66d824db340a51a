// Builds the gRPC request message from an HTTP request, as the HttpRule spec maps it: path
// variables, then query parameters for fields neither the path nor the body bind, then the body
// (`*`: the whole message; a field path: that field). Throws JsonMappingError for a client mistake.
import protobuf from 'protobufjs';
import { findField, resolveFieldPath } from './field-path.ts';
import { JsonMappingError, type Plain, parseFieldValue, parseMessage, parseSingle } from './json-parse.ts';
import { percentDecode } from './path-template.ts';
import { byNumber } from './wkt-fields.ts';
import type { RuleMatch } from './rules.ts';

export interface HttpParts {
  /** the raw query string, without `?` */
  readonly query: string;
  readonly body: Buffer;
  /** the request's content-type, what a google.api.HttpBody body records */
  readonly contentType?: string;
}

export const HTTP_BODY = '.google.api.HttpBody';

/** What to do with query parameters that are not request fields. */
export interface QueryPolicy {
  /** skipped by name (Envoy's `ignored_query_parameters`) */
  readonly ignored: ReadonlySet<string>;
  /** skip any that names no field instead of answering 400 (`ignore_unknown_query_parameters`) */
  readonly ignoreUnknown: boolean;
}

/** google.api.HttpBody{content_type, data}: the raw body, unparsed. */
function rawBody(type: protobuf.Type, parts: HttpParts): Plain {
  return byNumber(type, { 1: parts.contentType ?? '', 2: parts.body });
}

/** Query pairs, percent-decoded; `+` stays a plus, as Envoy's transcoder keeps it by default. */
export function parseQuery(query: string): [string, string][] {
  if (!query) return [];
  return query
    .split('&')
    .filter((p) => p !== '')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq < 0 ? [percentDecode(pair, false), ''] : [percentDecode(pair.slice(0, eq), false), percentDecode(pair.slice(eq + 1), false)];
    });
}

// A path or query value is text; the JSON value it stands for depends on the field it fills.
function textAsJson(field: protobuf.Field, text: string, at: string): unknown {
  const t = field.resolve().resolvedType;
  const wrapped = t instanceof protobuf.Type && t.fullName === '.google.protobuf.BoolValue';
  if (field.type === 'bool' || wrapped) {
    if (text === 'true' || text === 'false') return text === 'true';
    throw new JsonMappingError(`${at}: "${text}" is not a boolean`);
  }
  if (t instanceof protobuf.Enum && /^-?\d+$/.test(text)) return Number(text);
  return text;
}

/** Sets a leaf value in a plain object tree, creating the messages on the way. */
function setPath(target: Plain, fields: protobuf.Field[], value: unknown, append: boolean): void {
  let at = target;
  for (const f of fields.slice(0, -1)) {
    const next = (at[f.name] ??= {}) as Plain;
    at = next;
  }
  const leaf = fields.at(-1)!;
  if (append) ((at[leaf.name] ??= []) as unknown[]).push(value);
  else at[leaf.name] = value;
}

/** Merges `over` into `base`: messages field by field, anything else replaced. */
function merge(base: Plain, over: Plain): Plain {
  for (const [k, v] of Object.entries(over)) {
    const b = base[k];
    const mergeable = (x: unknown): x is Plain => typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof Uint8Array);
    base[k] = mergeable(b) && mergeable(v) ? merge(b, v) : v;
  }
  return base;
}

function bindField(type: protobuf.Type, dotted: string, where: string): protobuf.Field[];
function bindField(type: protobuf.Type, dotted: string, where: string, lenient: true): protobuf.Field[] | undefined;
function bindField(type: protobuf.Type, dotted: string, where: string, lenient = false): protobuf.Field[] | undefined {
  try {
    return resolveFieldPath(type, dotted.split('.'), { scalarOnly: true });
  } catch (err) {
    if (lenient) return undefined;
    throw new JsonMappingError(`${where} "${dotted}": ${(err as Error).message}`);
  }
}

/** protobuf's own JSON parser stops at this depth; the mapping recurses, so it must too. */
export const MAX_JSON_DEPTH = 100;

function checkDepth(root: unknown): void {
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > MAX_JSON_DEPTH) throw new JsonMappingError(`the body is nested deeper than ${MAX_JSON_DEPTH} levels`);
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
}

function parseBody(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new JsonMappingError(`the body is not valid JSON: ${(err as Error).message}`);
  }
  checkDepth(json);
  return json;
}

/** The fields path variables and query parameters set, as a plain object (fresh on each call: merging mutates it). */
function boundFields(match: RuleMatch, query: string, policy: QueryPolicy): { fromQuery: Plain; fromPath: Plain } {
  const input = match.method.input;
  const bodyPath = match.binding.body;
  const fromQuery: Plain = {};
  for (const [key, value] of parseQuery(query)) {
    if (policy.ignored.has(key)) continue;
    // a field the body or the path binds is not a query parameter
    if (bodyPath === '*' || match.variables.has(key) || (bodyPath && (key === bodyPath || key.startsWith(`${bodyPath}.`)))) continue;
    if (!policy.ignoreUnknown && !findField(input, key.split('.')[0]!)) throw new JsonMappingError(`unknown query parameter "${key}"`);
    const fields = policy.ignoreUnknown ? bindField(input, key, 'query parameter', true) : bindField(input, key, 'query parameter');
    if (!fields) continue;
    const leaf = fields.at(-1)!;
    setPath(fromQuery, fields, parseSingle(leaf, textAsJson(leaf, value, key), key), leaf.repeated);
  }
  const fromPath: Plain = {};
  for (const [dotted, value] of match.variables) {
    const fields = bindField(input, dotted, 'path variable');
    const leaf = fields.at(-1)!;
    setPath(fromPath, fields, parseSingle(leaf, textAsJson(leaf, value, dotted), dotted), false);
  }
  return { fromQuery, fromPath };
}

/**
 * What the body gives each request message: one plain object for a unary call; for a
 * client-streaming call, one per element of a JSON array (Envoy's "array of messages").
 */
function bodyObjects(match: RuleMatch, parts: HttpParts): Plain[] {
  const input = match.method.input;
  const bodyPath = match.binding.body;
  const bodyFields = bodyPath && bodyPath !== '*' ? resolveFieldPath(input, bodyPath.split('.'), { scalarOnly: false }) : [];
  const wrap = (value: Plain): Plain => {
    if (bodyPath === '*') return value;
    const out: Plain = {};
    setPath(out, bodyFields, value, false);
    return out;
  };
  const bodyType = bodyPath === '*' ? input : bodyFields.at(-1)?.resolve().resolvedType;
  if (bodyType instanceof protobuf.Type && bodyType.fullName === HTTP_BODY && !bodyFields.at(-1)?.repeated) {
    // an HttpBody takes the request's bytes as they are, as Envoy passes them
    return [wrap(rawBody(bodyType, parts))];
  }
  const json = bodyPath ? parseBody(parts.body) : undefined;
  const one = (v: unknown, at: string): Plain =>
    bodyPath === '*' ? parseMessage(input, v, at) : wrap(parseFieldValue(bodyFields.at(-1)!, v, at || bodyPath) as Plain);
  if (!match.method.clientStreaming) return [json === undefined ? {} : one(json, '')];
  if (json === undefined) return [];
  if (!Array.isArray(json)) throw new JsonMappingError('a client-streaming method takes a JSON array of messages');
  return json.map((v, i) => one(v, `[${i}]`));
}

/** The request messages as plain objects for `input.fromObject`: path variables win over the body, the body over the query. */
export function buildRequestObjects(match: RuleMatch, parts: HttpParts, query: QueryPolicy): Plain[] {
  return bodyObjects(match, parts).map((body) => {
    const { fromQuery, fromPath } = boundFields(match, parts.query, query);
    return merge(merge(fromQuery, body), fromPath);
  });
}

/** The request messages, encoded: one, or for a client stream one per array element. */
export function buildRequests(match: RuleMatch, parts: HttpParts, query: QueryPolicy): Uint8Array[] {
  const input = match.method.input;
  return buildRequestObjects(match, parts, query).map((plain) => {
    let message: protobuf.Message;
    try {
      message = input.fromObject(plain);
    } catch (err) {
      throw new JsonMappingError(`the request does not fit ${input.fullName.slice(1)}: ${(err as Error).message}`);
    }
    return input.encode(message).finish();
  });
}

/** The request message of a call that is not client-streaming, encoded. */
export function buildRequest(match: RuleMatch, parts: HttpParts, query: QueryPolicy): Uint8Array {
  return buildRequests(match, parts, query)[0] ?? new Uint8Array();
}
