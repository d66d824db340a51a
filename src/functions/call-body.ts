// The request body a function handler gets whole, read up to the call's limit: a client can send
// no more than that into the gateway's memory per call. The front end hands the exchange's body
// as it would to an upstream pool: nothing, a held Buffer (a retrying route's), or a stream.
import type { Readable } from 'node:stream';

/** The default largest request body a function call takes (Lambda's synchronous payload limit is 6 MB). */
export const FUNCTION_BODY_LIMIT = 8 * 1024 * 1024;

export class BodyTooLarge extends Error {
  constructor(limit: number) {
    super(`request body over ${limit} bytes`);
  }
}

export type CallBody = string | Buffer | Uint8Array | Readable | null | undefined;

const EMPTY = Buffer.alloc(0);

/**
 * The whole body; rejects with BodyTooLarge past `limit` bytes (`declared`, the request's
 * Content-Length, is checked first), when the stream fails or closes before its end, or when
 * `signal` aborts. A stream left unread is resumed, so its remaining bytes are read and dropped.
 */
export function readBody(body: CallBody, limit: number, declared: number | undefined, signal: AbortSignal): Promise<Buffer> {
  if (body === null || body === undefined) return Promise.resolve(EMPTY);
  if (typeof body === 'string' || body instanceof Uint8Array) {
    const b = typeof body === 'string' ? Buffer.from(body) : Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    return b.length > limit ? Promise.reject(new BodyTooLarge(limit)) : Promise.resolve(b);
  }
  const stream = body;
  if (declared !== undefined && declared > limit) {
    stream.resume();
    return Promise.reject(new BodyTooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const fail = (err: Error): void => {
      cleanup();
      // The rest is read and dropped: the client then sees the answer rather than a stalled upload.
      stream.resume();
      reject(err);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) return fail(new BodyTooLarge(limit));
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onClose = (): void => fail(new Error('request closed before its body ended'));
    const onAbort = (): void => fail(signal.reason instanceof Error ? signal.reason : new Error('call aborted'));
    const cleanup = (): void => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('close', onClose);
      stream.off('error', onClose);
      signal.removeEventListener('abort', onAbort);
    };
    if (signal.aborted) return onAbort();
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('close', onClose);
    stream.on('error', onClose);
    signal.addEventListener('abort', onAbort);
  });
}
