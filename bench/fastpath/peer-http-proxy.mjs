// The Node peer: the `http-proxy` package with a keep-alive agent, in front of one upstream.
// Usage: node bench/fastpath/peer-http-proxy.mjs LISTEN_PORT UPSTREAM_PORT
import http from 'node:http';
import httpProxy from 'http-proxy';

const [listen, upstream] = process.argv.slice(2).map(Number);
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const proxy = httpProxy.createProxyServer({ target: `http://127.0.0.1:${upstream}`, agent });
proxy.on('error', (_err, _req, res) => {
  res.writeHead?.(503);
  res.end();
});
http.createServer((req, res) => proxy.web(req, res)).listen(listen, '127.0.0.1');
