// One gateway process: a source feeding the pipeline, the data plane listeners, and the admin
// endpoint. `sluice serve`, `sluice demo` and the end-to-end tests all start it through here.
import type { AdminToken } from './admin/auth.ts';
import type { AccessLog } from './observe/access-log.ts';
import type { RequestIds } from './observe/request-id.ts';
import type { Tracing } from './observe/trace-export.ts';
import type http from 'node:http';
import type net from 'node:net';
import type tls from 'node:tls';
import { followSnapshots, withFunctionDiscovery } from './functions/discovery/attach.ts';
import type { DiscoveringSource } from './functions/discovery/source.ts';
import { createHealthServer, type Readiness } from './admin/health.ts';
import { createAdminServer } from './admin/server.ts';
import type { Logger } from './log.ts';
import type { IngressStatusReport, Snapshot } from './snapshot/types.ts';
import { type HostPort, parseAddress } from './net/address.ts';
import { Pipeline } from './pipeline.ts';
import { DataPlane } from './proxy/dataplane.ts';
import { createFastH1Handler, type FastH1Handler } from './proxy/fast/server.ts';
import { Frontend, type FrontendDeps } from './proxy/frontend.ts';
import { GatewayPorts, type ReservedAddress } from './proxy/gateway-ports.ts';
import type { ListenerContext } from './proxy/listeners.ts';
import { defaultH2Limits } from './proxy/h2.ts';
import { H2Upstreams } from './proxy/h2-upstream.ts';
import { closeGracefully, defaultLimits, listen, type ListenerLimits } from './proxy/listeners.ts';
import { type ListenerSettings, LiveListenerSettings, type ProxyListenerName, sameTls } from './proxy/listener-settings.ts';
import { Metrics } from './metrics.ts';
import { createPlainListener } from './proxy/plain-listener.ts';
import { createTlsListener, type KeyPairPem, noSniContext, TlsContexts } from './proxy/tls.ts';
import { Upstreams } from './proxy/upstreams.ts';
import { Tunnels } from './proxy/websocket.ts';
import type { Source } from './sources/types.ts';
import type { TranslateOptions } from './translate/options.ts';

export interface GatewayOptions {
  readonly source: Source;
  readonly translate: TranslateOptions;
  readonly http?: HostPort;
  readonly https?: HostPort;
  /** certificate for TLS clients whose SNI names no spec.tls host (or that send none) */
  readonly defaultCert?: KeyPairPem;
  readonly local?: HostPort;
  readonly admin?: HostPort;
  /** required by the admin endpoint (but for /ready and /live) as `Authorization: Bearer <token>` */
  readonly adminToken?: AdminToken;
  /** the kubelet's health port: /ready and /live only */
  readonly health?: HostPort;
  readonly limits?: ListenerLimits;
  /** ms that in-flight requests get to finish on shutdown */
  readonly drainTimeout?: number;
  readonly log: Logger;
  /** the configuration pipeline's logger, when not `log` (a `--workers` worker's: see worker.ts) */
  readonly configLog?: Logger;
  /** export Node process metrics (off in tests that run several gateways in one process) */
  readonly processMetrics?: boolean;
  /** listeners serve HTTP/1.1 through the raw-socket fast path, node:http behind it (default true) */
  readonly fastPath?: boolean;
  /** normalise request paths before routing and forwarding (default true) */
  readonly normalizePath?: boolean;
  /**
   * bind the listeners only once the first configuration is served (a `--workers` worker: the
   * cluster primary hands a worker connections as soon as it listens)
   */
  readonly listenAfterConfig?: boolean;
  /** addresses other processes of this gateway hold, which no Gateway API port may take (a worker: its primary's --admin, --health) */
  readonly reserved?: readonly ReservedAddress[];
  /** one line per finished exchange (src/observe/access-log.ts); its owner closes it after stop() */
  readonly accessLog?: AccessLog;
  /** make or keep an x-request-id per request (src/observe/request-id.ts); absent: ids pass as sent */
  readonly requestIds?: RequestIds;
  /** request and translation spans exported over OTLP (src/observe/trace-export.ts); its owner closes it after stop() */
  readonly tracing?: Tracing;
  /** PROXY protocol, trusted hops, TLS versions and ciphers (flags, then config-sluice); default: none of them */
  readonly listenerSettings?: LiveListenerSettings;
}

export interface GatewayAddresses {
  http?: string;
  https?: string;
  local?: string;
  admin?: string;
  health?: string;
}

export class Gateway {
  readonly pipeline: Pipeline;
  readonly dataPlane: DataPlane;
  readonly metrics: Metrics;
  readonly addresses: GatewayAddresses = {};
  readonly h2Upstreams = new H2Upstreams();
  readonly tls: TlsContexts;
  readonly listenerSettings: LiveListenerSettings;
  readonly #tunnels = new Tunnels();
  /** the sockets the listeners accept on */
  readonly #listeners: net.Server[] = [];
  readonly #frontends: Frontend[] = [];
  readonly #fast: FastH1Handler[] = [];
  /** the --https listener, whose no-SNI context follows the default certificate */
  #httpsServer: tls.Server | undefined;
  #unsubscribe: (() => void) | undefined;
  /** the Gateway API ports (snapshot.ports), bound once the fixed listeners are */
  #ports: GatewayPorts | undefined;
  #admin: http.Server | undefined;
  #health: http.Server | undefined;
  /** set when shutdown begins: readiness fails from then on, even while requests are still served */
  #shuttingDown = false;
  readonly #options: GatewayOptions;
  #stopping: Promise<void> | undefined;
  #statusView: (() => readonly IngressStatusReport[]) | undefined;
  /** Gloo function discovery, between the source and the pipeline */
  readonly #discovery: DiscoveringSource;
  readonly #unfollowDiscovery: () => void;

  private constructor(options: GatewayOptions) {
    this.#options = options;
    this.metrics = new Metrics({ processMetrics: options.processMetrics });
    this.#discovery = withFunctionDiscovery(options.source, options.log);
    this.pipeline = new Pipeline(this.#discovery, options.translate, options.configLog ?? options.log, this.metrics);
    this.#unfollowDiscovery = followSnapshots(this.#discovery, this.pipeline.feed);
    this.dataPlane = new DataPlane(this.pipeline.feed, new Upstreams(), this.metrics, options.log, options.limits ?? defaultLimits);
    this.dataPlane.accessLog = options.accessLog;
    this.dataPlane.requestIds = options.requestIds;
    this.listenerSettings = options.listenerSettings ?? new LiveListenerSettings(undefined, (options.limits ?? defaultLimits).headersTimeout);
    this.dataPlane.trustedHops = this.listenerSettings.current.trustedHops;
    this.listenerSettings.subscribe((next) => (this.dataPlane.trustedHops = next.trustedHops));
    this.dataPlane.pools.push(() => this.h2Upstreams.connectionsByOrigin());
    options.accessLog?.countDropsIn(this.metrics.registry);
    if (options.tracing !== undefined) {
      this.dataPlane.tracer = options.tracing.requests;
      this.pipeline.onTranslated = (t) => options.tracing!.translated(t);
      options.tracing.countDropsIn(this.metrics.registry);
    }
    this.tls = new TlsContexts(options.defaultCert);
    // Certificates and h2c sessions follow the snapshot like the router does.
    this.#unsubscribe = this.pipeline.feed.subscribe((change) => {
      this.#applyGatewayDefaults(change.snapshot);
      this.tls.update(change.snapshot, (cert, err) => options.log.warn({ secret: cert.name, err: err.message }, 'TLS certificate not usable; skipped'));
      // follow() is idempotent: whichever subscriber runs first brings it to this snapshot
      this.dataPlane.live.follow(change);
      this.h2Upstreams.prune(this.dataPlane.live);
    });
  }

  static async start(options: GatewayOptions): Promise<Gateway> {
    const gw = new Gateway(options);
    try {
      await gw.#start();
    } catch (err) {
      await gw.stop();
      throw err;
    }
    return gw;
  }

  async #start(): Promise<void> {
    const { log } = this.#options;
    const limits = this.#options.limits ?? defaultLimits;
    if (this.#options.admin) {
      this.#admin = createAdminServer({
        feed: this.pipeline.feed,
        metrics: this.metrics,
        rejections: () => this.pipeline.rejections,
        statuses: () => this.#statusView?.() ?? this.pipeline.feed.statuses(),
        objectStatuses: () => this.pipeline.result?.objectStatuses ?? [],
        functionDiscovery: () => this.#discovery.reports(),
        readiness: () => this.readiness(),
        resources: () => this.pipeline.resources,
        listenerAddresses: () => ({ externalAddress: this.addresses.http ?? '0.0.0.0:8080', externalTlsAddress: this.addresses.https ?? '0.0.0.0:8443', localAddress: this.addresses.local ?? '0.0.0.0:8081' }),
        ...(this.#options.adminToken !== undefined && { token: this.#options.adminToken }),
        backends: () => this.dataPlane.backends.report(this.pipeline.feed.current()?.clusters ?? []),
      });
      this.addresses.admin = await listen(this.#admin, this.#options.admin, '--admin');
      log.info({ listener: 'admin', address: this.addresses.admin }, 'listening');
    }
    if (this.#options.health) {
      // Up before the first full read, so liveness holds through a slow first sync.
      const registry = this.metrics.registry;
      this.#health = createHealthServer(() => this.readiness(), { contentType: registry.contentType, text: () => registry.metrics(), openMetrics: () => this.metrics.openMetrics() });
      this.addresses.health = await listen(this.#health, this.#options.health, '--health');
      log.info({ listener: 'health', address: this.addresses.health }, 'listening');
    }
    if (this.#options.listenAfterConfig) await this.pipeline.start();
    const h2Limits = { ...limits, ...defaultH2Limits };
    const deps = { dp: this.dataPlane, h2: this.h2Upstreams, tunnels: this.#tunnels, limits: h2Limits };
    const normalizePath = this.#options.normalizePath !== false;
    const httpCtx: ListenerContext = { name: 'http', kind: 'external', secure: false, normalizePath };
    const plain: Array<[HostPort | undefined, ListenerContext, '--http' | '--local']> = [
      [this.#options.http, httpCtx, '--http'],
      [this.#options.local, { name: 'local', kind: 'local', secure: false, normalizePath }, '--local'],
    ];
    const bound: Array<[string, string]> = [];
    for (const [addr, ctx, flag] of plain) {
      if (!addr) continue;
      const fe = new Frontend(deps, ctx);
      this.#frontends.push(fe);
      this.#useFastPath(fe, limits);
      const proxyProtocol = this.#proxyProtocol(ctx.name as 'http' | 'local');
      const server = createPlainListener({ http1: (s) => fe.http1(s), h2: fe.h2, firstBytesTimeout: limits.headersTimeout, proxyProtocol });
      this.#listeners.push(server);
      this.metrics.countConnections(server, ctx.name);
      const address = await listen(server, addr, flag);
      this.addresses[ctx.name as 'http' | 'local'] = address;
      bound.push([ctx.name, address]);
    }
    if (this.#options.https) {
      const fe = new Frontend(deps, { name: 'https', kind: 'external', secure: true, normalizePath });
      this.#frontends.push(fe);
      this.#useFastPath(fe, limits);
      const server = createTlsListener({
        contexts: this.tls,
        handshakeTimeout: limits.headersTimeout,
        http1: (s) => fe.http1(s),
        h2: fe.h2,
        onClientError: (err) => log.debug({ listener: 'https', err: err.message }, 'TLS handshake failed'),
        proxyProtocol: this.#proxyProtocol('https'),
        params: this.listenerSettings.current.tls,
      });
      this.#httpsServer = server;
      this.#followTlsParams((params) => server.setSecureContext(noSniContext(this.tls.defaultCert, undefined, params)));
      this.#listeners.push(server);
      this.metrics.countConnections(server, 'https');
      const address = await listen(server, this.#options.https, '--https');
      this.addresses.https = address;
      bound.push(['https', address]);
      // Redirects from the plain listener name the HTTPS listener's port (left out when 443).
    }
    this.#followPorts(deps, limits, normalizePath);
    // Read every source fully before announcing the data plane (never serve an empty snapshot).
    if (!this.#options.listenAfterConfig) await this.pipeline.start();
    for (const [listener, address] of bound) log.info({ listener, address }, 'listening');
  }

  /**
   * Gateway API ports follow the snapshot from here on. Started after the fixed listeners are bound,
   * so a port never takes one of their addresses (their `:0` ports are resolved by now) and `/ready`
   * never waits for a port.
   */
  #followPorts(deps: FrontendDeps, limits: ListenerLimits, normalizePath: boolean): void {
    const { log } = this.#options;
    const reserved: ReservedAddress[] = [...(this.#options.reserved ?? [])];
    for (const name of ['http', 'https', 'local', 'admin', 'health'] as const) {
      const bound = this.addresses[name];
      if (bound) reserved.push({ flag: `--${name}`, address: parseAddress(bound, `--${name}`) });
    }
    this.#ports = new GatewayPorts({
      deps,
      limits,
      fastPath: this.#options.fastPath,
      normalizePath,
      log,
      reserved,
      drainTimeout: this.#options.drainTimeout ?? 30_000,
      proxyProtocol: this.#proxyProtocol('gateway'),
      tlsParams: () => this.listenerSettings.current.tls,
    });
    const ports = this.#ports;
    this.#followTlsParams((params) => ports.updateTlsParams(params));
    this.#ports.follow(this.pipeline.feed);
  }

  /** config-sluice's settings (the snapshot's gatewayDefaults) over the flags; new connections and requests see them. */
  #applyGatewayDefaults(snapshot: Snapshot): void {
    this.#applyDefaultCertificate(snapshot);
    if (!this.listenerSettings.applyDefaults(snapshot.gatewayDefaults)) return;
    const s = this.listenerSettings.current;
    this.#options.log.info({ proxyProtocol: [...s.proxyProtocol].sort(), trustedHops: s.trustedHops, tlsMinVersion: s.tls.minVersion, cipherSuites: s.tls.cipherSuites }, 'listener settings changed (config-sluice)');
  }

  /** config-sluice's default-certificate over --default-cert: the certificate of TLS clients whose SNI names none. */
  #applyDefaultCertificate(snapshot: Snapshot): void {
    const name = snapshot.gatewayDefaults?.defaultCertificate;
    const cert = name === undefined ? undefined : snapshot.tls.find((c) => c.name === name && c.gateway !== true);
    const pair = cert ? { cert: cert.certChain, key: cert.privateKey } : this.#options.defaultCert;
    const now = this.tls.defaultCert;
    if (pair === now || (pair !== undefined && now !== undefined && pair.cert === now.cert && pair.key === now.key)) return;
    try {
      this.tls.setDefault(pair);
    } catch (err) {
      this.#options.log.warn({ secret: name, err: (err as Error).message }, 'default certificate not usable; keeping the one before');
      return;
    }
    this.#httpsServer?.setSecureContext(noSniContext(pair, undefined, this.listenerSettings.current.tls));
    this.#options.log.info({ secret: name ?? '--default-cert' }, 'default certificate changed');
  }

  /** Calls `apply` whenever the TLS versions or cipher suites change (config-sluice). */
  #followTlsParams(apply: (params: ListenerSettings['tls']) => void): void {
    this.listenerSettings.subscribe((next, previous) => {
      if (!sameTls(next.tls, previous.tls)) apply(next.tls);
    });
  }

  /** Whether a listener's connections start with a PROXY header, asked per connection (config-sluice may change it). */
  #proxyProtocol(listener: ProxyListenerName) {
    const { log } = this.#options;
    return this.listenerSettings.proxyProtocolFor(listener, (why) => log.debug({ listener, err: why }, 'connection closed: PROXY protocol header required'));
  }

  /** Ready once the first snapshot is served, until shutdown begins. */
  readiness(): Readiness {
    if (this.#shuttingDown) return { ready: false, reason: 'shutting down' };
    return this.pipeline.feed.current() ? { ready: true } : { ready: false, reason: 'no configuration served yet' };
  }

  /**
   * First step of a shutdown: fail readiness while still serving, so load balancers and Kubernetes
   * endpoints stop sending new traffic before the listeners close (see stop()).
   */
  failReadiness(): void {
    this.#shuttingDown = true;
  }

  /**
   * HTTP/1.1 on the listener goes through the raw-socket fast path, node:http behind it (unless
   * --no-fast-path). The TLS listener too: the fast path only needs a Duplex socket, and a
   * TLSSocket is one, so TLS clients get the same parser and speed as plain ones.
   */
  #useFastPath(fe: Frontend, limits: ListenerLimits): void {
    if (this.#options.fastPath === false) return;
    const fast = createFastH1Handler(this.dataPlane, fe.ctx, limits, fe.http1Server);
    this.#fast.push(fast);
    fe.http1 = fast;
  }

  /** Lets a status writer (Kubernetes mode) show in /status what it knows beyond the translator. */
  setStatusView(view: () => readonly IngressStatusReport[]): void {
    this.#statusView = view;
  }

  /** Graceful: stop accepting, finish in-flight requests (up to the drain timeout), close pools. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.#shuttingDown = true;
      await this.pipeline.stop().catch(() => {});
      this.dataPlane.stop();
      this.#unsubscribe?.();
      this.#unfollowDiscovery();
      // Stop accepting, tell HTTP/2 clients to go away, let in-flight requests finish.
      const accepting = this.#listeners.map((l) => new Promise<void>((r) => l.close(() => r())));
      const drainTimeout = this.#options.drainTimeout ?? 30_000;
      const ports = this.#ports?.stop(drainTimeout);
      for (const fe of this.#frontends) fe.shutdownSessions(drainTimeout);
      for (const f of this.#fast) f.drain();
      // In flight: requests, and what HTTP/2 clients may still send between their two GOAWAYs.
      const inflight = (): number => this.#frontends.reduce((n, fe) => n + fe.h2Settling, this.dataPlane.inflight);
      await closeGracefully(this.#frontends.map((fe) => fe.http1Server), inflight, drainTimeout);
      for (const fe of this.#frontends) fe.destroySessions();
      for (const f of this.#fast) f.destroy();
      this.#tunnels.destroyAll();
      await Promise.all([...accepting, ports]);
      this.h2Upstreams.close();
      this.dataPlane.fast.close();
      await this.dataPlane.upstreams.close();
      for (const server of [this.#admin, this.#health]) {
        if (!server) continue;
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
      }
    })();
    return this.#stopping;
  }
}
