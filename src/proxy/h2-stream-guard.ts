// Every call that writes to a client's HTTP/2 stream goes through here. A client may break its
// stream or its whole connection at any moment (RST_STREAM, a connection error, a FIN), and
// node:http2 then throws from respond() and sendTrailers() on a stream it has closed; a throw in an
// upstream callback (undici's, a socket's) is an unhandled error that ends the process. So each
// call checks the stream first and catches what node can still throw: a client's misbehaviour
// ends its own stream, never the process.
import http2 from 'node:http2';
import { addAbortSignal } from 'node:stream';

const { NGHTTP2_CANCEL, NGHTTP2_INTERNAL_ERROR } = http2.constants;

const ABORTED = AbortSignal.abort();

/** Marks streams Sluice reset itself (not counted against the client's reset budget). */
const RESET_BY_US = Symbol('sluice.resetByUs');
type MarkedStream = http2.ServerHttp2Stream & { [RESET_BY_US]?: boolean };

/** Whether the stream can still take a response, data or trailers. */
export function usable(stream: http2.ServerHttp2Stream): boolean {
  return !stream.destroyed && !stream.closed;
}

/**
 * Sends the response head; false when the stream is gone. Headers node refuses (an upstream's
 * field HTTP/2 cannot carry) end the stream with a bare 502 rather than an exception.
 */
export function respond(stream: http2.ServerHttp2Stream, headers: http2.OutgoingHttpHeaders, options?: http2.ServerStreamResponseOptions): boolean {
  if (!usable(stream) || stream.headersSent) return false;
  try {
    stream.respond(headers, options);
    return true;
  } catch {
    try {
      if (usable(stream) && !stream.headersSent) stream.respond({ ':status': 502, 'content-length': '0' }, { endStream: true });
    } catch {
      reset(stream, NGHTTP2_INTERNAL_ERROR);
    }
    return false;
  }
}

/** write() on a usable stream; false when it is gone or backed up. */
export function write(stream: http2.ServerHttp2Stream, chunk: Buffer): boolean {
  if (!usable(stream) || stream.writableEnded) return false;
  return stream.write(chunk);
}

/** Ends the response (with a last chunk), when the stream can still take it. */
export function end(stream: http2.ServerHttp2Stream, chunk?: Buffer): void {
  if (!usable(stream) || stream.writableEnded) return;
  if (chunk === undefined) stream.end();
  else stream.end(chunk);
}

/** Sends trailers (from a 'wantTrailers' listener). */
export function sendTrailers(stream: http2.ServerHttp2Stream, trailers: http2.OutgoingHttpHeaders): void {
  if (!usable(stream)) return;
  try {
    stream.sendTrailers(trailers);
  } catch {
    // Trailers node refuses: the response cannot end cleanly.
    reset(stream, NGHTTP2_INTERNAL_ERROR);
  }
}

/**
 * Resets a client stream: RST_STREAM with CANCEL for `NGHTTP2_CANCEL`, INTERNAL_ERROR for any other
 * code (node:http2 sends no other code from destroy()). Not close(code): it ends the writable side
 * first, so END_STREAM goes out ahead of the RST_STREAM (or alone, when the client has ended its
 * side) and the client takes a cut response for a whole one. destroy() sends the RST_STREAM alone.
 */
export function reset(stream: http2.ServerHttp2Stream, code: number): void {
  if (stream.destroyed) return;
  (stream as MarkedStream)[RESET_BY_US] = true;
  // An AbortError is what makes node:http2 reset with CANCEL; addAbortSignal is the public way to
  // destroy a stream with one (synchronously, the signal being aborted already).
  if (code === NGHTTP2_CANCEL) addAbortSignal(ABORTED, stream);
  else stream.destroy(new Error(`stream reset by the gateway (code ${code})`));
}

/** Whether Sluice reset this stream itself (rather than the client). */
export function resetByUs(stream: http2.ServerHttp2Stream): boolean {
  return (stream as MarkedStream)[RESET_BY_US] === true;
}
