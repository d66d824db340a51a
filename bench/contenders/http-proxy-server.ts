// The `http-proxy` peer, as its users run it at its best: node:http server, a keep-alive agent upstream.
// Run as its own process by bench/contenders/node-peers.ts.
import { Agent, createServer, ServerResponse } from 'node:http';
import httpProxy from 'http-proxy';
import { SPLIT_HEADER } from '../scenarios.ts';
import { parsePeerArgs, pickRevision } from './peer-args.ts';

const args = parsePeerArgs(process.argv);
const agent = new Agent({ keepAlive: true, maxSockets: 512 });
const proxy = httpProxy.createProxyServer({ agent, xfwd: true });
proxy.on('error', (_err, _req, res) => {
  if (res instanceof ServerResponse && !res.headersSent) res.writeHead(502).end();
  else res.destroy();
});
const targetA = `http://127.0.0.1:${args.portA}`;
const targetB = `http://127.0.0.1:${args.portB}`;
createServer({ keepAliveTimeout: 300_000 }, (req, res) => {
  if (!args.split) return proxy.web(req, res, { target: targetA });
  const rev = pickRevision();
  req.headers[SPLIT_HEADER] = rev;
  proxy.web(req, res, { target: rev === 'a' ? targetA : targetB });
}).listen(args.port, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
