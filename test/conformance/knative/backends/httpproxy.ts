// The `httpproxy` test image (test/test_images/httpproxy): a reverse proxy (httputil.
// NewSingleHostReverseProxy) to GATEWAY_HOST with the Host header set to TARGET_HOST; errors
// answer 502 with the error's text. Here GATEWAY_HOST is the gateway's cluster-local listener.
import http from 'node:http';
import { type Backend, type BackendRequest, type BackendResponse, startBackend } from './server.ts';

// httputil.ReverseProxy removes these both ways (RFC 7230 hop-by-hop headers).
const HOP = new Set(['connection', 'proxy-connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

function forwardable(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const named = String(headers.connection ?? '').toLowerCase().split(',').map((s) => s.trim());
  const out: http.OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) if (!k.startsWith(':') && !HOP.has(k) && !named.includes(k) && v !== undefined) out[k] = v;
  return out;
}

export function startHttpProxy(targetHost: string, gateway: { host: string; port: number }): Promise<Backend> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 100 });
  const handler = (req: BackendRequest, res: BackendResponse): void => {
    const headers = forwardable(req.headers);
    headers.host = targetHost;
    const prior = req.headers['x-forwarded-for'];
    headers['x-forwarded-for'] = (prior ? `${String(prior)}, ` : '') + (req.socket.remoteAddress ?? '');
    const up = http.request({ host: gateway.host, port: gateway.port, method: req.method, path: req.url, headers, agent }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, forwardable(ur.headers));
      ur.pipe(res as NodeJS.WritableStream);
    });
    up.on('error', (err) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.writeHead(502);
      res.end(err.message + '\n');
    });
    (req as NodeJS.ReadableStream).pipe(up);
  };
  return startBackend(handler).then((b) => ({
    ...b,
    close: async () => {
      agent.destroy();
      await b.close();
    },
  }));
}
