// The fallback upstream when nginx is absent: a Node server with the same routes as bench/upstream.ts's
// nginx (small body anywhere, /64k, POST /upload), on two HTTP/1.1 ports and one h2c port.
// Run as its own process: `node --import tsx bench/upstream-node.ts PORT_A PORT_B H2_PORT`.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createH2Server, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import { SMALL_BODY, LARGE_BODY_BYTES } from './scenarios.ts';

const small = Buffer.from(SMALL_BODY);
const large = Buffer.alloc(LARGE_BODY_BYTES, 'x');

function handle(req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse): void {
  const send = (body: Buffer): void => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
    res.end(body);
  };
  if (req.method === 'POST') {
    // drain the body before answering so keep-alive connections stay usable
    req.on('data', () => {});
    req.on('end', () => send(Buffer.from('ok\n')));
    return;
  }
  send(req.url === '/64k' ? large : small);
}

const [a, b, h2] = process.argv.slice(2).map(Number);
if (!a || !b || !h2) {
  process.stderr.write('usage: upstream-node.ts PORT_A PORT_B H2_PORT\n');
  process.exit(2);
}
for (const port of [a, b]) {
  const s = createServer({ keepAliveTimeout: 300_000 }, handle);
  s.listen(port, '127.0.0.1');
}
createH2Server(handle).listen(h2, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
