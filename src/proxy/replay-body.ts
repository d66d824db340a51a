// Holds a request body in memory, up to a limit, so that a route retry can send it again (retry.ts;
// Envoy buffers for retries up to its per_request_buffer_limit_bytes the same way). A body past the
// limit is not held: what was read goes on as a stream, followed by the rest, and the request is
// not retried.
import { PassThrough, type Readable } from 'node:stream';

/** The body, whole (`held`), or as a stream to forward instead (`stream`); or neither when the client went away. */
export type HeldBody = { readonly held: Buffer; readonly stream?: undefined } | { readonly held?: undefined; readonly stream: Readable };

/**
 * Reads `body` until it ends or passes `limit` bytes, then calls `done` once. `declared`: the
 * request's Content-Length when it has one (past the limit, nothing is read). A body that fails
 * (the client went away) calls nothing: the front end's close handling ends the exchange.
 */
export function holdBody(body: Readable, limit: number, declared: number | undefined, done: (body: HeldBody) => void): void {
  if (declared !== undefined && declared > limit) return done({ stream: body });
  const chunks: Buffer[] = [];
  let size = 0;
  const onData = (chunk: Buffer): void => {
    size += chunk.length;
    chunks.push(chunk);
    if (size <= limit) return;
    stop();
    const stream = new PassThrough();
    for (const c of chunks) stream.write(c);
    body.pipe(stream);
    done({ stream });
  };
  const onEnd = (): void => {
    stop();
    done({ held: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) });
  };
  const stop = (): void => {
    body.off('data', onData);
    body.off('end', onEnd);
  };
  body.on('data', onData);
  body.on('end', onEnd);
}
