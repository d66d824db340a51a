// Every call the piping paths (h2-proxy.ts, h2-websocket.ts) make to write to a client's HTTP/2
// stream goes through here. A client may break its stream or its whole connection at any moment
// (RST_STREAM, a connection error, a FIN), and the stream's respond() and sendTrailers() then throw,
// as node:http2's do (h2core/compat-stream.ts); a throw in an upstream callback (undici's, a
// socket's) is an unhandled error that ends the process. So each call checks the stream first and
// catches what can still throw: a client's misbehaviour ends its own stream, never the process.
import type http2 from 'node:http2';
import { addAbortSignal } from 'node:stream';
import { CANCEL, INTERNAL_ERROR } from '../net/h2/frames.ts';
import type { CoreHttp2Stream } from './h2core/compat-stream.ts';

const ABORTED = AbortSignal.abort();

/** Whether the stream can still take a response, data or trailers. */
export function usable(stream: CoreHttp2Stream): boolean {
  return !stream.destroyed && !stream.closed;
}

/**
 * Sends the response head; false when the stream is gone. Headers HTTP/2 cannot carry (an
 * upstream's field sent twice, a connection-specific one) end the stream with a bare 502 rather
 * than an exception.
 */
export function respond(stream: CoreHttp2Stream, headers: http2.OutgoingHttpHeaders, options?: { readonly endStream?: boolean; readonly waitForTrailers?: boolean }): boolean {
  if (!usable(stream) || stream.headersSent) return false;
  try {
    stream.respond(headers, options);
    return true;
  } catch {
    try {
      if (usable(stream) && !stream.headersSent) stream.respond({ ':status': 502, 'content-length': '0' }, { endStream: true });
    } catch {
      reset(stream, INTERNAL_ERROR);
    }
    return false;
  }
}

/** write() on a usable stream; false when it is gone or backed up. */
export function write(stream: CoreHttp2Stream, chunk: Buffer): boolean {
  if (!usable(stream) || stream.writableEnded) return false;
  return stream.write(chunk);
}

/** Ends the response (with a last chunk), when the stream can still take it. */
export function end(stream: CoreHttp2Stream, chunk?: Buffer): void {
  if (!usable(stream) || stream.writableEnded) return;
  if (chunk === undefined) stream.end();
  else stream.end(chunk);
}

/** Sends trailers (from a 'wantTrailers' listener). */
export function sendTrailers(stream: CoreHttp2Stream, trailers: http2.OutgoingHttpHeaders): void {
  if (!usable(stream)) return;
  try {
    stream.sendTrailers(trailers);
  } catch {
    // Trailers HTTP/2 cannot carry: the response cannot end cleanly.
    reset(stream, INTERNAL_ERROR);
  }
}

/**
 * Resets a client stream: RST_STREAM with CANCEL for `CANCEL`, INTERNAL_ERROR for any other code.
 * Not end(): the client would take a cut response for a whole one.
 */
export function reset(stream: CoreHttp2Stream, code: number): void {
  if (stream.destroyed) return;
  // An AbortError is what resets with CANCEL (compat-stream.ts _destroy, as node:http2 does);
  // addAbortSignal is the public way to destroy a stream with one.
  if (code === CANCEL) addAbortSignal(ABORTED, stream);
  else stream.destroy(new Error(`stream reset by the gateway (code ${code})`));
}
