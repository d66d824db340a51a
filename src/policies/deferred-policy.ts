// A policy whose implementation sits behind a heavy library (jose, grpc-js): the library is loaded
// with the first request the policy sees, not at start-up, so a gateway whose routes never use the
// policy never pays for it (tens of ms and MB each). Once loaded, requests go straight through.
import type { ExchangePolicy, PolicyRequest, RequestVerdict } from '../proxy/exchange-policy.ts';

export class DeferredPolicy implements ExchangePolicy {
  readonly responseFlag?: string;
  readonly #load: () => Promise<ExchangePolicy>;
  #policy: ExchangePolicy | undefined;
  #loading: Promise<ExchangePolicy> | undefined;

  /** `responseFlag`: the implementation's, known before it is loaded (the exchange reads it from this object) */
  constructor(responseFlag: string | undefined, load: () => Promise<ExchangePolicy>) {
    if (responseFlag !== undefined) this.responseFlag = responseFlag;
    this.#load = load;
  }

  onRequest(req: PolicyRequest): RequestVerdict | Promise<RequestVerdict> {
    if (this.#policy !== undefined) return this.#policy.onRequest?.(req);
    this.#loading ??= this.#load().then(
      (policy) => (this.#policy = policy),
      (err: unknown) => {
        // The next request tries again rather than failing for good.
        this.#loading = undefined;
        throw err;
      },
    );
    return this.#loading.then((policy) => policy.onRequest?.(req));
  }
}
