// One gRPC call over HTTP/2: the request messages are sent whole, the response is read message by
// message, so a server stream reaches the client as it comes. Cancelled by the caller's signal.
import http2 from 'node:http2';
import type { UpstreamAddress } from '../types.ts';
import { FrameDecoder, frame } from './frames.ts';
import { authorityOf, sessionTo } from './sessions.ts';

export type Metadata = Readonly<Record<string, string | readonly string[]>>;

export interface GrpcReply {
  /** the response's HEADERS (for a trailers-only response, also its status) */
  readonly headers: http2.IncomingHttpHeaders;
  /** the next message, or undefined once the stream has ended (then `trailers` is final) */
  next(): Promise<Buffer | undefined>;
  /** trailers, or the headers of a trailers-only response; empty until the stream ends */
  trailers(): http2.IncomingHttpHeaders;
  /** stops the call (the client went away mid-stream) */
  cancel(): void;
}

// Hop-by-hop and framing headers are the proxy's, not metadata; the rest of the client's headers
// reach the server as metadata, as through Envoy's transcoder.
const NOT_METADATA = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'http2-settings', 'host', 'content-length', 'content-type', 'accept', 'accept-encoding', 'expect']);

export function requestMetadata(headers: Metadata): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(':') || NOT_METADATA.has(name)) continue;
    out[name] = typeof value === 'string' ? value : [...value];
  }
  return out;
}

const HIGH_WATER = 16; // queued messages before the stream is paused (backpressure to the server)

/** Starts a call with its whole request (one message, or a client stream's); resolves at the response's headers, rejects when the connection or stream fails first. */
export function startCall(to: UpstreamAddress, grpcPath: string, metadata: Metadata, messages: readonly Uint8Array[], signal: AbortSignal): Promise<GrpcReply> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('the call was cancelled before it started'));
    let stream: http2.ClientHttp2Stream;
    try {
      const authority = typeof metadata.host === 'string' ? metadata.host : authorityOf(to);
      stream = sessionTo(to).request({
        ...requestMetadata(metadata),
        ':method': 'POST',
        ':path': grpcPath,
        ':authority': authority,
        'content-type': 'application/grpc',
        te: 'trailers',
      });
    } catch (err) {
      return reject(err);
    }
    const queue: Buffer[] = [];
    let ended = false;
    let failure: Error | undefined;
    let trailers: http2.IncomingHttpHeaders = {};
    let wake: (() => void) | undefined;
    let decoder = new FrameDecoder();
    const notify = () => {
      wake?.();
      wake = undefined;
    };
    const fail = (err: Error) => {
      failure ??= err;
      notify();
      reject(err);
    };
    const onAbort = () => {
      stream.close(http2.constants.NGHTTP2_CANCEL);
      fail(new Error('the call was cancelled'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    stream.on('error', fail);
    stream.on('close', () => {
      signal.removeEventListener('abort', onAbort);
      if (!ended && !failure) fail(new Error(`the upstream closed the stream (code ${stream.rstCode})`));
    });
    stream.on('data', (chunk: Buffer) => {
      try {
        queue.push(...decoder.push(chunk));
      } catch (err) {
        stream.close(http2.constants.NGHTTP2_CANCEL);
        return fail(err as Error);
      }
      if (queue.length >= HIGH_WATER) stream.pause();
      notify();
    });
    stream.on('trailers', (t) => {
      trailers = t;
    });
    stream.on('end', () => {
      if (decoder.pending) return fail(new Error('the upstream ended the stream inside a message'));
      ended = true;
      notify();
    });
    stream.on('response', (headers) => {
      if (headers['grpc-status'] !== undefined) trailers = headers; // trailers-only
      decoder = new FrameDecoder(String(headers['grpc-encoding'] ?? 'identity'));
      resolve({
        headers,
        trailers: () => trailers,
        cancel: () => stream.close(http2.constants.NGHTTP2_CANCEL),
        next: async () => {
          for (;;) {
            const m = queue.shift();
            if (m) {
              if (queue.length < HIGH_WATER && stream.isPaused()) stream.resume();
              return m;
            }
            if (failure) throw failure;
            if (ended) return undefined;
            if (stream.isPaused()) stream.resume();
            await new Promise<void>((r) => {
              wake = r;
            });
          }
        },
      });
    });
    stream.end(Buffer.concat(messages.map(frame)));
  });
}
