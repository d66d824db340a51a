// The gRPC-JSON transcoding function handler (Envoy's grpc_json_transcoder): matches the request
// against the services' google.api.http rules, builds and sends the gRPC request, and answers
// with JSON. The compiled rules are kept per call object and, across reloads, by content.
import { createHash } from 'node:crypto';
import type { FunctionHandler, GrpcJsonCall } from '../types.ts';
import { JsonMappingError } from './json-parse.ts';
import { type QueryPolicy, buildRequests } from './request.ts';
import { errorResponse, replyToResponse } from './response.ts';
import { type CompiledTranscoder, compileTranscoder } from './rules.ts';
import { GrpcCode } from './status.ts';
import { type GrpcReply, startCall } from './upstream-call.ts';

interface Prepared {
  readonly transcoder: CompiledTranscoder;
  readonly query: QueryPolicy;
}

const prepared = new WeakMap<GrpcJsonCall, Prepared>();

// Each configuration reload brings new call objects; compiling a large descriptor set again for
// an unchanged upstream would stall its first requests, so compiled rules are kept by content.
const BY_CONTENT_MAX = 32;
const byContent = new Map<string, CompiledTranscoder>();

function compiledByContent(call: GrpcJsonCall): CompiledTranscoder {
  const key = createHash('sha256').update(call.descriptorSet).update(JSON.stringify([call.services, call.autoMapping])).digest('hex');
  let t = byContent.get(key);
  if (t) byContent.delete(key); // re-inserted below: most recently used last
  else t = compileTranscoder(call);
  byContent.set(key, t);
  if (byContent.size > BY_CONTENT_MAX) byContent.delete(byContent.keys().next().value!);
  return t;
}

/** The call's compiled rules; throws DescriptorError for an unusable descriptor set (the call answers 502). */
export function transcoderFor(call: GrpcJsonCall): CompiledTranscoder {
  return preparedFor(call).transcoder;
}

function preparedFor(call: GrpcJsonCall): Prepared {
  let p = prepared.get(call);
  if (!p) {
    p = { transcoder: compiledByContent(call), query: { ignored: new Set(call.ignoredQueryParameters), ignoreUnknown: call.ignoreUnknownQueryParameters ?? false } };
    prepared.set(call, p);
  }
  return p;
}

function headerValue(v: string | readonly string[] | undefined): string | undefined {
  return typeof v === 'string' ? v : v?.[0];
}

export const grpcJsonHandler: FunctionHandler<GrpcJsonCall> = async (call, req, ctx) => {
  const { transcoder: t, query } = preparedFor(call);
  const q = req.path.indexOf('?');
  const path = q < 0 ? req.path : req.path.slice(0, q);
  const match = t.match(req.method, path);
  if (!match) return errorResponse(GrpcCode.NOT_FOUND, `no method of ${call.services.join(', ')} is bound to ${req.method} ${path}`);
  let messages: Uint8Array[];
  try {
    messages = buildRequests(match, { query: q < 0 ? '' : req.path.slice(q + 1), body: req.body, contentType: headerValue(req.headers['content-type']) }, query);
  } catch (err) {
    if (err instanceof JsonMappingError) return errorResponse(GrpcCode.INVALID_ARGUMENT, err.message);
    throw err;
  }
  const to = ctx.pick();
  if (!to) return errorResponse(GrpcCode.UNAVAILABLE, 'no healthy upstream');
  let reply: GrpcReply;
  try {
    reply = await startCall(to, match.method.grpcPath, req.headers, messages, ctx.signal);
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    return errorResponse(GrpcCode.UNAVAILABLE, `upstream connect error: ${(err as Error).message}`);
  }
  try {
    return await replyToResponse(match, reply, call.print, t.root);
  } catch (err) {
    reply.cancel();
    if (ctx.signal.aborted) throw err;
    return errorResponse(GrpcCode.UNAVAILABLE, `upstream stream error: ${(err as Error).message}`);
  }
};
