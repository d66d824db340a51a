// A gRPC reply -> the HTTP response: a unary message as JSON, a server stream as a JSON array
// written as messages arrive, a non-OK status as its HTTP status with a JSON error body.
import type http2 from 'node:http2';
import protobuf from 'protobufjs';
import type { FunctionResponse } from '../types.ts';
import { resolveFieldPath } from './field-path.ts';
import { type PrintOptions, printFieldValue, printMessage } from './json-print.ts';
import { HTTP_BODY } from './request.ts';
import type { RuleMatch } from './rules.ts';
import { GrpcCode, decodeGrpcMessage, errorJson, grpcCodeOfHttp, httpStatusOf } from './status.ts';
import type { GrpcReply } from './upstream-call.ts';
import { get } from './wkt-fields.ts';

const JSON_TYPE = 'application/json';

// gRPC's own framing headers stay between Sluice and the server; other metadata reaches the client.
const NOT_FORWARDED = new Set(['content-type', 'content-length', 'grpc-encoding', 'grpc-accept-encoding', 'grpc-status', 'grpc-message', 'grpc-status-details-bin', 'trailer', 'te', 'connection', 'keep-alive', 'transfer-encoding', 'date']);

function forwardedHeaders(headers: http2.IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(':') || NOT_FORWARDED.has(name) || value === undefined) continue;
    out[name] = value;
  }
  return out;
}

/** An error answer: the status's HTTP code and `{code, message, details}`. */
export function errorResponse(code: number, message: string, extra?: { detailsBin?: string; types?: protobuf.Root; print?: PrintOptions; headers?: Record<string, string | string[]> }): FunctionResponse {
  const print = extra?.print ?? { alwaysPrintPrimitiveFields: false, preserveProtoFieldNames: false };
  const body = errorJson(code, message, extra?.detailsBin, extra?.types, print);
  return { status: httpStatusOf(code), headers: { ...extra?.headers, 'content-type': JSON_TYPE }, body: Buffer.from(JSON.stringify(body)) };
}

function statusOf(trailers: http2.IncomingHttpHeaders): { code: number; message: string; detailsBin?: string } {
  const raw = trailers['grpc-status'];
  const code = raw === undefined ? GrpcCode.UNKNOWN : Number(raw);
  const message = raw === undefined ? 'the upstream sent no grpc-status' : decodeGrpcMessage(trailers['grpc-message'] as string | undefined);
  const details = trailers['grpc-status-details-bin'];
  return { code: Number.isInteger(code) && code >= 0 ? code : GrpcCode.UNKNOWN, message, ...(typeof details === 'string' ? { detailsBin: details } : {}) };
}

type Rendered = { readonly json: unknown } | { readonly raw: Buffer; readonly contentType: string };

/** What a response message becomes: JSON of the message or its `response_body` field, or a google.api.HttpBody's bytes. */
function render(match: RuleMatch, bytes: Buffer, print: PrintOptions): Rendered {
  const output = match.method.output;
  const msg = output.decode(bytes) as unknown as Record<string, unknown>;
  const fields = match.binding.responseBody ? resolveFieldPath(output, match.binding.responseBody.split('.'), { scalarOnly: false }) : [];
  let value: unknown = msg;
  for (const f of fields) value = (value as Record<string, unknown> | undefined)?.[f.name];
  const leaf = fields.at(-1);
  const type = leaf ? leaf.resolve().resolvedType : output;
  if (type instanceof protobuf.Type && type.fullName === HTTP_BODY && !leaf?.repeated) {
    const body = (value ?? {}) as Record<string, unknown>;
    return { raw: Buffer.from((get(type, body, 2) as Uint8Array | undefined) ?? []), contentType: String(get(type, body, 1) ?? '') || 'application/octet-stream' };
  }
  return { json: leaf ? printFieldValue(leaf, value, print) : printMessage(output, msg, print) };
}

function bytesOf(r: Rendered): Buffer {
  return 'raw' in r ? r.raw : Buffer.from(JSON.stringify(r.json));
}

export async function replyToResponse(match: RuleMatch, reply: GrpcReply, print: PrintOptions, types: protobuf.Root): Promise<FunctionResponse> {
  const httpStatus = Number(reply.headers[':status']);
  const headers = forwardedHeaders(reply.headers);
  const fail = (s: { code: number; message: string; detailsBin?: string }) => errorResponse(s.code, s.message, { ...s, types, print, headers });
  if (httpStatus !== 200) {
    reply.cancel();
    return fail({ code: grpcCodeOfHttp(httpStatus), message: `the upstream answered HTTP ${httpStatus}, not gRPC` });
  }
  const contentType = String(reply.headers['content-type'] ?? '');
  // a trailers-only answer carries its status whatever its content-type says
  if (reply.headers['grpc-status'] === undefined && !/^application\/grpc(\+|;|$)/.test(contentType)) {
    reply.cancel();
    return fail({ code: GrpcCode.UNKNOWN, message: `the upstream answered with content-type ${contentType || '(none)'}, not gRPC` });
  }
  const first = await reply.next();
  const done = first === undefined ? statusOf(reply.trailers()) : undefined;
  if (done && done.code !== GrpcCode.OK) return fail(done);
  if (!match.method.serverStreaming) {
    if (first !== undefined) {
      const end = await reply.next();
      if (end !== undefined) {
        reply.cancel();
        return fail({ code: GrpcCode.INTERNAL, message: 'the upstream sent more than one message for a unary call' });
      }
      const s = statusOf(reply.trailers());
      if (s.code !== GrpcCode.OK) return fail(s);
    }
    const out = render(match, first ?? Buffer.alloc(0), print);
    return { status: 200, headers: { ...headers, 'content-type': 'raw' in out ? out.contentType : JSON_TYPE }, body: bytesOf(out) };
  }
  if (first === undefined) return { status: 200, headers: { ...headers, 'content-type': JSON_TYPE }, body: Buffer.from('[]') };
  const head = render(match, first, print);
  if ('raw' in head) return { status: 200, headers: { ...headers, 'content-type': head.contentType }, body: streamElements(match, reply, head, print, { open: '', separator: '', close: '' }) };
  return { status: 200, headers: { ...headers, 'content-type': JSON_TYPE }, body: streamElements(match, reply, head, print, { open: '[', separator: ',', close: ']' }) };
}

/**
 * A server stream as one body, each element written as its message arrives: a JSON array, or
 * HttpBody data back to back. A status other than OK after the first message cannot change the
 * response's status any more: the body is left unterminated and the iteration fails, so the
 * client sees a broken body rather than a complete-looking one.
 */
async function* streamElements(
  match: RuleMatch,
  reply: GrpcReply,
  first: Rendered,
  print: PrintOptions,
  punctuation: { open: string; separator: string; close: string },
): AsyncGenerator<Uint8Array> {
  let finished = false;
  try {
    yield Buffer.concat([Buffer.from(punctuation.open), bytesOf(first)]);
    for (let m = await reply.next(); m !== undefined; m = await reply.next()) yield Buffer.concat([Buffer.from(punctuation.separator), bytesOf(render(match, m, print))]);
    finished = true;
    const s = statusOf(reply.trailers());
    if (s.code !== GrpcCode.OK) throw new Error(`the stream ended with gRPC status ${s.code}: ${s.message}`);
    if (punctuation.close) yield Buffer.from(punctuation.close);
  } finally {
    if (!finished) reply.cancel(); // the client went away, or a message could not be read
  }
}
