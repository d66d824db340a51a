// The exchange core's vocabulary (exchange.ts): begin()'s answers, the transports, the front ends,
// and the facts and owner a front end gives an exchange. Kept apart so the core reads as one life.
import type { RequestFacts } from './decide.ts';
import type { Exchange } from './exchange.ts';
import type { LocalReply } from './local-reply.ts';
import type { UpstreamErrorReason } from './upstream-errors.ts';

// begin()'s answers.
/** answer `x.reply` to the client; the exchange is finished already */
export const LOCAL = 0;
/** send the request to `x.endpoint` over `x.via`, with `x.headers`; finish() when it ends */
export const FORWARD = 1;
/** this front end cannot carry the route's upstream (the fast path: not HTTP/1.1); nothing was counted */
export const HANDOFF = 2;
/** a request policy is still deciding: hold the client; the owner hears LOCAL or FORWARD later */
export const PENDING = 3;
export type Step = typeof LOCAL | typeof FORWARD | typeof HANDOFF | typeof PENDING;

// How a forwarded request reaches its upstream, chosen here for every front end.
/** raw keep-alive HTTP/1.1 sockets (dp.fast) */
export const VIA_RAW = 0;
/** an undici pool (`x.pool`) */
export const VIA_POOL = 1;
/** a stream on the origin's shared HTTP/2 session (`x.origin`) */
export const VIA_H2C = 2;
/** a TCP connection of its own: a WebSocket tunnel */
export const VIA_TUNNEL = 3;
export type Via = typeof VIA_RAW | typeof VIA_POOL | typeof VIA_H2C | typeof VIA_TUNNEL;

// Which front end runs the exchange: what it can carry, and which headers it keeps.
export const FROM_FAST = 0;
export const FROM_H1 = 1;
export const FROM_H2 = 2;
/** an HTTP/1.1 Upgrade: Connection and Upgrade go upstream */
export const FROM_UPGRADE = 3;
/** an RFC 8441 extended CONNECT, carried upstream as an HTTP/1.1 Upgrade it writes itself */
export const FROM_H2_UPGRADE = 4;
export type From = typeof FROM_FAST | typeof FROM_H1 | typeof FROM_H2 | typeof FROM_UPGRADE | typeof FROM_H2_UPGRADE;

export interface ExchangeFacts extends RequestFacts {
  readonly method: string;
  readonly clientAddress: string | undefined;
  /** the request has no body */
  readonly bodyless: boolean;
  /** the request's content-type when it is gRPC (local errors become gRPC statuses), else undefined */
  readonly grpcType: string | undefined;
  /** the front end refuses the request before routing it (a malformed target, too many headers) */
  readonly refusal?: LocalReply;
  /** request header names (lower-case) the front end sets itself and the client's must not reach the upstream */
  readonly drop?: ReadonlySet<string>;
}

/**
 * Told when a PENDING exchange has its answer: `step` is LOCAL or FORWARD. An exchange without an
 * owner tells itself (proceed(), which front ends that make one exchange per request override).
 */
export interface ExchangeOwner {
  exchangeReady(x: Exchange, step: Step): void;
  /** the route's timeout passed before the exchange finished (deadlines.ts): end it, and finish() */
  exchangeTimedOut(x: Exchange): void;
  /** a number that moves whenever the exchange's bytes move either way (a route idle timeout's probe) */
  exchangeActivity?(x: Exchange): number;
}

/** How an exchange ended, beyond its status: an upstream failure, for the metric and the log. */
export type Outcome = UpstreamErrorReason | 'reset_after_headers' | 'timeout' | (Error & { code?: string }) | undefined;
