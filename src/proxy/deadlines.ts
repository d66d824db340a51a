// Route timeouts (Gateway API `timeouts.request` and `timeouts.backendRequest`, GEP-1742; Envoy's
// route `timeout` and `per_try_timeout`): an exchange whose route has one is armed with a deadline,
// the earlier of `request` from when the gateway received the request and `backendRequest` from
// when the upstream attempt began, and disarmed when it finishes. On expiry the exchange tells its
// front end, which answers 504 (a gRPC DEADLINE_EXCEEDED) if no response head went out yet, or
// resets the stream / closes the connection if one did.
//
// One sweep per data plane serves every front end (the fast path, node:http, HTTP/2): a request
// costs an entry in a Map, never a timer of its own, and routes without timeouts cost nothing.
import type { LocalReply } from './local-reply.ts';
import { textReply } from './local-reply.ts';

/** What the sweep expires. */
export interface Expirable {
  /** the deadline passed: end the exchange (it is unwatched already) */
  expire(): void;
}

/** The sweep's period: fine enough for sub-second timeouts, at most 1/8 of the shortest one late. */
function periodFor(timeoutMs: number): number {
  return Math.max(5, Math.min(250, Math.floor(timeoutMs / 8)));
}

export class ExchangeDeadlines {
  readonly #armed = new Map<Expirable, number>();
  #timer: NodeJS.Timeout | undefined;
  #period = Number.POSITIVE_INFINITY;

  /** Arms `x` to expire at `at` (performance.now() ms); `timeoutMs` sets how often to look. */
  arm(x: Expirable, at: number, timeoutMs: number): void {
    this.#armed.set(x, at);
    const period = periodFor(timeoutMs);
    if (this.#timer !== undefined && period >= this.#period) return;
    clearInterval(this.#timer);
    this.#period = period;
    this.#timer = setInterval(() => this.sweep(performance.now()), period);
    this.#timer.unref();
  }

  disarm(x: Expirable): void {
    if (!this.#armed.delete(x) || this.#armed.size > 0) return;
    this.close();
  }

  sweep(now: number): void {
    for (const [x, at] of this.#armed) {
      if (at > now) continue;
      this.#armed.delete(x);
      x.expire();
    }
    if (this.#armed.size === 0) this.close();
  }

  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#period = Number.POSITIVE_INFINITY;
    this.#armed.clear();
  }
}

export const GATEWAY_TIMEOUT = textReply(504, 'upstream request timeout');

/** The timeout's answer: a gRPC client gets DEADLINE_EXCEEDED (4), trailers-only, as Envoy sends. */
export function timeoutReply(grpcType: string | undefined): LocalReply {
  if (grpcType === undefined) return GATEWAY_TIMEOUT;
  return { status: 200, headers: [['content-type', grpcType], ['grpc-status', '4'], ['grpc-message', 'upstream request timeout']], body: '' };
}

/** A deadline: when (performance.now() ms), and the timeout it comes from (how often to look). */
export interface Deadline {
  readonly at: number;
  readonly ms: number;
}

/**
 * A route's deadline for an attempt: `request` from `started` (when the request came),
 * `backendRequest` from `now` (the attempt's start); the earlier wins. 0 or absent: none.
 */
export function routeDeadline(timeout: { readonly request?: number; readonly backendRequest?: number }, started: number, now: number): Deadline | undefined {
  let at = Number.POSITIVE_INFINITY;
  let ms = Number.POSITIVE_INFINITY;
  if (timeout.request !== undefined && timeout.request > 0) {
    at = started + timeout.request;
    ms = timeout.request;
  }
  if (timeout.backendRequest !== undefined && timeout.backendRequest > 0 && now + timeout.backendRequest < at) {
    at = now + timeout.backendRequest;
    ms = timeout.backendRequest;
  }
  return at === Number.POSITIVE_INFINITY ? undefined : { at, ms };
}

/**
 * A route's idle timeout (Envoy's route idle_timeout): the exchange is idle once a probe of its
 * traffic (bytes either way) has not moved for `ms`. Looked at every quarter of the timeout, so a
 * cut comes between `ms` and 1.25 * `ms` (plus the sweep's period) after the last byte.
 */
export class IdleWatch {
  /** 0: no idle timeout */
  ms = 0;
  #since = 0;
  #seen = -1;

  start(ms: number, now: number): void {
    this.ms = ms;
    this.#since = now;
    this.#seen = -1;
  }

  /** Whether the traffic (`value`) has stood still for the timeout by `now`. */
  idle(now: number, value: number): boolean {
    if (value !== this.#seen) {
      this.#seen = value;
      this.#since = now;
      return false;
    }
    return now - this.#since >= this.ms;
  }

  /** When to look next. */
  next(now: number): number {
    return Math.min(this.#since + this.ms, now + Math.max(5, this.ms / 4));
  }
}
