// HTTP/2 front end (h2c with prior knowledge on the plain listeners, h2 by ALPN on TLS), on the
// http2 core stream API: no compat request/response objects, raw header arrays for the exchange
// core (exchange.ts).
import type { Readable } from 'node:stream';
import http2 from 'node:http2';
import type { DataPlane } from './dataplane.ts';
import { BODY_TOO_LARGE, bodyLimit, countBody } from '../policies/body-limit.ts';
import { timeoutReply } from './deadlines.ts';
import { Exchange, FORWARD, FROM_H2, LOCAL, type Step, VIA_H2C, VIA_RAW } from './exchange.ts';
import { isGrpcContentType } from './grpc.ts';
import type { H2Upstreams } from './h2-upstream.ts';
import { proxyH2ToH1, proxyH2ToH2c, writeLocalH2 } from './h2-proxy.ts';
import { proxyH2ToH1Raw, rawEligible } from './h2-raw-h1.ts';
import type { ListenerContext } from './listeners.ts';
import { isExtendedConnect, proxyH2WebSocket } from './h2-websocket.ts';
import type { Tunnels } from './websocket.ts';
import { originOf } from './live-origins.ts';
import { cancelStream, watchH2Body, watchSend } from './client-deadlines.ts';
import type { ListenerLimits } from './listeners.ts';
import { guardSession, trackStream } from './h2-session-guard.ts';
import { usable } from './h2-stream-guard.ts';
import { CONNECT_UNSUPPORTED } from './local-reply.ts';
import { h2Facts } from './request-facts.ts';

export interface H2Limits extends ListenerLimits {
  /** concurrent streams a client may open on one connection */
  readonly maxConcurrentStreams: number;
  /** per-session memory bound in MB (node:http2 maxSessionMemory) */
  readonly maxSessionMemory: number;
}

export const defaultH2Limits = { maxConcurrentStreams: 250, maxSessionMemory: 64 } as const;

const { NGHTTP2_FLAG_END_STREAM } = http2.constants;

type StreamHandler = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, flags: number, raw: string[]) => void;

/** Streams a client may have refused (nghttp2 rejected them) or sent invalid frames on before it loses the connection. */
const MAX_REJECTED_STREAMS = 100;
const MAX_INVALID_FRAMES = 100;

/**
 * An http2 server that never listens itself: the plain and TLS listeners hand it connections.
 * Limits mirror the HTTP/1.1 ones: header list size and count, idle sessions closed with GOAWAY;
 * h2-session-guard.ts bounds what a session holds, h2-stream-guard.ts every write to a stream.
 */
export function createH2Server(limits: H2Limits, onStream: StreamHandler): http2.Http2Server {
  const server = http2.createServer({
    maxSessionMemory: limits.maxSessionMemory,
    // pseudo-headers count as pairs too
    maxHeaderListPairs: limits.maxHeadersCount + 8,
    maxSessionRejectedStreams: MAX_REJECTED_STREAMS,
    maxSessionInvalidFrames: MAX_INVALID_FRAMES,
    // enableConnectProtocol: WebSockets over HTTP/2 (RFC 8441, h2-websocket.ts).
    settings: { maxConcurrentStreams: limits.maxConcurrentStreams, maxHeaderListSize: limits.maxHeaderSize, enableConnectProtocol: true },
  });
  server.on('session', (session) => guardSession(session, limits));
  const dispatch = deferredDispatch(onStream);
  server.on('stream', (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, flags: number, raw: string[]) => {
    trackStream(stream);
    // A stream error without a listener would throw; the handlers below look at close codes.
    stream.on('error', ignore);
    dispatch(stream, headers, flags, raw);
  });
  return server;
}

/**
 * Runs the handler for new streams once the bytes read in this turn of the event loop have all
 * been processed: a stream the client has reset meanwhile (HEADERS then RST_STREAM, as in the
 * "rapid reset" attack) never gets as far as an upstream connection.
 */
function deferredDispatch(onStream: StreamHandler): StreamHandler {
  // Flat: stream, headers, flags, raw, ... (one array for the whole batch, no object per stream).
  let queue: unknown[] = [];
  const flush = (): void => {
    const batch = queue;
    queue = [];
    for (let i = 0; i < batch.length; i += 4) {
      const stream = batch[i] as http2.ServerHttp2Stream;
      if (usable(stream)) onStream(stream, batch[i + 1] as http2.IncomingHttpHeaders, batch[i + 2] as number, batch[i + 3] as string[]);
    }
  };
  return (stream, headers, flags, raw) => {
    if (queue.length === 0) setImmediate(flush);
    queue.push(stream, headers, flags, raw);
  };
}

function ignore(): void {}

export function createH2StreamHandler(dp: DataPlane, h2: H2Upstreams, ctx: ListenerContext, tunnels: Tunnels) {
  return (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, flags: number, rawWithPseudo: string[]): void => {
    const method = headers[':method'] ?? 'GET';
    const path = headers[':path'];
    const authority = headers[':authority'] ?? headers.host;
    // HTTP/2 carries the authority in :authority; for routing and the upstream it is the Host.
    const raw: string[] = authority !== undefined && headers.host === undefined ? ['host', authority] : [];
    appendRegularFields(rawWithPseudo, raw);
    if (isExtendedConnect(headers)) return proxyH2WebSocket(dp, ctx, tunnels, stream, headers, raw);
    const x = new H2Exchange(dp, ctx.name, stream, h2);
    const bodyless = (flags & NGHTTP2_FLAG_END_STREAM) !== 0;
    const grpcType = isGrpcContentType(headers['content-type']) ? String(headers['content-type']) : undefined;
    // Only extended CONNECT (above) is offered: a plain CONNECT asks for a proxy tunnel.
    const refusal = path === undefined || method === 'CONNECT' ? CONNECT_UNSUPPORTED : undefined;
    x.proceed(x.begin(h2Facts(ctx, stream, { method, authority, path, raw }, bodyless, grpcType, refusal)));
  };
}

/** One HTTP/2 stream through the exchange core. */
class H2Exchange extends Exchange {
  readonly #stream: http2.ServerHttp2Stream;
  readonly #h2: H2Upstreams;

  constructor(dp: DataPlane, listener: string, stream: http2.ServerHttp2Stream, h2: H2Upstreams) {
    super(dp, listener, FROM_H2);
    this.#stream = stream;
    this.#h2 = h2;
  }

  /** A policy reads the body first (policies/peek-body.ts). */
  override requestBody(): Readable {
    return this.#stream;
  }

  /**
   * A route idle timeout's probe: the client connection's bytes either way. node:http2 counts no
   * bytes per stream, so other streams' traffic on the connection keeps this one alive too.
   */
  override activity(): number {
    const s = this.#stream.session?.socket;
    return s === undefined ? 0 : s.bytesRead + s.bytesWritten;
  }

  /** The route's timeout passed (deadlines.ts): 504 (DEADLINE_EXCEEDED for gRPC) before the response head, else a reset. */
  override timedOut(): void {
    const stream = this.#stream;
    const sent = stream.headersSent;
    // Finished first: the upstream's cancel below must find nothing left to answer.
    this.finish(sent ? Number(stream.sentHeaders[':status'] ?? 504) : 504, 'timeout');
    this.cancelUpstream?.();
    if (sent) cancelStream(stream);
    else writeLocalH2(stream, timeoutReply(this.grpcType), this.head, undefined);
  }

  override proceed(step: Step): void {
    const stream = this.#stream;
    if (step === LOCAL) return writeLocalH2(stream, this.reply, this.head, this.replyGrpc ? this.grpcType : undefined);
    if (step !== FORWARD) return;
    // The stream ended while the request was held (a fault delay, a policy deciding): forward nothing.
    if (stream.destroyed) return this.finish(499);
    const dp = this.dp;
    if (this.via === VIA_H2C) {
      proxyH2ToH2c(stream, this.#h2, this);
      // Piped (up.pipe(stream)): watched from the start, it counts only while the stream is backed up.
      watchSend(dp.sends, stream, () => cancelStream(stream));
    } else if (this.via === VIA_RAW && rawEligible(this)) proxyH2ToH1Raw(stream, dp.fast, this.endpoint!, this);
    else proxyH2ToH1(stream, this.pool ?? dp.upstreams.pool(originOf(this.endpoint!)), this);
    if (!this.bodyless) {
      watchH2Body(dp.bodies, stream);
      // Piped already: counting cannot start the body early.
      const limit = bodyLimit(this);
      if (limit >= 0) countBody(stream, limit, () => this.#tooLarge());
    }
  }

  /** The request body passed the route's limit (body-limit.ts): 413 before the response head, else a reset. */
  #tooLarge(): void {
    const stream = this.#stream;
    if (!this.open) return;
    const sent = stream.headersSent;
    // Finished first: the upstream's cancel below must find nothing left to answer.
    this.finish(sent ? Number(stream.sentHeaders[':status'] ?? 413) : 413);
    this.cancelUpstream?.();
    if (sent) return cancelStream(stream);
    // The rest of the body is read and dropped.
    stream.unpipe();
    stream.resume();
    writeLocalH2(stream, BODY_TOO_LARGE, this.head, this.grpcType);
  }
}

/**
 * The request's fields without its pseudo-headers, appended to `out`. Cookie fields, which HTTP/2
 * clients send one cookie each, are joined with "; " (RFC 9113 8.2.3): an HTTP/1.1 upstream must
 * get a single Cookie line (RFC 6265 5.4), and an HTTP/2 one takes it as well.
 */
function appendRegularFields(rawWithPseudo: readonly string[], out: string[]): void {
  let cookieAt = -1;
  for (let i = 0; i < rawWithPseudo.length; i += 2) {
    const name = rawWithPseudo[i]!;
    if (name.charCodeAt(0) === 58 /* : */) continue;
    // HTTP/2 field names are lower case (nghttp2 refuses others).
    if (name === 'cookie') {
      if (cookieAt >= 0) {
        out[cookieAt] += `; ${rawWithPseudo[i + 1]!}`;
        continue;
      }
      cookieAt = out.length + 1;
    }
    out.push(name, rawWithPseudo[i + 1]!);
  }
}

