// What a function call hands the exchange's front end: its own JSON errors (trailers-only gRPC
// statuses for gRPC callers, as the gateway's local replies are) and a handler's FunctionResponse,
// through undici's legacy dispatch-handler callbacks, the interface every front end already
// speaks to an upstream pool. A whole body goes with its length; chunks go as they come, paced by
// the front end (onData false: wait for resume).
import { grpcLocalReply, isGrpcContentType } from '../proxy/grpc.ts';
import { HOP_BY_HOP } from '../proxy/headers.ts';
import type { LocalReply } from '../proxy/local-reply.ts';
import type { FunctionResponse } from './types.ts';

/** undici's legacy dispatch handler, the part a call drives (H1ProxyHandler, H2FromH1Handler). */
export interface CallHandler {
  onConnect?(abort: (err?: Error) => void): void;
  onHeaders?(status: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean;
  onData?(chunk: Buffer): boolean;
  onComplete?(trailers: string[] | null): void;
  onError?(err: Error): void;
}

/** A JSON error the gateway answers for a call: `{"error": ..., "function": ...}` and any extra fields. */
export function jsonError(status: number, error: string, fields: Readonly<Record<string, string>> = {}): LocalReply {
  return { status, headers: [['content-type', 'application/json']], body: `${JSON.stringify({ error, ...fields })}\n` };
}

/** Headers a handler may not set: framing is the front end's, and hop-by-hop fields are not forwarded. */
const FRAMING = new Set(['content-length', 'transfer-encoding']);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Field values: visible ASCII, obs-text, space and tab (RFC 9110 5.5); never CR, LF or NUL.
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** The head of a handler's answer as raw pairs; throws (before anything is sent) when it cannot be sent. */
export function answerHead(answer: FunctionResponse, length: number | undefined): Buffer[] {
  const status = answer.status;
  if (!Number.isInteger(status) || status < 200 || status > 599) throw new Error(`handler answered status ${String(status)}`);
  const raw: Buffer[] = [];
  for (const [name, value] of Object.entries(answer.headers)) {
    const lower = name.toLowerCase();
    if (FRAMING.has(lower) || HOP_BY_HOP.has(lower)) continue;
    if (!TOKEN.test(lower)) throw new Error(`handler answered a header named ${JSON.stringify(name)}`);
    for (const v of typeof value === 'string' ? [value] : value) {
      if (typeof v !== 'string' || !FIELD_VALUE.test(v)) throw new Error(`handler answered a bad value for header ${lower}`);
      raw.push(Buffer.from(lower, 'latin1'), Buffer.from(v, 'latin1'));
    }
  }
  if (length !== undefined) raw.push(Buffer.from('content-length'), Buffer.from(String(length)));
  return raw;
}

/** A reply the gateway makes itself, as a gRPC status when the caller speaks gRPC. */
export function errorAnswer(reply: LocalReply, contentType: string | undefined): { head: Buffer[]; status: number; body: Buffer } {
  const r = contentType !== undefined && isGrpcContentType(contentType) ? grpcLocalReply(reply, contentType) : reply;
  const body = Buffer.from(r.body);
  const head: Buffer[] = [];
  for (const [n, v] of r.headers) head.push(Buffer.from(n, 'latin1'), Buffer.from(v, 'latin1'));
  head.push(Buffer.from('content-length'), Buffer.from(String(body.length)));
  return { head, status: r.status, body };
}
