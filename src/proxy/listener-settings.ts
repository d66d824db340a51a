// Gateway-wide listener settings: which listeners expect a PROXY protocol header, how many proxies
// in front are trusted for X-Forwarded-For, and the TLS versions and ciphers offered. They come from
// `serve` flags and the `config-sluice` ConfigMap (src/sources/config-sluice.ts) and may change while
// running: listeners read them for each new connection, the exchange for each request.
import type { ProxyReadOptions } from '../net/proxy-protocol-reader.ts';
import type { GatewayDefaults } from '../snapshot/types.ts';

/** The listeners PROXY protocol is switched on for by name; `gateway` is every Gateway API port. */
export const PROXY_LISTENERS = ['http', 'https', 'local', 'gateway'] as const;
export type ProxyListenerName = (typeof PROXY_LISTENERS)[number];

export type TlsMinVersion = 'TLSv1.2' | 'TLSv1.3';

export interface TlsParams {
  readonly minVersion: TlsMinVersion;
  /** OpenSSL names, in order of preference; empty: Node's defaults */
  readonly cipherSuites: readonly string[];
}

export interface ListenerSettings {
  readonly proxyProtocol: ReadonlySet<ProxyListenerName>;
  /** Envoy's xff_num_trusted_hops: proxies in front whose X-Forwarded-For entries are believed */
  readonly trustedHops: number;
  readonly tls: TlsParams;
}

export const DEFAULT_TLS: TlsParams = Object.freeze({ minVersion: 'TLSv1.2', cipherSuites: Object.freeze([]) });
export const defaultListenerSettings: ListenerSettings = Object.freeze({ proxyProtocol: new Set<ProxyListenerName>(), trustedHops: 0, tls: DEFAULT_TLS });

export function sameTls(a: TlsParams, b: TlsParams): boolean {
  return a.minVersion === b.minVersion && a.cipherSuites.join(':') === b.cipherSuites.join(':');
}

/** `config-sluice`'s settings over the flags': each key set there wins, each absent one leaves the flag's. */
export function withDefaults(flags: ListenerSettings, d: GatewayDefaults | undefined): ListenerSettings {
  if (d === undefined) return flags;
  return {
    proxyProtocol: d.proxyProtocol === undefined ? flags.proxyProtocol : new Set(d.proxyProtocol as ProxyListenerName[]),
    trustedHops: d.trustedHops ?? flags.trustedHops,
    tls: { minVersion: d.tlsMinVersion ?? flags.tls.minVersion, cipherSuites: d.cipherSuites ?? flags.tls.cipherSuites },
  };
}

function sameSettings(a: ListenerSettings, b: ListenerSettings): boolean {
  return a.trustedHops === b.trustedHops && sameTls(a.tls, b.tls) && [...a.proxyProtocol].sort().join() === [...b.proxyProtocol].sort().join();
}

/** The settings in force, swapped whole; each listener asks for what it needs when a connection comes. */
export class LiveListenerSettings {
  /** what the flags say */
  readonly flags: ListenerSettings;
  #current: ListenerSettings;
  readonly #subscribers = new Set<(next: ListenerSettings, previous: ListenerSettings) => void>();
  /** ms a PROXY header may take (the listeners' --header-timeout) */
  readonly #headerTimeoutMs: number;

  constructor(initial: ListenerSettings = defaultListenerSettings, headerTimeoutMs = 20_000) {
    this.flags = initial;
    this.#current = initial;
    this.#headerTimeoutMs = headerTimeoutMs;
  }

  get current(): ListenerSettings {
    return this.#current;
  }

  /** The flags with `config-sluice`'s settings over them (a snapshot's gatewayDefaults); true when that changed anything. */
  applyDefaults(d: GatewayDefaults | undefined): boolean {
    const next = withDefaults(this.flags, d);
    if (sameSettings(next, this.#current)) return false;
    this.set(next);
    return true;
  }

  set(next: ListenerSettings): void {
    const previous = this.#current;
    this.#current = next;
    for (const s of this.#subscribers) s(next, previous);
  }

  subscribe(fn: (next: ListenerSettings, previous: ListenerSettings) => void): () => void {
    this.#subscribers.add(fn);
    return () => this.#subscribers.delete(fn);
  }

  /** What a listener asks per connection: read a PROXY header first, or not. */
  proxyProtocolFor(listener: ProxyListenerName, onRefused?: (why: string) => void): () => ProxyReadOptions | undefined {
    const options: ProxyReadOptions = { timeoutMs: this.#headerTimeoutMs, ...(onRefused !== undefined && { onRefused }) };
    return () => (this.#current.proxyProtocol.has(listener) ? options : undefined);
  }
}
