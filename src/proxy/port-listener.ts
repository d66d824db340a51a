// One Gateway API port's socket: the same sniffing plain listener as --http (HTTP/1.1 fast path,
// h2c by prior knowledge) or, for HTTPS, TLS with ALPN h2/http1.1 and the port's own certificates
// chosen by SNI (the first is the default). Its front ends route with the port's name as listener
// kind, so requests use the router's host table for that port and metrics carry the port's name.
import type net from 'node:net';
import type tls from 'node:tls';
import type { ProxyReadOptions } from '../net/proxy-protocol-reader.ts';
import { DEFAULT_TLS, type TlsParams } from './listener-settings.ts';
import type { PortListener, TlsCertificate } from '../snapshot/types.ts';
import { createFastH1Handler, type FastH1Handler } from './fast/server.ts';
import { Frontend, type FrontendDeps } from './frontend.ts';
import { closeGracefully, type ListenerContext, type ListenerLimits, listen } from './listeners.ts';
import { createPlainListener } from './plain-listener.ts';
import { createTlsListener, type KeyPairPem, noSniContext, TlsContexts } from './tls.ts';

/** What every port's socket is built from (the Gateway's data plane and settings). */
export interface PortServing {
  readonly deps: FrontendDeps;
  readonly limits: ListenerLimits;
  /** HTTP/1.1 through the raw-socket fast path (default true) */
  readonly fastPath?: boolean;
  readonly normalizePath?: boolean;
  /** a certificate Node cannot load, or a name the snapshot does not hold */
  readonly onCertificateError?: (port: string, cert: string, message: string) => void;
  readonly onClientError?: (port: string, err: Error) => void;
  /** asked per connection: read a PROXY protocol header first (undefined: none expected) */
  readonly proxyProtocol?: () => ProxyReadOptions | undefined;
  /** an HTTPS port's TLS versions and cipher suites when it is bound (updateTlsParams after) */
  readonly tlsParams?: () => TlsParams;
}

export class PortSocket {
  readonly port: PortListener;
  readonly ctx: ListenerContext;
  readonly #fe: Frontend;
  readonly #fast: FastH1Handler | undefined;
  readonly #server: net.Server;
  readonly #certs: TlsContexts | undefined;
  readonly #serving: PortServing;
  /** every accepted connection, to cut what is left when a drain ends */
  readonly #conns = new Set<net.Socket>();
  #closing: Promise<void> | undefined;
  #address = '';
  #tlsParams: TlsParams;

  constructor(port: PortListener, tlsCerts: readonly TlsCertificate[], serving: PortServing) {
    this.port = port;
    this.#serving = serving;
    this.#tlsParams = serving.tlsParams?.() ?? DEFAULT_TLS;
    const secure = port.protocol === 'HTTPS';
    this.ctx = { name: port.name, kind: port.name, secure, normalizePath: serving.normalizePath !== false };
    this.#fe = new Frontend(serving.deps, this.ctx);
    if (serving.fastPath !== false) {
      this.#fast = createFastH1Handler(serving.deps.dp, this.ctx, serving.limits, this.#fe.http1Server);
      this.#fe.http1 = this.#fast;
    }
    const fe = this.#fe;
    if (secure) {
      const ca = port.clientValidation?.caCertificates;
      this.#certs = new TlsContexts(undefined, { firstIsDefault: true, ...(ca !== undefined && { ca }) });
      this.#loadCertificates(port, tlsCerts);
      this.#server = createTlsListener({
        contexts: this.#certs,
        handshakeTimeout: serving.limits.headersTimeout,
        http1: (s) => fe.http1(s),
        h2: fe.h2,
        onClientError: (err) => serving.onClientError?.(port.name, err),
        ...(port.clientValidation !== undefined && { clientValidation: port.clientValidation }),
        ...(serving.proxyProtocol !== undefined && { proxyProtocol: serving.proxyProtocol }),
        params: this.#tlsParams,
      });
    } else {
      this.#server = createPlainListener({ http1: (s) => fe.http1(s), h2: fe.h2, firstBytesTimeout: serving.limits.headersTimeout, ...(serving.proxyProtocol !== undefined && { proxyProtocol: serving.proxyProtocol }) });
    }
    serving.deps.dp.metrics.countConnections(this.#server, port.name);
    this.#server.on('connection', (s: net.Socket) => {
      this.#conns.add(s);
      s.once('close', () => this.#conns.delete(s));
    });
  }

  /** Binds `address:port`; rejects with a SluiceError naming the port (in use, permission). */
  async listen(): Promise<string> {
    this.#address = await listen(this.#server, { host: this.port.address, port: this.port.port }, this.port.name);
    return this.#address;
  }

  /** `host:port` once bound */
  get address(): string {
    return this.#address;
  }

  /** A changed certificate list or Secret applies to the next handshake; the socket stays. */
  updateCertificates(port: PortListener, tlsCerts: readonly TlsCertificate[]): void {
    if (!this.#certs) return;
    const before = this.#certs.defaultCert;
    this.#loadCertificates(port, tlsCerts);
    const after = this.#certs.defaultCert;
    // Clients that send no SNI get the server's own context, not the SNI callback's (none left: they fail).
    if (!samePair(before, after)) (this.#server as tls.Server).setSecureContext(noSniContext(after, port.clientValidation?.caCertificates, this.#tlsParams));
  }

  /** New TLS versions or cipher suites (config-sluice): the next handshake offers them. */
  updateTlsParams(params: TlsParams): void {
    this.#tlsParams = params;
    if (this.#certs) (this.#server as tls.Server).setSecureContext(noSniContext(this.#certs.defaultCert, this.port.clientValidation?.caCertificates, params));
  }

  #loadCertificates(port: PortListener, tlsCerts: readonly TlsCertificate[]): void {
    const byName = new Map(tlsCerts.map((c) => [c.name, c]));
    const certs: TlsCertificate[] = [];
    for (const name of port.certificates) {
      const c = byName.get(name);
      if (c) certs.push(c);
      else this.#serving.onCertificateError?.(port.name, name, 'not in the configuration');
    }
    this.#certs!.load(certs, (c, err) => this.#serving.onCertificateError?.(port.name, c.name, err.message));
  }

  /**
   * Stops accepting at once; requests in flight finish (HTTP/2 clients get GOAWAY, idle keep-alive
   * connections close) until `deadlineMs`, then whatever is left (tunnels, slow streams) is cut.
   */
  close(deadlineMs: number): Promise<void> {
    this.#closing ??= (async () => {
      const accepting = new Promise<void>((r) => this.#server.close(() => r()));
      const fe = this.#fe;
      fe.shutdownSessions(deadlineMs);
      this.#fast?.drain();
      // Waits while this port has connections and some request is in flight (the data plane counts
      // them all) or an HTTP/2 client may still send one (between its GOAWAYs): with none, what is
      // left here is idle or silent and is cut at once.
      const dp = this.#serving.deps.dp;
      await closeGracefully([fe.http1Server], () => (this.#conns.size > 0 ? dp.inflight + fe.h2Settling : 0), deadlineMs);
      fe.destroySessions();
      this.#fast?.destroy();
      for (const s of this.#conns) s.destroy();
      await accepting;
    })();
    return this.#closing;
  }
}

function samePair(a: KeyPairPem | undefined, b: KeyPairPem | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.cert === b.cert && a.key === b.key);
}
