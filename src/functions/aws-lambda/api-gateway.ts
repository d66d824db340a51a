// API Gateway REST (v1) proxy integration shapes: the event a function is given
// (`wrapAsApiGateway`) and the result it answers with (`unwrapAsApiGateway`). Pure translators.
import type { FunctionRequest, FunctionResponse } from '../types.ts';

export interface ApiGatewayEvent {
  readonly resource: string;
  readonly path: string;
  readonly httpMethod: string;
  readonly headers: Record<string, string>;
  readonly multiValueHeaders: Record<string, string[]>;
  readonly queryStringParameters: Record<string, string> | null;
  readonly multiValueQueryStringParameters: Record<string, string[]> | null;
  readonly pathParameters: null;
  readonly stageVariables: null;
  readonly requestContext: { readonly resourcePath: string; readonly httpMethod: string; readonly path: string; readonly identity: { readonly sourceIp: string | null } };
  readonly body: string | null;
  readonly isBase64Encoded: boolean;
}

// Envoy's aws_lambda filter sends these as text and base64-encodes every other declared type.
const TEXT_TYPES = /^(text\/[^;]*|application\/(json|xml|javascript|x-www-form-urlencoded|[\w.-]+\+(json|xml)))\s*(;|$)/i;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The request as API Gateway's proxy integration hands it to a function. */
export function toApiGatewayEvent(req: FunctionRequest): ApiGatewayEvent {
  const q = req.path.indexOf('?');
  const path = q < 0 ? req.path : req.path.slice(0, q);
  // Maps, then fromEntries: a client's `__proto__` or `constructor` is a name like any other
  const multi = new Map<string, string[]>();
  for (const [name, value] of Object.entries(req.headers)) {
    const all = typeof value === 'string' ? [value] : [...value];
    if (all.length > 0) multi.set(name, all);
  }
  // as API Gateway: the single-value map keeps the last value
  const headers = lastOf(multi) ?? {};
  const query = queryOf(q < 0 ? '' : req.path.slice(q + 1));
  const forwarded = multi.get('x-forwarded-for')?.at(-1)?.split(',').at(-1)?.trim();
  const { body, isBase64Encoded } = bodyOf(req.body, multi.get('content-type')?.at(-1));
  return {
    resource: path,
    path,
    httpMethod: req.method,
    headers,
    multiValueHeaders: Object.fromEntries(multi),
    queryStringParameters: lastOf(query),
    multiValueQueryStringParameters: query.size > 0 ? Object.fromEntries(query) : null,
    pathParameters: null,
    stageVariables: null,
    requestContext: { resourcePath: path, httpMethod: req.method, path, identity: { sourceIp: forwarded || null } },
    body,
    isBase64Encoded,
  };
}

function queryOf(raw: string): Map<string, string[]> {
  const multi = new Map<string, string[]>();
  for (const [k, v] of new URLSearchParams(raw)) {
    const list = multi.get(k);
    if (list) list.push(v);
    else multi.set(k, [v]);
  }
  return multi;
}

/** Each name's last value; null when there are none (API Gateway's empty query). */
function lastOf(multi: ReadonlyMap<string, readonly string[]>): Record<string, string> | null {
  if (multi.size === 0) return null;
  return Object.fromEntries([...multi].map(([k, v]) => [k, v[v.length - 1]!]));
}

/** Text bodies go as they are; binary ones (by type, or not valid UTF-8) go base64. Empty: null. */
function bodyOf(body: Buffer, contentType: string | undefined): { body: string | null; isBase64Encoded: boolean } {
  if (body.length === 0) return { body: null, isBase64Encoded: false };
  if (contentType === undefined || TEXT_TYPES.test(contentType)) {
    try {
      return { body: utf8.decode(body), isBase64Encoded: false };
    } catch {
      // not text whatever its type says
    }
  }
  return { body: body.toString('base64'), isBase64Encoded: true };
}

export type Unwrapped = { readonly ok: true; readonly response: FunctionResponse } | { readonly ok: false; readonly reason: string };

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
// framing is the gateway's to decide, never the function's
const NOT_FROM_FUNCTION = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'proxy-connection', 'content-length']);

/**
 * A function's API Gateway proxy result as the HTTP response: `statusCode` (200 when absent, as
 * Gloo), `headers` and `multiValueHeaders` (the latter wins for a name in both, as API Gateway
 * merges them), `body` (a non-string body is sent as its JSON), `isBase64Encoded`.
 */
export function fromApiGatewayResult(payload: Buffer): Unwrapped {
  let doc: unknown;
  try {
    doc = JSON.parse(payload.toString('utf8'));
  } catch {
    return { ok: false, reason: 'the function did not answer with JSON' };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { ok: false, reason: 'the function answered with JSON that is not an object' };
  const r = doc as Record<string, unknown>;
  const status = r.statusCode ?? 200;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 200 || status > 599) {
    return { ok: false, reason: 'statusCode must be an integer from 200 to 599' };
  }
  const headers = headersOf(r.headers, r.multiValueHeaders);
  if (typeof headers === 'string') return { ok: false, reason: headers };
  if (r.isBase64Encoded !== undefined && typeof r.isBase64Encoded !== 'boolean') return { ok: false, reason: 'isBase64Encoded must be a boolean' };
  const text = textOf(r.body);
  if (text === undefined) return { ok: false, reason: 'body is nested too deep to send' };
  const body = status === 204 || status === 304 ? Buffer.alloc(0) : r.isBase64Encoded ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
  headers['content-type'] ??= 'application/json';
  return { ok: true, response: { status, headers, body } };
}

/** A string body as it is, any other as its JSON (as Gloo); undefined when it cannot be serialized. */
function textOf(body: unknown): string | undefined {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  try {
    return JSON.stringify(body);
  } catch {
    // JSON.stringify recurses: a body nested deeper than the stack cannot be written back
    return undefined;
  }
}

/** The merged headers, or why they cannot be sent. */
function headersOf(single: unknown, multi: unknown): Record<string, string | string[]> | string {
  const out = new Map<string, string | string[]>();
  const add = (field: string, name: string, values: unknown[]): string | undefined => {
    const lower = name.toLowerCase();
    if (!TOKEN.test(name)) return `${field} has an invalid header name ${JSON.stringify(name.slice(0, 64))}`;
    const texts: string[] = [];
    for (const v of values) {
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return `${field}.${name} must be a string`;
      const s = String(v);
      if (!FIELD_VALUE.test(s)) return `${field}.${name} has a value with control characters`;
      texts.push(s);
    }
    if (!NOT_FROM_FUNCTION.has(lower) && texts.length > 0) out.set(lower, texts.length === 1 ? texts[0]! : texts);
    return undefined;
  };
  for (const [field, value, isMulti] of [['headers', single, false], ['multiValueHeaders', multi, true]] as const) {
    if (value === undefined || value === null) continue;
    if (typeof value !== 'object' || Array.isArray(value)) return `${field} must be an object`;
    for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
      if (isMulti && !Array.isArray(v)) return `multiValueHeaders.${name} must be an array`;
      const problem = add(field, name, isMulti ? (v as unknown[]) : [v]);
      if (problem) return problem;
    }
  }
  return Object.fromEntries(out);
}
