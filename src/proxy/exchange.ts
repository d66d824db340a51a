// The exchange core: the one place a request's life is written, for every front end (the raw
// HTTP/1.1 fast path, node:http, HTTP/2, WebSocket upgrades over either). A front end turns its
// request into plain facts and calls begin(); the exchange decides (router, decide(), the route's
// request policies, the endpoint and transport, the upstream headers) and the front end carries
// out the answer in its own wire format, then calls finish() exactly once. What happens between
// (bytes to and from the upstream) is the front end's; what a request *means* is the exchange's.
//
// Front ends made per request (node:http, HTTP/2) make one Exchange per request; the fast path
// keeps one per client connection and reuses it, so the hot path allocates nothing here.
import type { Pool } from 'undici';
import type { Cluster, Endpoint, HeaderPair } from '../snapshot/types.ts';
import type { DataPlane } from './dataplane.ts';
import { timeoutReply } from './deadlines.ts';
import { decide } from './decide.ts';
import { type CompiledFault, fires } from './fault.ts';
import { type ExchangePolicy, type ForwardDecision, NO_POLICIES, type PolicyRequest, policiesFor, type RequestVerdict, type RoutePolicies } from './exchange-policy.ts';
import { upstreamRequestHeaders } from './headers.ts';
import { setRequestId, withRequestId } from '../observe/request-id.ts';
import { type BodyCopy, startMirrors } from './mirror.ts';
import { backoffMs, type RetryCause, retriedCause, retryable, retryReason } from './retry.ts';
import { type LocalReply, NO_CONFIG, NO_ENDPOINTS, POLICY_FAILED, replyFor } from './local-reply.ts';
import { upstreamErrorReason } from './upstream-errors.ts';
import {
  type ExchangeFacts, type ExchangeOwner, FORWARD, FROM_FAST, FROM_H1, FROM_H2, FROM_UPGRADE, type From, HANDOFF, LOCAL,
  type Outcome, PENDING, type Step, VIA_H2C, VIA_POOL, VIA_RAW, VIA_TUNNEL, type Via,
} from './exchange-steps.ts';

// The vocabulary lives in exchange-steps.ts; front ends import it from here with the core.
export * from './exchange-steps.ts';

const IDLE = 0;
const OPEN = 1;
const DONE = 2;

export class Exchange implements PolicyRequest, ExchangeOwner {
  readonly dp: DataPlane;
  /** the listener's name, for metrics */
  readonly listener: string;
  readonly from: From;
  readonly #owner: ExchangeOwner | undefined;
  #state = IDLE;
  #inflight = false;
  #started = 0;
  #policies: RoutePolicies = NO_POLICIES;
  /** armed with the route's timeout (deadlines.ts) */
  #armed = false;
  /** retries so far (retry.ts) */
  #retries = 0;
  /** performance.now() when the current attempt went upstream; 0 once its response head came (metrics) */
  #sentAt = 0;
  /** held by a fault delay until the sweep expires it (fault.ts); `#cut`: the route's request timeout ends the hold */
  #held: CompiledFault | undefined;
  #cut = false;

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
  #facts: ExchangeFacts | undefined;
  /** headers a request policy set for the upstream request (ext_authz); usually undefined */
  #policyHeaders: HeaderPair[] | undefined;

  // What begin() settled.
  ingress = '';
  /** how decide() answered ('forward', 'not-found', ...; '' before it ran; 'no-endpoints'), for the access log */
  decided = '';
  /** the x-request-id this exchange carries when the gateway set one (request-id.ts), else '' */
  requestId = '';
  /** LOCAL: the answer; `replyGrpc`: a gRPC client gets it as a gRPC status */
  reply: LocalReply = NO_CONFIG;
  replyGrpc = false;
  #decision: ForwardDecision | undefined;
  cluster: Cluster | undefined;
  /** the request target sent upstream (normalised) */
  url = '';
  via: Via = VIA_RAW;
  endpoint: Endpoint | undefined;
  /** VIA_POOL and VIA_H2C: the endpoint's origin; VIA_POOL: its undici pool */
  origin = '';
  pool: Pool | undefined;
  /** the upstream request headers, built once ([name, value, ...], `host` first) */
  headers: string[] = [];
  /** FORWARD with a body: where the front end copies it for the route's mirrors (mirror.ts); usually undefined */
  mirrorBody: BodyCopy | undefined = undefined;
  /** FORWARD: set by the front end once the upstream request is under way; stops it (a timeout) */
  cancelUpstream: (() => void) | undefined = undefined;

  constructor(dp: DataPlane, listener: string, from: From, owner?: ExchangeOwner) {
    this.dp = dp;
    this.listener = listener;
    this.from = from;
    this.#owner = owner;
  }

  get decision(): ForwardDecision {
    return this.#decision!;
  }

  /** performance.now() when the exchange began */
  get startedAt(): number {
    return this.#started;
  }

  get clusterName(): string {
    return this.cluster?.name ?? '';
  }

  /** the route edits response headers: a front end forwarding heads as bytes must rewrite them */
  get editsResponse(): boolean {
    return this.#policies.response.length > 0 || (this.requestId !== '' && this.dp.requestIds?.inResponse === true);
  }

  /** Starts an exchange for a request (a reused exchange must have been finished). */
  begin(facts: ExchangeFacts): Step {
    this.#state = OPEN;
    this.#inflight = false;
    this.#started = performance.now();
    this.#policies = NO_POLICIES;
    this.#policyHeaders = undefined;
    this.#decision = undefined;
    this.cluster = undefined;
    this.endpoint = undefined;
    this.pool = undefined;
    this.mirrorBody = undefined;
    this.cancelUpstream = undefined;
    this.#retries = 0;
    this.#sentAt = 0;
    this.#held = undefined;
    this.ingress = '';
    this.method = facts.method;
    this.head = facts.method === 'HEAD';
    this.raw = facts.raw;
    this.clientAddress = facts.clientAddress;
    this.grpcType = facts.grpcType;
    this.bodyless = facts.bodyless;
    this.authority = facts.authority ?? '';
    this.target = facts.url;
    this.decided = '';
    this.reply = NO_CONFIG;
    this.requestId = this.dp.requestIds === undefined ? '' : this.dp.requestIds.idFor(facts.raw);
    this.#facts = facts;
    const router = this.dp.router;
    if (router === undefined) return this.#answer(NO_CONFIG, '', true);
    if (facts.refusal !== undefined) return this.#answer(facts.refusal, '', true);
    const decision = decide(router, facts);
    this.decided = decision.kind;
    if (decision.kind !== 'forward') {
      const { reply, ingress, error } = replyFor(decision);
      return this.#answer(reply, ingress, error);
    }
    this.#decision = decision;
    this.ingress = decision.ingress;
    this.url = decision.url;
    const cluster = decision.split.cluster;
    this.cluster = cluster;
    const via = this.#via(cluster);
    if (via < 0) {
      // Nothing happened yet: the front end passes the request on as it was.
      this.#state = IDLE;
      return HANDOFF;
    }
    this.via = via as Via;
    this.#policies = policiesFor(decision);
    // Routes without faults pay one property read.
    const fault = decision.split.fault;
    if (fault !== undefined) return this.#fault(fault);
    return this.#policies.request.length === 0 ? this.#dispatch() : this.#runPolicies(0);
  }

  /**
   * A fault's delay holds the request on the deadline sweep (PENDING; expire() goes on), bounded by
   * the route's request timeout, which keeps counting; then its abort may answer.
   */
  #fault(fault: CompiledFault): Step {
    const delay = fault.delay;
    if (delay !== undefined && fires(delay.percent, Math.random() * 100)) {
      const request = this.#decision!.timeout?.request;
      const end = this.#started + (request ?? 0);
      let at = performance.now() + delay.ms;
      this.#cut = request !== undefined && request > 0 && end <= at;
      if (this.#cut) at = end;
      this.#held = fault;
      this.dp.deadlines.arm(this, at, this.#cut ? request! : delay.ms);
      this.#armed = true;
      return PENDING;
    }
    return this.#abortOrGoOn(fault);
  }

  #abortOrGoOn(fault: CompiledFault): Step {
    const abort = fault.abort;
    if (abort !== undefined && fires(abort.percent, Math.random() * 100)) return this.#answer(abort.reply, this.ingress, true);
    return this.#policies.request.length === 0 ? this.#dispatch() : this.#runPolicies(0);
  }

  /** The hold ends: the request goes on, or the route's request timeout answers it (504). */
  #unhold(fault: CompiledFault): Step {
    this.#held = undefined;
    if (!this.#cut) return this.#abortOrGoOn(fault);
    this.reply = timeoutReply(this.grpcType);
    this.replyGrpc = false;
    this.#facts = undefined;
    this.finish(504, 'timeout');
    return LOCAL;
  }

  /** The transport for this cluster from this front end, or -1 when it cannot carry it. */
  #via(cluster: Cluster): number {
    switch (this.from) {
      case FROM_FAST:
        return cluster.protocol === 'http1' ? VIA_RAW : -1;
      case FROM_H1:
        return cluster.protocol === 'h2c' ? VIA_H2C : VIA_POOL;
      case FROM_H2:
        if (cluster.protocol === 'h2c') return VIA_H2C;
        // Bodiless requests to HTTP/1.1 upstreams take the raw sockets (h2-raw-h1.ts); the rest undici.
        return this.bodyless && this.grpcType === undefined ? VIA_RAW : VIA_POOL;
      default:
        return VIA_TUNNEL;
    }
  }

  /** Request-side policies from `i` on; each may answer, go on, or decide later. */
  #runPolicies(i: number): Step {
    const list = this.#policies.request;
    for (; i < list.length; i++) {
      let v: RequestVerdict | Promise<RequestVerdict>;
      try {
        v = (list[i] as Required<ExchangePolicy>).onRequest(this);
      } catch (err) {
        return this.#policyFailed(err);
      }
      if (v === undefined) continue;
      if (v instanceof Promise) {
        const next = i + 1;
        v.then(
          (r) => this.#resume(r === undefined ? this.#runPolicies(next) : this.#rejected(r)),
          (err: unknown) => this.#resume(this.#policyFailed(err)),
        );
        return PENDING;
      }
      return this.#rejected(v);
    }
    return this.#dispatch();
  }

  /** A request policy answered instead of forwarding (a rate limit, an authorization server). */
  #rejected(reply: LocalReply): Step {
    if (this.#state === OPEN) this.dp.metrics.policyRejections.labels(this.ingress, String(reply.status)).inc();
    return this.#answer(reply, this.ingress, true);
  }

  setUpstreamHeaders(pairs: readonly HeaderPair[]): void {
    (this.#policyHeaders ??= []).push(...pairs);
  }

  #resume(step: Step): void {
    if (step !== PENDING) (this.#owner ?? this).exchangeReady(this, step);
  }

  exchangeReady(_x: Exchange, step: Step): void {
    this.proceed(step);
  }

  /** Carries out begin()'s answer (LOCAL or FORWARD); front ends with one exchange per request override it. */
  proceed(_step: Step): void {}

  #policyFailed(err: unknown): Step {
    this.dp.log.warn({ err: err instanceof Error ? err.message : String(err), ingress: this.ingress }, 'route policy failed');
    return this.#answer(POLICY_FAILED, this.ingress, true);
  }

  /** Picks the endpoint and builds the upstream headers. */
  #dispatch(): Step {
    // The client went away while a policy decided: nothing more to do.
    if (this.#state !== OPEN) return PENDING;
    const cluster = this.cluster!;
    const decision = this.#decision!;
    const dp = this.dp;
    if (this.via === VIA_RAW) this.endpoint = dp.fast.pick(cluster);
    else {
      const pick = dp.upstreams.pick(cluster);
      if (pick !== undefined) {
        this.endpoint = pick.endpoint;
        this.origin = pick.origin;
        this.pool = pick.pool;
      }
    }
    if (this.endpoint === undefined) {
      dp.metrics.upstreamErrors.labels(cluster.name, 'no_endpoints').inc();
      this.decided = 'no-endpoints';
      return this.#answer(NO_ENDPOINTS, this.ingress, true);
    }
    const facts = this.#facts!;
    this.headers = upstreamRequestHeaders({
      raw: facts.raw,
      host: decision.split.autoHost ? endpointHost(this.endpoint) : decision.upstreamHost,
      edits: decision.request,
      clientAddress: facts.clientAddress,
      proto: facts.secure ? 'https' : 'http',
      keepTeTrailers: this.via === VIA_H2C,
      keepUpgrade: this.from === FROM_UPGRADE,
      drop: facts.drop,
    });
    if (this.requestId !== '') setRequestId(this.headers, this.requestId);
    this.#facts = undefined;
    if (this.#policyHeaders !== undefined) setHeaders(this.headers, this.#policyHeaders);
    // Routes without mirrors pay one length check. WebSocket handshakes are not mirrored.
    if (decision.mirrors.length > 0 && this.via !== VIA_TUNNEL) this.mirrorBody = startMirrors(dp, decision.mirrors, this);
    const timeout = decision.timeout;
    // A WebSocket tunnel lives as long as its peers want: no route timeout cuts it.
    if (timeout !== undefined && this.via !== VIA_TUNNEL) this.#arm(timeout);
    dp.inflight++;
    this.#inflight = true;
    this.#sentAt = performance.now();
    return FORWARD;
  }

  /**
   * Arms the route's deadline: `request` from when the request came, `backendRequest` from now
   * (the upstream attempt's start); the earlier wins. 0 or absent: none.
   */
  #arm(timeout: NonNullable<ForwardDecision['timeout']>): void {
    const now = performance.now();
    let at = Number.POSITIVE_INFINITY;
    let ms = Number.POSITIVE_INFINITY;
    if (timeout.request !== undefined && timeout.request > 0) {
      at = this.#started + timeout.request;
      ms = timeout.request;
    }
    if (timeout.backendRequest !== undefined && timeout.backendRequest > 0 && now + timeout.backendRequest < at) {
      at = now + timeout.backendRequest;
      ms = timeout.backendRequest;
    }
    if (at === Number.POSITIVE_INFINITY) return;
    this.dp.deadlines.arm(this, at, ms);
    this.#armed = true;
  }

  /** The deadline passed (deadlines.ts): the front end ends the exchange. */
  expire(): void {
    this.#armed = false;
    if (this.#state !== OPEN) return;
    if (this.#held !== undefined) return this.#resume(this.#unhold(this.#held));
    (this.#owner ?? this).exchangeTimedOut(this);
  }

  exchangeTimedOut(_x: Exchange): void {
    this.timedOut();
  }

  /** Ends a timed-out exchange on the front end's wire; front ends with one exchange per request override it. */
  timedOut(): void {
    this.cancelUpstream?.();
    this.finish(504, 'timeout');
  }

  /** The gateway answers itself; the exchange ends with the answer's status. */
  #answer(reply: LocalReply, ingress: string, grpc: boolean): Step {
    if (this.#state !== OPEN) return PENDING;
    this.reply = this.requestId === '' ? reply : withRequestId(reply, this.requestId);
    this.replyGrpc = grpc;
    this.ingress = ingress;
    this.#facts = undefined;
    this.finish(reply.status);
    return LOCAL;
  }

  /** Edits the upstream's response headers (already filtered for the client) by the route's policies. */
  responseHeaders(status: number, headers: string[]): string[] {
    this.upstreamResponded();
    const list = this.#policies.response;
    for (let i = 0; i < list.length; i++) headers = (list[i] as Required<ExchangePolicy>).onResponse(status, headers);
    return this.requestId === '' || this.dp.requestIds?.inResponse !== true ? headers : setRequestId(headers, this.requestId);
  }

  /** The route may retry this request (retry.ts): a front end keeps what it needs to resend it. */
  get retries(): boolean {
    return this.#decision?.retry !== undefined && retryable(this.method, this.bodyless);
  }

  /**
   * Whether to resend after `cause` (a response status before any of it went to the client, or a
   * failure before the response head): the backoff in ms, counted as a retry; or -1.
   */
  retryAfter(cause: RetryCause): number {
    const policy = this.#decision?.retry;
    if (policy === undefined || this.#state !== OPEN || this.#retries >= policy.attempts || !retryable(this.method, this.bodyless)) return -1;
    if (!retriedCause(policy, cause)) return -1;
    this.#retries++;
    this.dp.metrics.retries.labels(this.clusterName, retryReason(cause)).inc();
    return backoffMs(policy, this.#retries, Math.random());
  }

  /**
   * Readies the next attempt after a retry's backoff: a new endpoint of the cluster (another one
   * when it has several), and a fresh `backendRequest` deadline. False when it has none left.
   */
  nextAttempt(): boolean {
    if (this.#state !== OPEN) return false;
    const cluster = this.cluster!;
    if (this.via === VIA_RAW) this.endpoint = this.dp.fast.pick(cluster);
    else {
      const pick = this.dp.upstreams.pick(cluster);
      this.endpoint = pick?.endpoint;
      if (pick !== undefined) {
        this.origin = pick.origin;
        this.pool = pick.pool;
      }
    }
    if (this.endpoint === undefined) return false;
    // The Host follows the endpoint (headers: `host` first).
    if (this.#decision!.split.autoHost) this.headers[1] = endpointHost(this.endpoint);
    const timeout = this.#decision!.timeout;
    if (timeout?.backendRequest !== undefined && timeout.backendRequest > 0) this.#arm(timeout);
    this.#sentAt = performance.now();
    return true;
  }

  /**
   * The current attempt's upstream response head arrived: its time goes to the cluster's histogram
   * (once per attempt; responseHeaders() calls it too, for front ends that edit heads).
   */
  upstreamResponded(): void {
    if (this.#sentAt === 0) return;
    this.dp.metrics.upstreamResponded(this.clusterName, (performance.now() - this.#sentAt) / 1000);
    this.#sentAt = 0;
  }

  /** Whether the exchange has begun and not yet finished. */
  get open(): boolean {
    return this.#state === OPEN;
  }

  /**
   * Ends the exchange (once; later calls do nothing): the in-flight count, the request metric, the
   * upstream error metric by the one classifier, and the access log line.
   */
  finish(status: number, outcome?: Outcome): void {
    if (this.#state !== OPEN) return;
    this.#state = DONE;
    const dp = this.dp;
    if (this.#armed) {
      this.#armed = false;
      dp.deadlines.disarm(this);
    }
    if (this.#inflight) {
      this.#inflight = false;
      dp.inflight--;
      dp.metrics.upstreamRequest(this.clusterName, status);
    }
    if (outcome !== undefined) this.#countFailure(outcome);
    dp.metrics.request(this.listener, this.ingress, status, (performance.now() - this.#started) / 1000);
    // Every exchange, local or forwarded, ends through this point: its access log line (off: one read).
    if (dp.accessLog !== undefined) dp.accessLog.record(this, status, outcome);
  }

  #countFailure(outcome: Exclude<Outcome, undefined>): void {
    const cluster = this.clusterName;
    if (outcome === 'reset_after_headers' || outcome === 'timeout') {
      this.dp.metrics.upstreamErrors.labels(cluster, outcome).inc();
      return;
    }
    const reason = typeof outcome === 'string' ? outcome : upstreamErrorReason(outcome);
    this.dp.metrics.upstreamErrors.labels(cluster, reason).inc();
    this.dp.log.debug({ err: typeof outcome === 'string' ? outcome : outcome.message, cluster }, 'upstream error before response');
  }
}

/**
 * The Host of a url-rewrite's autoHostname (Envoy's auto_host_rewrite): the endpoint's DNS name
 * (a `dns` cluster) or address, without the port; an IPv6 address in brackets.
 */
function endpointHost(endpoint: Endpoint): string {
  return endpoint.address.includes(':') ? `[${endpoint.address}]` : endpoint.address;
}

/** Sets each pair on [name, value, ...] headers (lower-case names), replacing that name's entries; `host` stays first. */
function setHeaders(headers: string[], pairs: readonly HeaderPair[]): void {
  for (const [name, value] of pairs) {
    for (let i = headers.length - 2; i >= 2; i -= 2) if (headers[i]!.toLowerCase() === name) headers.splice(i, 2);
    headers.push(name, value);
  }
}
