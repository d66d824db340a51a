// One keep-alive HTTPS agent per set of TLS credentials. client-node's applyToHTTPSOptions makes a new
// agent for every request, so every request to the API server paid a TLS handshake (about 40 ms on a
// loaded machine, the gaps between status writes); reusing connections makes a write one round trip.
// Credentials can rotate (client certificates, a CA bundle), so the agent is keyed by them.
import { createHash } from 'node:crypto';
import { Agent, type RequestOptions } from 'node:https';

type TlsMaterial = string | Buffer | Array<string | Buffer> | undefined;

const digest = (h: ReturnType<typeof createHash>, v: TlsMaterial): void => {
  for (const part of Array.isArray(v) ? v : [v]) h.update(part === undefined ? '-' : `${Buffer.byteLength(part)}:`).update(part ?? '');
  h.update('|');
};

export class AgentCache {
  #key = '';
  #agent: Agent | undefined;

  /** An agent for `opts`' TLS settings: the last one when they have not changed. */
  agentFor(opts: RequestOptions): Agent {
    const h = createHash('sha256');
    for (const v of [opts.ca, opts.cert, opts.key, opts.passphrase, opts.servername]) digest(h, v as TlsMaterial);
    digest(h, opts.pfx as TlsMaterial);
    h.update(String(opts.rejectUnauthorized));
    const key = h.digest('hex');
    if (this.#agent && key === this.#key) return this.#agent;
    this.#agent?.destroy();
    this.#key = key;
    this.#agent = new Agent({ keepAlive: true, ca: opts.ca, cert: opts.cert, key: opts.key, pfx: opts.pfx, passphrase: opts.passphrase, servername: opts.servername, ...(opts.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: opts.rejectUnauthorized }) });
    return this.#agent;
  }

  destroy(): void {
    this.#agent?.destroy();
    this.#agent = undefined;
  }
}
