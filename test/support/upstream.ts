// Real upstream servers for tests: each answers with JSON describing the request it received.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EchoReply {
  name: string;
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  bodyBytes: number;
}

export interface Upstream {
  readonly server: http.Server;
  readonly port: number;
  readonly requests: EchoReply[];
  close(): Promise<void>;
}

/** An upstream on 127.0.0.1:0. `handler` overrides the default echo for special cases. */
export async function startUpstream(name: string, handler?: http.RequestListener): Promise<Upstream> {
  const requests: EchoReply[] = [];
  const server = http.createServer(
    handler ??
      ((req, res) => {
        let bytes = 0;
        req.on('data', (d: Buffer) => (bytes += d.length));
        req.on('end', () => {
          const reply: EchoReply = { name, method: req.method!, url: req.url!, headers: req.headers, rawHeaders: req.rawHeaders, bodyBytes: bytes };
          requests.push(reply);
          const body = JSON.stringify(reply);
          res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': name, 'content-length': Buffer.byteLength(body) });
          res.end(body);
        });
      }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/**
 * An upstream that answers "a" at once and "b" after `gapMs`: a response slow to come, which no
 * client timeout may cut.
 */
export function startSlowUpstream(name: string, gapMs = 2500): Promise<Upstream> {
  return startUpstream(name, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('a');
    setTimeout(() => res.end('b'), gapMs);
  });
}
