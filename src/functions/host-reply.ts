// What the function host writes to its (loopback) client, the exchange: its own JSON errors, made
// trailers-only gRPC statuses for gRPC callers as the gateway's local replies are, and a handler's
// FunctionResponse, streamed with backpressure.
import type http from 'node:http';
import { grpcLocalReply, isGrpcContentType } from '../proxy/grpc.ts';
import { HOP_BY_HOP } from '../proxy/headers.ts';
import type { LocalReply } from '../proxy/local-reply.ts';
import type { FunctionResponse } from './types.ts';

/** A JSON error the host answers itself: `{"error": ..., "function": ...}` and any extra fields. */
export function jsonError(status: number, error: string, fields: Readonly<Record<string, string>> = {}): LocalReply {
  return { status, headers: [['content-type', 'application/json']], body: `${JSON.stringify({ error, ...fields })}\n` };
}

/**
 * Writes a host error. A body left unread is read and dropped by node once the answer ends:
 * closing instead while the exchange still sends it would turn the answer into a reset.
 */
export function writeError(req: http.IncomingMessage, res: http.ServerResponse, reply: LocalReply): void {
  if (res.headersSent || res.destroyed) return void res.destroy();
  const contentType = req.headers['content-type'];
  const r = isGrpcContentType(contentType) ? grpcLocalReply(reply, contentType!) : reply;
  const body = Buffer.from(r.body);
  // A handler's answer that failed half-way may have set some of its headers: none of them go out.
  for (const n of res.getHeaderNames()) res.removeHeader(n);
  res.statusCode = r.status;
  for (const [n, v] of r.headers) res.setHeader(n, v);
  res.setHeader('content-length', body.length);
  res.end(body);
}

/** Headers a handler may not set: the host frames the body itself. */
const FRAMING = new Set(['content-length', 'transfer-encoding']);

/** Sets the handler's status and headers; throws (before anything is sent) when they cannot be sent. */
function writeHead(res: http.ServerResponse, answer: FunctionResponse, length: number | undefined): void {
  const status = answer.status;
  if (!Number.isInteger(status) || status < 200 || status > 599) throw new Error(`handler answered status ${String(status)}`);
  const names: string[] = [];
  const values: Array<string | string[]> = [];
  for (const [name, value] of Object.entries(answer.headers)) {
    const lower = name.toLowerCase();
    if (FRAMING.has(lower) || HOP_BY_HOP.has(lower)) continue;
    names.push(lower);
    values.push(typeof value === 'string' ? value : [...value]);
  }
  // setHeader validates names and values (no CR/LF): a bad one throws here, before the head is sent.
  for (let i = 0; i < names.length; i++) res.setHeader(names[i]!, values[i]!);
  if (length !== undefined) res.setHeader('content-length', length);
  res.statusCode = status;
}

/**
 * Sends a handler's answer. A whole body goes with its length; chunks go as they come, and a
 * failure after the head resets the stream (the exchange reports it as a reset after headers).
 */
export async function writeAnswer(res: http.ServerResponse, answer: FunctionResponse, signal: AbortSignal): Promise<void> {
  const body = answer.body;
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) {
    writeHead(res, answer, body.length);
    res.end(body);
    return;
  }
  writeHead(res, answer, undefined);
  res.flushHeaders();
  for await (const chunk of body) {
    if (signal.aborted) return;
    if (!res.write(chunk)) await drained(res, signal);
  }
  res.end();
}

function drained(res: http.ServerResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    res.on('drain', done);
    signal.addEventListener('abort', done);
  });
}
