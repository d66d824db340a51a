// The local rate limit policy: one token bucket per route, client address or header value, and a
// 429 with the IETF RateLimit headers (draft-ietf-httpapi-ratelimit-headers: `RateLimit-Policy`
// names the quota and its window, `RateLimit` what is left and when to come back) and Retry-After.
import { createHash } from 'node:crypto';
import type { RateLimitPolicy } from '../snapshot/types.ts';
import type { ExchangePolicy, PolicyRequest, RequestVerdict } from '../proxy/exchange-policy.ts';
import { textReply } from '../proxy/local-reply.ts';
import { rawHeader } from '../proxy/raw-headers.ts';
import { TokenBuckets } from './token-buckets.ts';

const UNIT_SECONDS: Readonly<Record<RateLimitPolicy['unit'], number>> = { second: 1, minute: 60, hour: 3600 };

/** The bucket key of a request: one string per client, header value or route. */
type KeyOf = (req: PolicyRequest) => string;

// A key longer than this is kept as its digest: 10,000 buckets of hostile 64 KiB header values
// would otherwise hold most of a gigabyte.
const MAX_KEY = 64;
const bounded = (key: string): string => (key.length <= MAX_KEY ? key : createHash('sha256').update(key).digest('base64'));

function keyFunction(key: RateLimitPolicy['key']): KeyOf {
  if (key === 'route') return () => '';
  if (key === 'client') return (req) => req.clientAddress ?? '';
  const name = key.slice('header:'.length).toLowerCase();
  // Requests without the header share one bucket, so leaving it out buys nothing.
  return (req) => bounded(rawHeader(req.raw, name) ?? '');
}

export class LocalRateLimit implements ExchangePolicy {
  readonly responseFlag = 'RL';
  readonly #buckets: TokenBuckets;
  readonly #keyOf: KeyOf;
  readonly #policyHeader: string;

  constructor(
    readonly policy: RateLimitPolicy,
    readonly now: () => number = performance.now.bind(performance),
  ) {
    const window = UNIT_SECONDS[policy.unit];
    this.#buckets = new TokenBuckets({ rate: policy.requests / window, capacity: Math.max(policy.burst, 1) });
    this.#keyOf = keyFunction(policy.key);
    this.#policyHeader = `"local";q=${policy.requests};w=${window}`;
  }

  /** the length of the longest bucket key held (tests) */
  longestKey(): number {
    return this.#buckets.longestKey();
  }

  onRequest(req: PolicyRequest): RequestVerdict {
    const t = this.#buckets.take(this.#keyOf(req), this.now());
    if (t.ok) return undefined;
    const after = String(t.retryAfterSeconds);
    return textReply(429, 'rate limit exceeded', [
      ['ratelimit-policy', this.#policyHeader],
      ['ratelimit', `"local";r=0;t=${after}`],
      ['retry-after', after],
    ]);
  }
}
