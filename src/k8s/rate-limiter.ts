// A token bucket for requests to the API server, as client-go's QPS/burst: up to `burst` requests at
// once after a quiet spell, then `qps` a second. Waiters are served in order by one timer, so a
// thousand queued status writes cost one timer, not a thousand.
import { SluiceError } from '../errors.ts';

export interface RateLimit {
  /** sustained requests per second */
  readonly qps: number;
  /** requests allowed at once after a quiet spell */
  readonly burst: number;
}

/** Higher than client-go's 5/10: a gateway's leader writes one status per ingress, thousands at a restart. */
export const DEFAULT_RATE_LIMIT: RateLimit = { qps: 150, burst: 300 };

export function checkRateLimit(limit: RateLimit): RateLimit {
  if (!(Number.isFinite(limit.qps) && limit.qps > 0)) throw new SluiceError('SLUICE_ERR_BAD_FLAG', `--kube-api-qps: must be a number above 0 (got ${limit.qps})`);
  if (!(Number.isInteger(limit.burst) && limit.burst >= 1)) throw new SluiceError('SLUICE_ERR_BAD_FLAG', `--kube-api-burst: must be a whole number of at least 1 (got ${limit.burst})`);
  return limit;
}

export class TokenBucket {
  readonly #limit: RateLimit;
  readonly #now: () => number;
  #tokens: number;
  #at: number;
  readonly #waiters: Array<() => void> = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(limit: RateLimit, now: () => number = () => performance.now()) {
    this.#limit = checkRateLimit(limit);
    this.#now = now;
    this.#tokens = limit.burst;
    this.#at = now();
  }

  /** Resolves when one request may go. */
  take(): Promise<void> {
    this.#refill();
    if (this.#waiters.length === 0 && this.#tokens >= 1) {
      this.#tokens -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.#waiters.push(resolve);
      this.#schedule();
    });
  }

  #refill(): void {
    const now = this.#now();
    this.#tokens = Math.min(this.#limit.burst, this.#tokens + ((now - this.#at) / 1000) * this.#limit.qps);
    this.#at = now;
  }

  #schedule(): void {
    if (this.#timer) return;
    const wait = Math.max(1, Math.ceil(((1 - this.#tokens) / this.#limit.qps) * 1000));
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#refill();
      while (this.#waiters.length > 0 && this.#tokens >= 1) {
        this.#tokens -= 1;
        this.#waiters.shift()!();
      }
      if (this.#waiters.length > 0) this.#schedule();
    }, wait);
    // Never keep a stopping process alive for a queued request.
    this.#timer.unref();
  }
}
