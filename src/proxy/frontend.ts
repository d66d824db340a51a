// One listener's protocol handlers: the node:http server (HTTP/1.1 requests and Upgrades) and the
// HTTP/2 engine (h2c / h2 connections): Sluice's own core (h2core/front.ts) or node:http2's server,
// none listening itself. The plain and TLS listeners hand them sockets; all of them route through
// the exchange core.
import type http from 'node:http';
import type http2 from 'node:http2';
import type net from 'node:net';
import type { DataPlane } from './dataplane.ts';
import { createH1Handler } from './h1.ts';
import type { ListenerContext } from './listeners.ts';
import { createH2Server, createH2StreamHandler, type H2Limits } from './h2.ts';
import type { H2Upstreams } from './h2-upstream.ts';
import { createHttpServer } from './listeners.ts';
import { type Http1Dispatch, h2Dispatch, nodeHttp1Dispatch } from './plain-listener.ts';
import { createUpgradeHandler, type Tunnels } from './websocket.ts';
import { defaultH2Engine, type H2Engine } from './h2core/engine.ts';
import { CoreH2Front } from './h2core/front.ts';

export interface FrontendDeps {
  readonly dp: DataPlane;
  readonly h2: H2Upstreams;
  readonly tunnels: Tunnels;
  readonly limits: H2Limits;
  /** which HTTP/2 implementation serves the listener (default: defaultH2Engine(): the own core) */
  readonly h2Engine?: H2Engine;
}

export class Frontend {
  readonly ctx: ListenerContext;
  readonly http1Server: http.Server;
  readonly http2Server: http2.Http2Server;
  /** replaceable by a faster HTTP/1.1 implementation */
  http1: Http1Dispatch;
  readonly h2: (socket: net.Socket) => void;
  readonly #sessions = new Set<http2.ServerHttp2Session>();
  /** the own core's connections, when it is the engine */
  readonly #core: CoreH2Front | undefined;

  constructor(deps: FrontendDeps, ctx: ListenerContext) {
    this.ctx = ctx;
    this.http1Server = createHttpServer(deps.limits, createH1Handler(deps.dp, ctx, deps.h2));
    // node:http starts tracking connections (head and idle deadlines, closeAllConnections) when
    // it starts listening; this server never listens itself, the listeners hand it sockets.
    this.http1Server.emit('listening');
    this.http1Server.on('upgrade', createUpgradeHandler(deps.dp, ctx, deps.tunnels, deps.limits.maxHeadersCount));
    this.http2Server = createH2Server(deps.limits, createH2StreamHandler(deps.dp, deps.h2, ctx, deps.tunnels));
    this.http2Server.on('session', (s: http2.ServerHttp2Session) => {
      this.#sessions.add(s);
      s.once('close', () => this.#sessions.delete(s));
    });
    this.http1 = nodeHttp1Dispatch(this.http1Server);
    if ((deps.h2Engine ?? defaultH2Engine()) === 'own') {
      const core = new CoreH2Front({ dp: deps.dp, h2: deps.h2, tunnels: deps.tunnels, ctx, maxHeadersCount: deps.limits.maxHeadersCount }, deps.limits);
      this.#core = core;
      this.h2 = core.accept;
    } else {
      this.#core = undefined;
      this.h2 = h2Dispatch(this.http2Server);
    }
  }

  /** GOAWAY to every HTTP/2 client: open streams finish, no new ones start. */
  closeSessions(): void {
    for (const s of this.#sessions) s.close();
    this.#core?.close();
  }

  destroySessions(): void {
    for (const s of this.#sessions) s.destroy();
    this.#sessions.clear();
    this.#core?.destroy();
  }
}
