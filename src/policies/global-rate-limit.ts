// The global rate limit policy: before the request goes upstream, the rate limit service
// (Envoy's protocol, global-rate-limit-grpc.ts) is asked about the request's descriptors, so every
// replica asking the same service shares one limit. Over the limit: 429. OK: the service's
// request headers go upstream. Unreachable, late or nonsense: failureMode (deny: 500, Envoy's
// status_on_error default).
import type { GlobalRateLimitPolicy } from '../snapshot/types.ts';
import type { ExchangePolicy, PolicyRequest, RequestVerdict } from '../proxy/exchange-policy.ts';
import { textReply } from '../proxy/local-reply.ts';
import { type Descriptor, descriptorsOf, outcomeOf, type RateLimitResponse } from './global-rate-limit-answer.ts';
import { shouldRateLimit } from './global-rate-limit-grpc.ts';

export const RATE_LIMIT_FAILED = textReply(500, 'rate limit service failed');

/** How the policy reaches its service (the gRPC client; tests may pass another). */
export type AskService = (address: string, domain: string, descriptors: readonly Descriptor[], timeoutMs: number) => Promise<RateLimitResponse>;

export class GlobalRateLimit implements ExchangePolicy {
  constructor(
    readonly policy: GlobalRateLimitPolicy,
    readonly ask: AskService = shouldRateLimit,
  ) {}

  onRequest(req: PolicyRequest): RequestVerdict | Promise<RequestVerdict> {
    let descriptors: Descriptor[];
    try {
      descriptors = descriptorsOf(this.policy, req);
    } catch {
      return this.#failed();
    }
    // Nothing to ask about (every descriptor lacked a value): Envoy makes no call either.
    if (descriptors.length === 0) return undefined;
    const { service, domain, timeout } = this.policy;
    return this.ask(service, domain, descriptors, timeout).then(
      (res): RequestVerdict => {
        const o = outcomeOf(res);
        if (o.kind === 'limited') return o.reply;
        if (o.kind === 'error') return this.#failed();
        if (o.upstreamHeaders.length > 0) req.setUpstreamHeaders(o.upstreamHeaders);
        return undefined;
      },
      () => this.#failed(),
    );
  }

  #failed(): RequestVerdict {
    return this.policy.failureMode === 'deny' ? RATE_LIMIT_FAILED : undefined;
  }
}
