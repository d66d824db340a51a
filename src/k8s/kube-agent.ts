// One keep-alive HTTPS agent per set of TLS credentials. A new agent per request (as client-node made)
// paid a TLS handshake on every request to the API server (about 40 ms on a loaded machine, the gaps
// between status writes); reusing connections makes a write one round trip. Credentials can rotate
// (client certificates, a CA bundle), so the agent is keyed by them. A cluster's `proxy-url` (an
// http:// proxy) is reached with CONNECT, and TLS to the API server runs inside the tunnel.
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { Agent, type AgentOptions, type RequestOptions } from 'node:https';
import { type Duplex, PassThrough } from 'node:stream';
import { type ConnectionOptions, connect as tlsConnect } from 'node:tls';
import type { TlsMaterial } from './kube-credentials.ts';

/** An HTTPS agent whose connections go through an HTTP proxy's CONNECT tunnel. */
class TunnelAgent extends Agent {
  constructor(
    readonly proxy: URL,
    opts: AgentOptions,
  ) {
    super(opts);
  }

  override createConnection(options: RequestOptions, callback?: (err: Error | null, stream: Duplex) => void): undefined {
    const done = callback!;
    const target = `${options.host}:${options.port}`;
    const auth = this.proxy.username ? { 'proxy-authorization': `Basic ${Buffer.from(`${decodeURIComponent(this.proxy.username)}:${decodeURIComponent(this.proxy.password)}`).toString('base64')}` } : {};
    const req = httpRequest({ host: this.proxy.hostname.replace(/^\[|\]$/g, ''), port: this.proxy.port || 80, method: 'CONNECT', path: target, headers: { host: target, ...auth }, timeout: 15_000 });
    req.once('connect', (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        return done(new Error(`proxy ${this.proxy.host} refused CONNECT ${target}: ${res.statusCode}`), socket);
      }
      done(null, tlsConnect({ ...(options as ConnectionOptions), socket }));
    });
    req.once('timeout', () => req.destroy(new Error(`proxy ${this.proxy.host}: no answer to CONNECT in 15 s`)));
    req.once('error', (err) => done(err, req.socket ?? new PassThrough()));
    req.end();
    return undefined;
  }
}

export class AgentCache {
  #key = '';
  #agent: Agent | undefined;

  /** An agent for these TLS settings (and proxy): the last one when they have not changed. */
  agentFor(tls: TlsMaterial, proxyUrl?: string): Agent {
    const h = createHash('sha256');
    for (const v of [tls.ca, tls.cert, tls.key, tls.servername, proxyUrl]) h.update(v === undefined ? '-' : `${Buffer.byteLength(v)}:`).update(v ?? '');
    h.update(String(tls.rejectUnauthorized));
    const key = h.digest('hex');
    if (this.#agent && key === this.#key) return this.#agent;
    this.#agent?.destroy();
    this.#key = key;
    const opts: AgentOptions = { keepAlive: true, ca: tls.ca, cert: tls.cert, key: tls.key, servername: tls.servername, ...(tls.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: tls.rejectUnauthorized }) };
    this.#agent = proxyUrl ? new TunnelAgent(new URL(proxyUrl), opts) : new Agent(opts);
    return this.#agent;
  }

  destroy(): void {
    this.#agent?.destroy();
    this.#agent = undefined;
  }
}
