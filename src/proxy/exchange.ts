// The exchange core: the one place a request's life is written, for every front end (the raw
// HTTP/1.1 fast path, node:http, HTTP/2, WebSocket upgrades over either). A front end turns its
// request into plain facts and calls begin(); the exchange decides (router, decide(), the route's
// request policies, the endpoint and transport, the upstream headers) and the front end carries
// out the answer in its own wire format, then calls finish() exactly once. What happens between
// (bytes to and from the upstream) is the front end's; what a request *means* is the exchange's.
//
// Front ends made per request (node:http, HTTP/2) make one Exchange per request; the fast path
// keeps one per client connection and reuses it, so the hot path allocates nothing here.
import type { Readable } from 'node:stream';
import type { Cluster, HeaderPair } from '../snapshot/types.ts';
import type { DataPlane } from './dataplane.ts';
import { timeoutReply } from './deadlines.ts';
import { ExchangeClock } from './exchange-clock.ts';
import { decide } from './decide.ts';
import { type CompiledFault, fires } from './fault.ts';
import { type ExchangePolicy, type ForwardDecision, NO_POLICIES, type PolicyRequest, policiesFor, type RequestVerdict, type RoutePolicies } from './exchange-policy.ts';
import { setRequestId, withRequestId } from '../observe/request-id.ts';
import { grpcStatusIn } from '../observe/access-log-bytes.ts';
import { exemplarTrace } from '../observe/exemplars.ts';
import { startMirrors } from './mirror.ts';
import { DEFAULT_BODY_LIMIT, type RetryCause } from './retry.ts';
import { type LocalReply, NO_CONFIG, NO_ENDPOINTS, POLICY_FAILED, replyFor } from './local-reply.ts';
import { Attempts } from './exchange-attempts.ts';
import { countFailure } from './exchange-finish.ts';
import { endpointHost, setHeaders, upstreamHeadersFor } from './exchange-upstream.ts';
import { viaFor } from './exchange-via.ts';
import { ExchangeFields } from './exchange-fields.ts';
import { BackendTicket } from './backend-guards.ts';
import { functionPick, isFunctionCluster } from '../functions/exchange-dispatch.ts';
import {
  type ExchangeFacts, type ExchangeOwner, FORWARD, type From, HANDOFF, LOCAL, type Outcome, PENDING, type Step, VIA_RAW,
  VIA_TUNNEL, type Via,
} from './exchange-steps.ts';

// The vocabulary lives in exchange-steps.ts; front ends import it from here with the core.
export * from './exchange-steps.ts';

const IDLE = 0;
const OPEN = 1;
const DONE = 2;

export class Exchange extends ExchangeFields implements PolicyRequest, ExchangeOwner {
  readonly #owner: ExchangeOwner | undefined;
  #state = IDLE;
  #inflight = false;
  #policies: RoutePolicies = NO_POLICIES;
  /**
   * The route's deadlines and idle timeout on the data plane's sweep (exchange-clock.ts), and its
   * retries so far (exchange-attempts.ts): made when a route first needs them, since HTTP/2 makes
   * an exchange per request and most routes have neither.
   */
  #clock: ExchangeClock | undefined = undefined;
  #attempts: Attempts | undefined = undefined;
  /** held by a fault delay until the sweep expires it (fault.ts); `#cut`: the route's request timeout ends the hold */
  #held: CompiledFault | undefined;
  #cut = false;
  #facts: ExchangeFacts | undefined;
  /** headers a request policy set for the upstream request (ext_authz); usually undefined */
  #policyHeaders: HeaderPair[] | undefined;
  #decision: ForwardDecision | undefined;
  /** its place in the circuit breaker of a cluster with a BackendPolicy (backend-guards.ts) */
  #ticket: BackendTicket | undefined;

  constructor(dp: DataPlane, listener: string, from: From, owner?: ExchangeOwner) {
    super(dp, listener, from);
    this.#owner = owner;
  }

  get decision(): ForwardDecision {
    return this.#decision!;
  }

  /** the index of the chosen split in its route (-1: none chosen), for the access log */
  get split(): number {
    const d = this.#decision;
    return d === undefined ? -1 : d.route.splits.indexOf(d.split);
  }

  /** the route edits response headers: a front end forwarding heads as bytes must rewrite them */
  get editsResponse(): boolean {
    return this.#policies.response.length > 0 || (this.requestId !== '' && this.dp.requestIds?.inResponse === true);
  }

  /** Starts an exchange for a request (a reused exchange must have been finished). */
  begin(facts: ExchangeFacts): Step {
    this.#state = OPEN;
    this.#inflight = false;
    this.started = performance.now();
    this.#policies = NO_POLICIES;
    this.#policyHeaders = undefined;
    this.#decision = undefined;
    this.#attempts?.reset();
    this.#clock?.reset();
    this.sentAt = 0;
    this.#held = undefined;
    this.#ticket = undefined;
    this.takeFacts(facts);
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
    const via = viaFor(this, cluster, decision);
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
      this.#held = fault;
      this.#cut = this.#clocked().holdDelay(delay.ms, this.started, this.#decision!.timeout?.request);
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
        const flag = list[i]!.responseFlag ?? '';
        v.then(
          (r) => this.#resume(r === undefined ? this.#runPolicies(next) : this.#policyAnswer(r, flag)),
          (err: unknown) => this.#resume(this.#policyFailed(err)),
        );
        return PENDING;
      }
      return this.#policyAnswer(v, list[i]!.responseFlag ?? '');
    }
    return this.#dispatch();
  }

  #policyAnswer(reply: LocalReply, flag: string): Step {
    if (this.#state === OPEN) this.dp.metrics.policyRejections.labels(this.ingress, String(reply.status)).inc();
    this.policyFlag = flag;
    return this.#answer(reply, this.ingress, true);
  }

  /** Front ends with a body stream give it (h1.ts, h2.ts); the others have none for policies. */
  requestBody(): Readable | undefined {
    return undefined;
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
    if (cluster.policy !== undefined && this.#ticket === undefined) {
      const t = dp.backends.admit(cluster, this);
      if (!(t instanceof BackendTicket)) {
        this.decided = 'overloaded';
        return this.#answer(t, this.ingress, true);
      }
      this.#ticket = t;
      // Waits for a connection; breakerAdmitted() goes on.
      if (t.queued) return PENDING;
    }
    if (!this.#pick(cluster)) {
      dp.metrics.upstreamErrors.labels(cluster.name, 'no_endpoints').inc();
      this.decided = 'no-endpoints';
      return this.#answer(NO_ENDPOINTS, this.ingress, true);
    }
    this.headers = upstreamHeadersFor(this, this.#facts!, decision);
    this.#facts = undefined;
    if (this.#policyHeaders !== undefined) setHeaders(this.headers, this.#policyHeaders);
    // Routes without mirrors pay one length check. WebSocket handshakes are not mirrored.
    if (decision.mirrors.length > 0 && this.via !== VIA_TUNNEL) this.mirrorBody = startMirrors(dp, decision.mirrors, this);
    const timeout = decision.timeout;
    // A WebSocket tunnel lives as long as its peers want: no route timeout cuts it.
    if (timeout !== undefined && this.via !== VIA_TUNNEL) {
      const clock = this.#clocked();
      clock.start(timeout, performance.now());
      clock.arm(timeout, this.started);
    }
    if (decision.retry !== undefined) (this.#attempts ??= new Attempts()).started(dp.retryBudgets, cluster.name);
    dp.inflight++;
    this.#inflight = true;
    this.sentAt = performance.now();
    return FORWARD;
  }

  #clocked(): ExchangeClock {
    return (this.#clock ??= new ExchangeClock(this.dp.deadlines, this));
  }

  /** The cluster's circuit breaker let the queued request go on (circuit-breaker.ts). */
  breakerAdmitted(): void {
    this.#resume(this.#dispatch());
  }

  /** An endpoint of `cluster` for the next attempt (and its origin and pool for undici); false when it has none. */
  #pick(cluster: Cluster): boolean {
    if (isFunctionCluster(cluster)) return functionPick(this, cluster);
    if (this.via === VIA_RAW) {
      this.endpoint = this.dp.fast.pick(cluster);
      return this.endpoint !== undefined;
    }
    const pick = this.dp.upstreams.pick(cluster);
    this.endpoint = pick?.endpoint;
    if (pick === undefined) return false;
    this.origin = pick.origin;
    this.pool = pick.pool;
    return true;
  }

  /** A number that moves whenever bytes move either way (the idle timeout's probe); front ends override it. */
  activity(): number {
    return this.#owner?.exchangeActivity?.(this) ?? 0;
  }

  /** The deadline passed (deadlines.ts): the front end ends the exchange. */
  expire(): void {
    if (this.#state !== OPEN) return;
    if (this.#held !== undefined) return this.#resume(this.#unhold(this.#held));
    // An idle timeout whose traffic still moves is armed again.
    if (this.#clocked().expired(() => this.activity())) (this.#owner ?? this).exchangeTimedOut(this);
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
    const now = performance.now();
    if (this.firstByteAt === 0) this.firstByteAt = now;
    // A trailers-only gRPC answer carries its status in the head.
    if (this.grpcType !== undefined) this.upstreamGrpcStatus ??= grpcStatusIn(headers);
    this.upstreamResponded(now);
    const list = this.#policies.response;
    for (let i = 0; i < list.length; i++) headers = (list[i] as Required<ExchangePolicy>).onResponse(status, headers);
    return this.requestId === '' || this.dp.requestIds?.inResponse !== true ? headers : setRequestId(headers, this.requestId);
  }

  /** The route may retry this request (retry.ts): a front end keeps what it needs to resend it. */
  get retries(): boolean {
    return this.#decision?.retry !== undefined && (this.bodyless || this.replayBody !== undefined);
  }

  /** Bytes of a request body the front end should hold so that a retry can resend it; 0: none. */
  get bodyHold(): number {
    const retry = this.#decision?.retry;
    return retry === undefined || retry.attempts === 0 ? 0 : (retry.bodyLimit ?? DEFAULT_BODY_LIMIT);
  }

  /**
   * Whether to resend after `cause` (a response status before any of it went to the client, or a
   * failure before the response head): the backoff in ms, counted as a retry; or -1.
   */
  retryAfter(cause: RetryCause): number {
    const policy = this.#decision?.retry;
    if (policy === undefined || this.#state !== OPEN) return -1;
    const ms = (this.#attempts ??= new Attempts()).after(policy, this.method, this.bodyless || this.replayBody !== undefined, cause, this.dp.metrics, this.dp.retryBudgets);
    // The failed attempt counts against its endpoint (outlier detection) when another one follows.
    if (ms >= 0 && this.#ticket !== undefined) this.dp.backends.retrying(this.#ticket, this.endpoint, cause);
    return ms;
  }

  /**
   * Readies the next attempt after a retry's backoff: a new endpoint of the cluster (another one
   * when it has several), and a fresh `backendRequest` deadline. False when it has none left.
   */
  nextAttempt(): boolean {
    if (this.#state !== OPEN) return false;
    if (!this.#pick(this.cluster!)) return false;
    // The Host follows the endpoint (headers: `host` first).
    if (this.#decision!.split.autoHost) this.headers[1] = endpointHost(this.endpoint!);
    const timeout = this.#decision!.timeout;
    if (timeout?.backendRequest !== undefined && timeout.backendRequest > 0) this.#clocked().arm(timeout, this.started);
    this.sentAt = performance.now();
    return true;
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
    this.#clock?.disarm();
    if (this.#ticket !== undefined) {
      dp.backends.done(this.#ticket, this.endpoint, this.#inflight, status, outcome);
      this.#ticket = undefined;
    }
    if (this.#inflight) {
      this.#inflight = false;
      dp.inflight--;
      this.#attempts?.ended(dp.retryBudgets);
      dp.metrics.upstreamRequest(this.clusterName, status);
    }
    if (outcome !== undefined) countFailure(dp, this.clusterName, outcome);
    // One clock read for the metric and the log line (each read is ~75 ns).
    const now = performance.now();
    // A Knative probe is the gateway's own traffic (every ingress, on every listener): counted without an
    // ingress, or probing alone would make a latency histogram for each (tens of MiB at 10,000 ingresses).
    dp.metrics.request(this.listener, this.decided === 'probe' ? '' : this.ingress, status, (now - this.started) / 1000, exemplarTrace(this.span));
    // Every exchange, local or forwarded, ends through this point: its access log line (off: one read).
    // A WebSocket tunnel's line is written when it closes (tunnelClosed): 101, or 200 to an HTTP/2 extended CONNECT.
    if (dp.accessLog !== undefined) {
      if (this.via === VIA_TUNNEL && (status === 101 || status === 200)) this.tunnelStatus = status;
      else dp.accessLog.record(this, status, outcome, now);
    }
    if (this.span !== undefined) dp.tracer!.end(this, this.span, status, outcome);
  }
}
