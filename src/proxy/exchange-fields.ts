// What an exchange knows (exchange.ts), as its front end and the access log read it: the request
// as the front end saw it, what begin() settled, and what it records as it goes (times, bytes, a
// WebSocket tunnel's line held until the tunnel closes). The core writes these; the rest only read
// them (save `mirrorBody` and `cancelUpstream`, which front ends set). Kept in this one base class
// rather than another level of subclass: each level that defines fields adds to the cost of
// making an exchange, which HTTP/2 does per request.
import type { Dispatcher } from 'undici';
import type { RequestSpan } from '../observe/trace-requests.ts';
import type { Cluster, Endpoint } from '../snapshot/types.ts';
import type { DataPlane } from './dataplane.ts';
import { exemplarTrace } from '../observe/exemplars.ts';
import { type ExchangeFacts, VIA_RAW, type From, type Via } from './exchange-steps.ts';
import { trustedClientAddress } from './client-address.ts';
import { type LocalReply, NO_CONFIG } from './local-reply.ts';
import type { BodyCopy } from './mirror.ts';

export class ExchangeFields {
  readonly dp: DataPlane;
  /** the listener's name, for metrics */
  readonly listener: string;
  readonly from: From;

  // The facts (the request as the front end saw it).
  method = '';
  /** a HEAD request: answers carry no body */
  head = false;
  raw: readonly string[] = [];
  clientAddress: string | undefined = undefined;
  grpcType: string | undefined = undefined;
  bodyless = true;
  /** the Host / :authority and the request target as sent, for the access log */
  authority = '';
  target = '';

  // What begin() settled.
  ingress = '';
  /** how decide() answered ('forward', 'not-found', ...; '' before it ran; 'no-endpoints'), for the access log */
  decided = '';
  /** the x-request-id this exchange carries when the gateway set one (request-id.ts), else '' */
  requestId = '';
  /** this exchange's server span when tracing is on (trace-requests.ts), else undefined */
  span: RequestSpan | undefined = undefined;
  // What the front end counted, for the access log (access-log-entry.ts).
  /** body data bytes from the client, and to it */
  bytesIn = 0;
  bytesOut = 0;
  /** performance.now() when the upstream's response head came; 0: none came */
  firstByteAt = 0;
  /** a forwarded gRPC call's grpc-status (its trailers or a trailers-only head); undefined: none seen */
  upstreamGrpcStatus: string | undefined = undefined;
  /** the response flag of the request policy that answered ('UAEX', 'RL'), else '' */
  policyFlag = '';
  /** LOCAL: the answer; `replyGrpc`: a gRPC client gets it as a gRPC status */
  reply: LocalReply = NO_CONFIG;
  replyGrpc = false;
  cluster: Cluster | undefined;
  /** the request target sent upstream (normalised) */
  url = '';
  via: Via = VIA_RAW;
  endpoint: Endpoint | undefined;
  /** VIA_POOL and VIA_H2C: the endpoint's origin; VIA_POOL: its undici pool, or a function's in-process dispatcher */
  origin = '';
  pool: Pick<Dispatcher, 'dispatch'> | undefined;
  /** the upstream request headers, built once ([name, value, ...], `host` first) */
  headers: string[] = [];
  /** FORWARD with a body: where the front end copies it for the route's mirrors (mirror.ts); usually undefined */
  mirrorBody: BodyCopy | undefined = undefined;
  /** FORWARD with a body on a retrying route: the whole body, when the front end held it for a resend (bodyHold) */
  replayBody: Buffer | undefined = undefined;
  /** FORWARD: set by the front end once the upstream request is under way; stops it (a timeout) */
  cancelUpstream: (() => void) | undefined = undefined;

  // What the exchange records as it goes (below), for its metrics and access log line.
  /** performance.now() when the exchange began */
  protected started = 0;
  /** performance.now() when the current attempt went upstream; 0 once its response head came (metrics) */
  protected sentAt = 0;
  /** a WebSocket handshake's status (101, 200): its access log line waits for the tunnel's end (tunnelClosed); else 0 */
  protected tunnelStatus = 0;

  constructor(dp: DataPlane, listener: string, from: From) {
    this.dp = dp;
    this.listener = listener;
    this.from = from;
  }

  /** Forgets the last request's fields (a reused exchange) and takes this one's facts; begin() calls it. */
  protected takeFacts(facts: ExchangeFacts): void {
    this.cluster = undefined;
    this.endpoint = undefined;
    this.pool = undefined;
    this.mirrorBody = undefined;
    this.replayBody = undefined;
    this.cancelUpstream = undefined;
    this.bytesIn = 0;
    this.bytesOut = 0;
    this.firstByteAt = 0;
    this.upstreamGrpcStatus = undefined;
    this.policyFlag = '';
    this.ingress = '';
    this.method = facts.method;
    this.head = facts.method === 'HEAD';
    this.raw = facts.raw;
    // Behind --trusted-hops proxies the client is in X-Forwarded-For; policies and logs see that one.
    this.clientAddress = this.dp.trustedHops === 0 ? facts.clientAddress : trustedClientAddress(facts.raw, this.dp.trustedHops, facts.clientAddress);
    this.grpcType = facts.grpcType;
    this.bodyless = facts.bodyless;
    this.authority = facts.authority ?? '';
    this.target = facts.url;
    this.decided = '';
    this.reply = NO_CONFIG;
    this.requestId = this.dp.requestIds === undefined ? '' : this.dp.requestIds.idFor(facts.raw);
    this.span = this.dp.tracer?.start(facts.raw);
  }

  get clusterName(): string {
    return this.cluster?.name ?? '';
  }

  /** performance.now() when the exchange began */
  get startedAt(): number {
    return this.started;
  }

  /** the access log is on: front ends count body bytes (access-log-bytes.ts) */
  get logged(): boolean {
    return this.dp.accessLog?.listens(this.listener) === true;
  }

  /** The front end's counts for the access log: body bytes each way, and when the upstream's head came (0: none). */
  counted(bytesIn: number, bytesOut: number, firstByteAt: number): void {
    this.bytesIn = bytesIn;
    this.bytesOut = bytesOut;
    if (firstByteAt > 0) this.firstByteAt = firstByteAt;
  }

  /** A WebSocket tunnel ended: its access log line, with the bytes that crossed it each way. */
  tunnelClosed(bytesIn: number, bytesOut: number): void {
    const status = this.tunnelStatus;
    if (status === 0) return;
    this.tunnelStatus = 0;
    this.bytesIn = bytesIn;
    this.bytesOut = bytesOut;
    this.dp.accessLog?.record(this, status, undefined);
  }

  /**
   * The current attempt's upstream response head arrived: its time goes to the cluster's histogram
   * (once per attempt; responseHeaders() calls it too, for front ends that edit heads). `now`: when
   * the head came, as the front end read it for the access log's ttfb (one clock read for both).
   */
  upstreamResponded(now = performance.now()): void {
    if (this.sentAt === 0) return;
    this.dp.metrics.upstreamResponded(this.clusterName, (now - this.sentAt) / 1000, exemplarTrace(this.span));
    this.sentAt = 0;
  }
}
