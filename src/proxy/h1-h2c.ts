// HTTP/1.1 client -> h2c upstream: the request goes out as a stream on the origin's shared
// HTTP/2 session; the response (and its trailers, when the client can take them) comes back
// as HTTP/1.1.
import type { IncomingMessage, ServerResponse } from 'node:http';
import http2 from 'node:http2';
import type { DataPlane } from './dataplane.ts';
import { h2ResponseHeaderPairs, type H2Upstreams } from './h2-upstream.ts';
import { upstreamErrorReason } from './upstream-errors.ts';
import { UPSTREAM_RESET, type LocalReply } from './local-reply.ts';

const { NGHTTP2_CANCEL, NGHTTP2_NO_ERROR } = http2.constants;

export interface H1ToH2cTarget {
  readonly dp: DataPlane;
  readonly h2: H2Upstreams;
  readonly cluster: string;
  readonly origin: string;
  /** the target to send: decide()'s (normalised) one */
  readonly url: string;
  readonly headers: string[];
  readonly hasBody: boolean;
  /** writes a local reply (gRPC-aware) on the response */
  readonly reply: (reply: LocalReply) => void;
  readonly onDone: (status: number) => void;
}

export function proxyH1ToH2c(req: IncomingMessage, res: ServerResponse, t: H1ToH2cTarget): void {
  let finished = false;
  let status = 0;
  const finish = (s: number): void => {
    if (finished) return;
    finished = true;
    t.onDone(s);
  };
  const fail = (err: Error): void => {
    t.dp.metrics.upstreamErrors.labels(t.cluster, upstreamErrorReason(err)).inc();
    t.dp.log.debug({ err: err.message, cluster: t.cluster }, 'upstream error before response');
    if (!req.complete) req.resume();
    t.reply(UPSTREAM_RESET);
    finish(503);
  };
  let up: http2.ClientHttp2Stream;
  try {
    up = t.h2.request(t.origin, req.method ?? 'GET', t.url, t.headers, !t.hasBody);
  } catch (err) {
    return fail(err as Error);
  }
  up.on('error', () => {});
  if (t.hasBody) req.pipe(up);
  up.on('response', (headers) => {
    status = Number(headers[':status']);
    if (status < 200) return;
    res.sendDate = false;
    res.writeHead(status, h2ResponseHeaderPairs(headers));
    res.flushHeaders();
    up.pipe(res, { end: false });
  });
  up.on('trailers', (headers) => {
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
      t.dp.metrics.upstreamErrors.labels(t.cluster, 'reset_after_headers').inc();
      res.destroy();
    }
    finish(status);
  });
  res.once('close', () => {
    if (!finished && !up.destroyed) {
      up.close(NGHTTP2_CANCEL);
      finish(499);
    }
  });
}
