// The origins a data plane's pools keep: the snapshot's (LiveOrigins) and the function host's,
// which no snapshot cluster names, so a snapshot swap never closes the pool to the host.
import { LiveOrigins } from '../proxy/live-origins.ts';
import type { FunctionHost } from './host.ts';

export class LiveOriginsWithHost extends LiveOrigins {
  readonly #host: FunctionHost;

  constructor(host: FunctionHost) {
    super();
    this.#host = host;
  }

  override has(origin: string): boolean {
    return origin === this.#host.origin || super.has(origin);
  }
}
