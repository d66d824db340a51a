// HTTP/1.1 client -> h2c upstream: the request goes out as a stream on the origin's shared
// HTTP/2 session; the response (and its trailers, when the client can take them) comes back
// as HTTP/1.1.
import type { IncomingMessage, ServerResponse } from 'node:http';
import http2 from 'node:http2';
import type { Exchange } from './exchange.ts';
import { writeLocal } from './h1-reply.ts';
import { h2ResponseHeaderPairs, type H2Upstreams } from './h2-upstream.ts';
import { UPSTREAM_RESET } from './local-reply.ts';
import { copyStream } from './mirror.ts';
import { countBodyIn, countBodyOut, grpcStatusOf } from '../observe/access-log-bytes.ts';

const { NGHTTP2_CANCEL, NGHTTP2_NO_ERROR } = http2.constants;

export function proxyH1ToH2c(req: IncomingMessage, res: ServerResponse, x: Exchange, h2: H2Upstreams): void {
  let status = 0;
  const fail = (err: Error): void => {
    if (!req.complete) req.resume();
    writeLocal(res, UPSTREAM_RESET, x.head, x.grpcType);
    x.finish(503, err);
  };
  let up: http2.ClientHttp2Stream;
  try {
    up = h2.request(x.origin, x.method, x.url, x.headers, x.bodyless);
  } catch (err) {
    return fail(err as Error);
  }
  up.on('error', () => {});
  x.cancelUpstream = () => up.close(NGHTTP2_CANCEL);
  if (!x.bodyless) {
    req.pipe(up);
    countBodyIn(req, x);
  }
  if (x.mirrorBody !== undefined) copyStream(req, x.mirrorBody);
  up.on('response', (headers) => {
    status = Number(headers[':status']);
    // A status < 200 is hop by hop; a closed exchange timed out and answered already.
    if (status < 200 || !x.open) return;
    res.sendDate = false;
    res.writeHead(status, x.responseHeaders(status, h2ResponseHeaderPairs(headers)));
    res.flushHeaders();
    up.pipe(res, { end: false });
    countBodyOut(up, x);
  });
  up.on('trailers', (headers) => {
    grpcStatusOf(headers, x);
    const t2: Record<string, string> = {};
    const pairs = h2ResponseHeaderPairs(headers);
    for (let i = 0; i < pairs.length; i += 2) t2[pairs[i]!] = pairs[i + 1]!;
    // Trailers need chunked encoding; a response with a content-length drops them.
    if (!res.hasHeader('content-length')) res.addTrailers(t2);
  });
  up.on('end', () => {
    if (res.headersSent) res.end();
  });
  up.on('close', () => {
    const code = up.rstCode ?? NGHTTP2_NO_ERROR;
    if (!res.headersSent) return fail(new Error(`upstream stream closed before headers (code ${code})`));
    if (code !== NGHTTP2_NO_ERROR && !res.writableEnded) {
      res.destroy();
      return x.finish(status, 'reset_after_headers');
    }
    x.finish(status);
  });
  res.once('close', () => {
    if (x.open && !up.destroyed) {
      up.close(NGHTTP2_CANCEL);
      x.finish(499);
    }
  });
}
