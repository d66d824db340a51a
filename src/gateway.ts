// One gateway process: a source feeding the pipeline, the data plane listeners, and the admin
// endpoint. `sluice serve`, `sluice demo` and the end-to-end tests all start it through here.
import type http from 'node:http';
import { createAdminServer } from './admin/server.ts';
import type { Logger } from './log.ts';
import type { HostPort } from './net/address.ts';
import { Pipeline } from './pipeline.ts';
import { DataPlane } from './proxy/dataplane.ts';
import { createH1Handler, type ListenerContext } from './proxy/h1.ts';
import { closeGracefully, createHttpServer, defaultLimits, listen, type ListenerLimits } from './proxy/listeners.ts';
import { Metrics } from './proxy/metrics.ts';
import { Upstreams } from './proxy/upstreams.ts';
import type { Source } from './sources/types.ts';
import type { TranslateOptions } from './translate/options.ts';

export interface GatewayOptions {
  readonly source: Source;
  readonly translate: TranslateOptions;
  readonly http?: HostPort;
  readonly local?: HostPort;
  readonly admin?: HostPort;
  readonly limits?: ListenerLimits;
  /** ms that in-flight requests get to finish on shutdown */
  readonly drainTimeout?: number;
  readonly log: Logger;
  /** export Node process metrics (off in tests that run several gateways in one process) */
  readonly processMetrics?: boolean;
}

export interface GatewayAddresses {
  http?: string;
  https?: string;
  local?: string;
  admin?: string;
}

export class Gateway {
  readonly pipeline: Pipeline;
  readonly dataPlane: DataPlane;
  readonly metrics: Metrics;
  readonly addresses: GatewayAddresses = {};
  readonly #servers: http.Server[] = [];
  #admin: http.Server | undefined;
  readonly #options: GatewayOptions;
  #stopping: Promise<void> | undefined;

  private constructor(options: GatewayOptions) {
    this.#options = options;
    this.metrics = new Metrics({ processMetrics: options.processMetrics });
    this.pipeline = new Pipeline(options.source, options.translate, options.log, this.metrics);
    this.dataPlane = new DataPlane(this.pipeline.feed, new Upstreams(), this.metrics, options.log);
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
      });
      this.addresses.admin = await listen(this.#admin, this.#options.admin, '--admin');
      log.info({ listener: 'admin', address: this.addresses.admin }, 'listening');
    }
    const listeners: Array<[HostPort | undefined, ListenerContext, '--http' | '--local']> = [
      [this.#options.http, { name: 'http', kind: 'external', secure: false }, '--http'],
      [this.#options.local, { name: 'local', kind: 'local', secure: false }, '--local'],
    ];
    const bound: Array<[string, string]> = [];
    for (const [addr, ctx, flag] of listeners) {
      if (!addr) continue;
      const server = createHttpServer(limits, createH1Handler(this.dataPlane, ctx));
      this.#servers.push(server);
      const address = await listen(server, addr, flag);
      this.addresses[ctx.name as 'http' | 'local'] = address;
      bound.push([ctx.name, address]);
    }
    // Read every source fully before announcing the data plane (never serve an empty snapshot).
    await this.pipeline.start();
    for (const [listener, address] of bound) log.info({ listener, address }, 'listening');
  }

  /** Graceful: stop accepting, finish in-flight requests (up to the drain timeout), close pools. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      await this.pipeline.stop().catch(() => {});
      this.dataPlane.stop();
      await closeGracefully(this.#servers, () => this.dataPlane.inflight, this.#options.drainTimeout ?? 30_000);
      await this.dataPlane.upstreams.close();
      if (this.#admin) {
        this.#admin.closeAllConnections();
        await new Promise<void>((r) => this.#admin!.close(() => r()));
      }
    })();
    return this.#stopping;
  }
}
