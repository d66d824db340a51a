// What an exchange knows (exchange.ts), as its front end and the access log read it: the request
// as the front end saw it, and what begin() settled. The core writes these; the rest only read
// them (save `mirrorBody` and `cancelUpstream`, which front ends set).
import type { Dispatcher } from 'undici';
import type { RequestSpan } from '../observe/trace-requests.ts';
import type { Cluster, Endpoint } from '../snapshot/types.ts';
import type { DataPlane } from './dataplane.ts';
import { VIA_RAW, type From, type Via } from './exchange-steps.ts';
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

  constructor(dp: DataPlane, listener: string, from: From) {
    this.dp = dp;
    this.listener = listener;
    this.from = from;
  }

  get clusterName(): string {
    return this.cluster?.name ?? '';
  }
}
