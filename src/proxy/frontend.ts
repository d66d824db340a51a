// One listener's protocol handlers: the node:http server (HTTP/1.1 requests and Upgrades) and the
// HTTP/2 front end on Sluice's own core (h2core/front.ts), neither listening itself. The plain and
// TLS listeners hand them sockets; all of them route through the exchange core.
import type http from 'node:http';
import type net from 'node:net';
import type { DataPlane } from './dataplane.ts';
import { createH1Handler } from './h1.ts';
import type { H2Limits } from './h2.ts';
import type { H2Upstreams } from './h2-upstream.ts';
import { CoreH2Front } from './h2core/front.ts';
import type { ListenerContext } from './listeners.ts';
import { createHttpServer } from './listeners.ts';
import { type Http1Dispatch, nodeHttp1Dispatch } from './plain-listener.ts';
import { createUpgradeHandler, type Tunnels } from './websocket.ts';

export interface FrontendDeps {
  readonly dp: DataPlane;
  readonly h2: H2Upstreams;
  readonly tunnels: Tunnels;
  readonly limits: H2Limits;
}

export class Frontend {
  readonly ctx: ListenerContext;
  readonly http1Server: http.Server;
  /** replaceable by a faster HTTP/1.1 implementation */
  http1: Http1Dispatch;
  readonly h2: (socket: net.Socket) => void;
  readonly #core: CoreH2Front;

  constructor(deps: FrontendDeps, ctx: ListenerContext) {
    this.ctx = ctx;
    this.http1Server = createHttpServer(deps.limits, createH1Handler(deps.dp, ctx, deps.h2));
    // node:http starts tracking connections (head and idle deadlines, closeAllConnections) when
    // it starts listening; this server never listens itself, the listeners hand it sockets.
    this.http1Server.emit('listening');
    this.http1Server.on('upgrade', createUpgradeHandler(deps.dp, ctx, deps.tunnels, deps.limits.maxHeadersCount));
    this.http1 = nodeHttp1Dispatch(this.http1Server);
    this.#core = new CoreH2Front({ dp: deps.dp, h2: deps.h2, tunnels: deps.tunnels, ctx, maxHeadersCount: deps.limits.maxHeadersCount }, deps.limits);
    this.h2 = this.#core.accept;
  }

  /**
   * The drain's first move: every HTTP/2 client gets the two-step GOAWAY (h2core/front.ts);
   * streams it sent before the second one are served, later ones refused. Connections left at
   * `deadlineMs` are destroyed.
   */
  shutdownSessions(deadlineMs: number): void {
    this.#core.shutdown(deadlineMs);
  }

  /** HTTP/2 connections still between their two GOAWAYs, and streams waiting to be routed: the drain waits for them. */
  get h2Settling(): number {
    return this.#core.settling;
  }

  destroySessions(): void {
    this.#core.destroy();
  }
}
