// Fast-path heads, node:http requests and HTTP/2 streams as the exchange core's plain facts (exchange.ts): the
// one translation from a socket layer's request objects to what routing and policies read.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { ExchangeFacts } from './exchange.ts';
import type { H1Target } from './h1-strict.ts';
import type { ListenerContext } from './listeners.ts';
import { type LocalReply, textReply } from './local-reply.ts';
import { NO_BODY, type RequestHead } from './fast/parse.ts';

/** A request head parsed on the raw-socket fast path (fast/parse.ts). */
export function fastFacts(ctx: ListenerContext, sni: string | undefined, head: RequestHead, clientAddress: string | undefined): ExchangeFacts {
  const { kind: listener, secure, normalizePath } = ctx;
  const bodyless = head.framing === NO_BODY;
  return { listener, secure, sni, authority: head.host, url: head.url, raw: head.raw, normalizePath, method: head.method, clientAddress, bodyless, grpcType: undefined };
}

/**
 * A node:http request or Upgrade. `target` is strictTarget()'s verdict (a string: why it is
 * refused); `refusal`, when given, is the front end's own reason to refuse it first.
 */
export function h1Facts(ctx: ListenerContext, req: IncomingMessage, target: H1Target | string, bodyless: boolean, grpcType: string | undefined, refusal?: LocalReply): ExchangeFacts {
  const bad = typeof target === 'string';
  return {
    listener: ctx.kind,
    secure: ctx.secure,
    sni: ctx.secure ? sniOf(req.socket) : undefined,
    normalizePath: ctx.normalizePath,
    authority: bad ? undefined : target.authority,
    url: bad ? '/' : target.url,
    raw: req.rawHeaders,
    method: req.method ?? 'GET',
    clientAddress: req.socket.remoteAddress,
    bodyless,
    grpcType,
    refusal: refusal ?? (bad ? textReply(400, target) : undefined),
  };
}

/** The client of an HTTP/2 connection, read once per connection. */
export interface H2Peer {
  readonly address: string | undefined;
  readonly sni: string | undefined;
}

/** An HTTP/2 stream's request: `raw` holds its regular fields, with `host` from :authority. */
export function h2Facts(
  ctx: ListenerContext,
  peer: H2Peer,
  request: { readonly method: string; readonly authority: string | undefined; readonly path: string | undefined; readonly raw: readonly string[] },
  bodyless: boolean,
  grpcType: string | undefined,
  refusal: LocalReply | undefined,
  drop?: ReadonlySet<string>,
): ExchangeFacts {
  return {
    listener: ctx.kind,
    secure: ctx.secure,
    sni: ctx.secure ? peer.sni : undefined,
    normalizePath: ctx.normalizePath,
    authority: request.authority,
    url: request.path ?? '/',
    raw: request.raw,
    method: request.method,
    clientAddress: peer.address,
    bodyless,
    grpcType,
    refusal,
    drop,
  };
}

/** The SNI name a TLS socket's client sent (undefined when none, or the socket is plain). */
export function sniOf(socket: unknown): string | undefined {
  const name = (socket as Partial<TLSSocket> | undefined)?.servername;
  return typeof name === 'string' && name !== '' ? name : undefined;
}
