// HTTP/2 front end (h2c with prior knowledge on the plain listeners, h2 by ALPN on TLS), on the
// http2 core stream API: no compat request/response objects, raw header arrays for decide().
import http2 from 'node:http2';
import type { DataPlane } from './dataplane.ts';
import { decide } from './decide.ts';
import { isGrpcContentType } from './grpc.ts';
import type { H2Upstreams } from './h2-upstream.ts';
import { proxyH2ToH1, proxyH2ToH2c, writeLocalH2 } from './h2-proxy.ts';
import { proxyH2ToH1Raw, rawEligible } from './h2-raw-h1.ts';
import type { ListenerContext } from './h1.ts';
import { upstreamRequestHeaders } from './headers.ts';
import type { ListenerLimits } from './listeners.ts';
import { NO_CONFIG, NO_ENDPOINTS, replyFor, textReply } from './local-reply.ts';

export interface H2Limits extends ListenerLimits {
  /** concurrent streams a client may open on one connection */
  readonly maxConcurrentStreams: number;
  /** per-session memory bound in MB (node:http2 maxSessionMemory) */
  readonly maxSessionMemory: number;
}

export const defaultH2Limits = { maxConcurrentStreams: 250, maxSessionMemory: 64 } as const;

const { NGHTTP2_FLAG_END_STREAM } = http2.constants;

// node:http2 does not count a session's open streams; the idle timeout needs the count.
const openStreams = new WeakMap<http2.Http2Session, number>();

/**
 * An http2 server that never listens itself: the plain and TLS listeners hand it connections.
 * Limits mirror the HTTP/1.1 ones: header list size and count, idle sessions closed with GOAWAY.
 */
export function createH2Server(limits: H2Limits, onStream: (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, flags: number, raw: string[]) => void): http2.Http2Server {
  const server = http2.createServer({
    maxSessionMemory: limits.maxSessionMemory,
    // pseudo-headers count as pairs too
    maxHeaderListPairs: limits.maxHeadersCount + 8,
    settings: { maxConcurrentStreams: limits.maxConcurrentStreams, maxHeaderListSize: limits.maxHeaderSize },
  });
  server.on('session', (session) => {
    openStreams.set(session, 0);
    // A session idle with no open streams is closed; long-lived streams (gRPC) keep it open.
    session.setTimeout(limits.idleTimeout, () => {
      if ((openStreams.get(session) ?? 0) === 0) session.close();
    });
    session.on('error', () => session.destroy());
  });
  server.on('stream', (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, flags: number, raw: string[]) => {
    const session = stream.session;
    if (session) {
      openStreams.set(session, (openStreams.get(session) ?? 0) + 1);
      stream.once('close', () => openStreams.set(session, (openStreams.get(session) ?? 1) - 1));
    }
    // A stream error without a listener would throw; the handlers below look at close codes.
    stream.on('error', () => {});
    onStream(stream, headers, flags, raw);
  });
  return server;
}

export function createH2StreamHandler(dp: DataPlane, h2: H2Upstreams, ctx: ListenerContext) {
  return (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, flags: number, rawWithPseudo: string[]): void => {
    const started = process.hrtime.bigint();
    const done = (ingress: string, status: number): void => {
      dp.metrics.request(ctx.name, ingress, status, Number(process.hrtime.bigint() - started) / 1e9);
    };
    const method = headers[':method'] ?? 'GET';
    const path = headers[':path'];
    const grpcType = isGrpcContentType(headers['content-type']) ? String(headers['content-type']) : undefined;
    const head = method === 'HEAD';
    const router = dp.router;
    if (!router) {
      writeLocalH2(stream, NO_CONFIG, head, grpcType);
      return done('', 503);
    }
    if (path === undefined || method === 'CONNECT') {
      // Extended CONNECT (WebSockets over HTTP/2) is not offered, so no request gets here without :path.
      writeLocalH2(stream, textReply(501, 'CONNECT is not supported'), head, grpcType);
      return done('', 501);
    }
    const raw: string[] = [];
    for (let i = 0; i < rawWithPseudo.length; i += 2) if (rawWithPseudo[i]!.charCodeAt(0) !== 58) raw.push(rawWithPseudo[i]!, rawWithPseudo[i + 1]!);
    const authority = headers[':authority'] ?? headers.host;
    const decision = decide(router, { listener: ctx.kind, secure: ctx.secure, authority, url: path, raw, httpsPort: ctx.httpsPort });
    if (decision.kind !== 'forward') {
      const { reply, ingress, error } = replyFor(decision);
      writeLocalH2(stream, reply, head, error ? grpcType : undefined);
      return done(ingress, reply.status);
    }
    const cluster = decision.split.cluster;
    const pick = dp.pick(cluster);
    if (pick === undefined) {
      writeLocalH2(stream, NO_ENDPOINTS, head, grpcType);
      return done(decision.ingress, 503);
    }
    // HTTP/2 carries the authority in :authority; for decide() and the upstream it is the Host.
    const withHost = authority !== undefined && headers.host === undefined ? ['host', authority, ...raw] : raw;
    const upstreamHeaders = upstreamRequestHeaders({
      raw: withHost,
      host: decision.upstreamHost,
      set: decision.set,
      clientAddress: stream.session?.socket?.remoteAddress,
      proto: ctx.secure ? 'https' : 'http',
      keepTeTrailers: cluster.protocol === 'h2c',
    });
    const endStream = (flags & NGHTTP2_FLAG_END_STREAM) !== 0;
    dp.inflight++;
    const finish = (status: number): void => {
      dp.inflight--;
      done(decision.ingress, status);
    };
    const target = { dp, cluster: cluster.name, origin: pick.origin, method, path, headers: upstreamHeaders, endStream, grpcType, head, onDone: finish };
    if (cluster.protocol === 'h2c') proxyH2ToH2c(stream, h2, target);
    else if (rawEligible(target)) proxyH2ToH1Raw(stream, dp.fast, pick.endpoint, target);
    else proxyH2ToH1(stream, pick.pool, target);
  };
}
