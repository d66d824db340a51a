// One HTTP/2 stream of the own core (src/net/h2/) through the exchange core (exchange.ts): the
// request's plain facts from the stream, then the upstream path the exchange chose. A bodiless
// request to an HTTP/1.1 upstream, and every local reply, go straight to the core stream; the
// paths that pipe (request bodies, gRPC and h2c upstreams, WebSockets, body policies) get the
// stream as a node:http2-shaped Duplex (compat-stream.ts), for code written on node streams.
import type { Readable } from 'node:stream';
import type { H2Stream } from '../../net/h2/stream.ts';
import { CANCEL } from '../../net/h2/frames.ts';
import { BODY_TOO_LARGE, bodyLimit, countBody } from '../../policies/body-limit.ts';
import type { DataPlane } from '../dataplane.ts';
import { timeoutReply } from '../deadlines.ts';
import { Exchange, FORWARD, FROM_H2, LOCAL, type Step, VIA_H2C, VIA_RAW } from '../exchange.ts';
import type { ExchangeFacts } from '../exchange.ts';
import { isGrpcContentType } from '../grpc.ts';
import { proxyH2ToH1, proxyH2ToH2c } from '../h2-proxy.ts';
import type { H2Upstreams } from '../h2-upstream.ts';
import { type ConnectRequest, proxyH2WebSocket } from '../h2-websocket.ts';
import { cancelStream, watchH2Body, watchSend } from '../client-deadlines.ts';
import type { ListenerContext } from '../listeners.ts';
import { originOf } from '../live-origins.ts';
import { CONNECT_UNSUPPORTED, type LocalReply, TOO_MANY_HEADERS } from '../local-reply.ts';
import type { H2Peer } from '../request-facts.ts';
import type { Tunnels } from '../websocket.ts';
import { requestFacts } from '../../net/h2/exchange-adapter.ts';
import { CoreHttp2Stream } from './compat-stream.ts';
import { proxyCoreToH1Raw, rawEligible } from './raw-h1.ts';
import { writeLocalCore } from './reply.ts';


export interface CoreStreamDeps {
  readonly dp: DataPlane;
  readonly h2: H2Upstreams;
  readonly tunnels: Tunnels;
  readonly ctx: ListenerContext;
  /** regular request fields a request may carry */
  readonly maxHeadersCount: number;
}

/** Routes one request stream (called once the read that opened it has been processed). */
export function handleCoreStream(deps: CoreStreamDeps, peer: H2Peer, stream: H2Stream): void {
  const { dp, ctx } = deps;
  const req = requestFacts(stream);
  if (stream.method === 'CONNECT' && stream.protocol === 'websocket') {
    return proxyH2WebSocket(dp, ctx, deps.tunnels, new CoreHttp2Stream(stream), connectRequest(stream), req.raw, peer);
  }
  const x = new CoreExchange(dp, ctx.name, stream, deps.h2);
  const contentType = fieldOf(stream.headers, 'content-type');
  const grpcType = isGrpcContentType(contentType) ? contentType : undefined;
  // Only extended CONNECT (above) is offered: a plain CONNECT asks for a proxy tunnel.
  let refusal: LocalReply | undefined = stream.path === undefined || stream.method === 'CONNECT' ? CONNECT_UNSUPPORTED : undefined;
  if (stream.headers.length > 2 * deps.maxHeadersCount) refusal = TOO_MANY_HEADERS;
  const facts: ExchangeFacts = {
    listener: ctx.kind,
    secure: ctx.secure,
    sni: ctx.secure ? peer.sni : undefined,
    normalizePath: ctx.normalizePath,
    authority: req.authority ?? fieldOf(stream.headers, 'host'),
    url: req.path ?? '/',
    raw: req.raw,
    method: req.method,
    clientAddress: peer.address,
    bodyless: req.bodyless,
    grpcType,
    refusal,
  };
  x.proceed(x.begin(facts));
}

function fieldOf(fields: readonly string[], name: string): string | undefined {
  for (let i = 0; i < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

/** What h2-websocket.ts reads of an extended CONNECT. */
function connectRequest(stream: H2Stream): ConnectRequest {
  return { scheme: stream.scheme, authority: stream.authority, path: stream.path, version: fieldOf(stream.headers, 'sec-websocket-version') };
}

/** One own-core HTTP/2 stream through the exchange core. */
class CoreExchange extends Exchange {
  readonly #stream: H2Stream;
  readonly #h2: H2Upstreams;
  #compat: CoreHttp2Stream | undefined = undefined;
  /** the status of a head written straight to the core stream */
  #status = 0;

  constructor(dp: DataPlane, listener: string, stream: H2Stream, h2: H2Upstreams) {
    super(dp, listener, FROM_H2);
    this.#stream = stream;
    this.#h2 = h2;
  }

  /** The node:http2-shaped stream, made the first time a path that pipes asks for it. */
  #piped(): CoreHttp2Stream {
    return (this.#compat ??= new CoreHttp2Stream(this.#stream));
  }

  override requestBody(): Readable {
    return this.#piped();
  }

  /** A route idle timeout's probe: this stream's own bytes either way. */
  override activity(): number {
    return this.#stream.bytesIn + this.#stream.bytesOut + (this.#compat?.writableLength ?? 0);
  }

  #sentStatus(fallback: number): number {
    const c = this.#compat;
    if (c !== undefined && c.sentHeaders[':status'] !== undefined) return Number(c.sentHeaders[':status']);
    return this.#status || fallback;
  }

  #local(reply: LocalReply, head: boolean, grpcType: string | undefined): void {
    if (!this.#stream.headersSent) this.#status = reply.status;
    writeLocalCore(this.#stream, reply, head, grpcType);
  }

  override timedOut(): void {
    const s = this.#stream;
    const sent = s.headersSent;
    // Finished first: the upstream's cancel below must find nothing left to answer.
    this.finish(sent ? this.#sentStatus(504) : 504, 'timeout');
    this.cancelUpstream?.();
    if (sent) s.reset(CANCEL);
    else this.#local(timeoutReply(this.grpcType), this.head, undefined);
  }

  override proceed(step: Step): void {
    const s = this.#stream;
    if (step === LOCAL) return this.#local(this.reply, this.head, this.replyGrpc ? this.grpcType : undefined);
    if (step !== FORWARD) return;
    // The stream ended while the request was held (a fault delay, a policy deciding): forward nothing.
    if (s.closed) return this.finish(499);
    const dp = this.dp;
    if (this.via === VIA_RAW && this.#compat === undefined && rawEligible(this)) return proxyCoreToH1Raw(s, dp.fast, this.endpoint!, this);
    const stream = this.#piped();
    if (this.via === VIA_H2C) {
      proxyH2ToH2c(stream, this.#h2, this);
      watchSend(dp.sends, stream, () => cancelStream(stream));
    } else proxyH2ToH1(stream, this.pool ?? dp.upstreams.pool(originOf(this.endpoint!)), this);
    if (!this.bodyless) {
      watchH2Body(dp.bodies, stream);
      const limit = bodyLimit(this);
      if (limit >= 0) countBody(stream, limit, () => this.#tooLarge());
    }
  }

  /** The request body passed the route's limit (body-limit.ts): 413 before the response head, else a reset. */
  #tooLarge(): void {
    const stream = this.#piped();
    if (!this.open) return;
    const sent = stream.headersSent;
    this.finish(sent ? this.#sentStatus(413) : 413);
    this.cancelUpstream?.();
    if (sent) return cancelStream(stream);
    // The rest of the body is read and dropped.
    stream.unpipe();
    stream.resume();
    this.#local(BODY_TOO_LARGE, this.head, this.grpcType);
  }
}
