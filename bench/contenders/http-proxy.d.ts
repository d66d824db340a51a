// The few members of the untyped `http-proxy` package the bench peer uses.
declare module 'http-proxy' {
  import type { Agent, IncomingMessage, ServerResponse } from 'node:http';
  import type { Socket } from 'node:net';
  interface ProxyServer {
    web(req: IncomingMessage, res: ServerResponse, opts: { target: string }): void;
    on(event: 'error', cb: (err: Error, req: IncomingMessage, res: ServerResponse | Socket) => void): void;
  }
  const httpProxy: { createProxyServer(opts: { agent?: Agent; xfwd?: boolean }): ProxyServer };
  export default httpProxy;
}
