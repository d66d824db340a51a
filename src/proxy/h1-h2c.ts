// HTTP/1.1 client -> h2c upstream: the request goes out as a stream on the origin's shared
// HTTP/2 session; the response (and its trailers, when the client can take them) comes back
// as HTTP/1.1. A route that retries resends a bodiless request (retry.ts) after a listed status,
// a reset, or a refused stream (REFUSED_STREAM, also what a GOAWAY leaves unprocessed).
import type { IncomingMessage, ServerResponse } from 'node:http';
import http2 from 'node:http2';
import type { Exchange } from './exchange.ts';
import { writeLocal } from './h1-reply.ts';
import { h2ResponseHeaderPairs, type H2Upstreams } from './h2-upstream.ts';
import { UPSTREAM_RESET } from './local-reply.ts';
import { copyStream } from './mirror.ts';
import type { RetryCause } from './retry.ts';
import { countBodyIn, countBodyOut, grpcStatusOf } from '../observe/access-log-bytes.ts';

const { NGHTTP2_CANCEL, NGHTTP2_NO_ERROR, NGHTTP2_REFUSED_STREAM } = http2.constants;

export function proxyH1ToH2c(req: IncomingMessage, res: ServerResponse, x: Exchange, h2: H2Upstreams): void {
  let status = 0;
  /** the current attempt's stream; undefined while a retry waits out its backoff */
  let up: http2.ClientHttp2Stream | undefined;
  let wait: NodeJS.Timeout | undefined;
  const fail = (err: Error | 'reset'): void => {
    if (!req.complete) req.resume();
    writeLocal(res, UPSTREAM_RESET, x.head, x.grpcType);
    x.finish(503, err);
  };
  const retried = (cause: RetryCause): boolean => {
    const ms = x.retries ? x.retryAfter(cause) : -1;
    if (ms < 0) return false;
    up = undefined;
    wait = setTimeout(() => {
      wait = undefined;
      if (!x.open) return;
      if (!x.nextAttempt()) return fail('reset');
      attempt();
    }, ms);
    x.cancelUpstream = () => clearTimeout(wait);
    return true;
  };
  const attempt = (): void => {
    let u: http2.ClientHttp2Stream;
    try {
      u = h2.request(x.origin, x.method, x.url, x.headers, x.bodyless);
    } catch (err) {
      return fail(err as Error);
    }
    up = u;
    u.on('error', () => {});
    x.cancelUpstream = () => u.close(NGHTTP2_CANCEL);
    if (!x.bodyless) req.pipe(u);
    if (x.mirrorBody !== undefined) copyStream(req, x.mirrorBody);
    u.on('response', (headers) => {
      const s = Number(headers[':status']);
      // A status < 200 is hop by hop; a closed exchange timed out and answered already.
      if (s < 200 || u !== up || !x.open) return;
      // A status the route retries is never shown to the client.
      if (retried(s)) return u.close(NGHTTP2_CANCEL);
      status = s;
      res.sendDate = false;
      res.writeHead(status, x.responseHeaders(status, h2ResponseHeaderPairs(headers)));
      res.flushHeaders();
      u.pipe(res, { end: false });
      countBodyOut(u, x);
    });
    u.on('trailers', (headers) => {
      if (u !== up) return;
      grpcStatusOf(headers, x);
      const t2: Record<string, string> = {};
      const pairs = h2ResponseHeaderPairs(headers);
      for (let i = 0; i < pairs.length; i += 2) t2[pairs[i]!] = pairs[i + 1]!;
      // Trailers need chunked encoding; a response with a content-length drops them.
      if (!res.hasHeader('content-length')) res.addTrailers(t2);
    });
    u.on('end', () => {
      if (u === up && res.headersSent) res.end();
    });
    u.on('close', () => {
      if (u !== up) return;
      const code = u.rstCode ?? NGHTTP2_NO_ERROR;
      if (!res.headersSent) {
        if (x.open && retried(code === NGHTTP2_REFUSED_STREAM ? 'refused_stream' : 'reset')) return;
        return fail(new Error(`upstream stream closed before headers (code ${code})`));
      }
      if (code !== NGHTTP2_NO_ERROR && !res.writableEnded) {
        res.destroy();
        return x.finish(status, 'reset_after_headers');
      }
      x.finish(status);
    });
  };
  if (!x.bodyless) countBodyIn(req, x);
  res.once('close', () => {
    clearTimeout(wait);
    if (!x.open) return;
    if (up !== undefined && !up.destroyed) up.close(NGHTTP2_CANCEL);
    if (up === undefined || !up.destroyed) x.finish(499);
  });
  attempt();
}
