// The demo's Lambda-compatible runtime (examples/gloo/monolith's `orders` Upstream points its
// `spec.aws.endpoint` here): answers Lambda's Invoke for any function with an API Gateway proxy
// response echoing the order it was sent. It checks no signature: a demo, on loopback only.
import http from 'node:http';
import { listen } from '../proxy/listeners.ts';

export const DEMO_LAMBDA = { port: 18009 } as const;

const INVOKE = /^\/2015-03-31\/functions\/([^/?]+)\/invocations(?:\?|$)/;
const MAX_EVENT_BYTES = 1 << 20;

interface ProxyEvent {
  body?: string | null;
  isBase64Encoded?: boolean;
}

/** The answer to one Invoke: the function's name and the event's JSON body, as an API Gateway response. */
export function invokeAnswer(functionName: string, payload: string): { statusCode: number; headers: Record<string, string>; body: string } {
  const json = (statusCode: number, body: unknown) => ({ statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  try {
    const event = JSON.parse(payload) as ProxyEvent;
    const raw = event.body ?? '';
    const text = event.isBase64Encoded === true ? Buffer.from(raw, 'base64').toString('utf8') : raw;
    return json(201, { created: functionName, order: text === '' ? null : JSON.parse(text) });
  } catch {
    return json(400, { error: 'the order is not JSON' });
  }
}

export function startDemoLambda(port: number = DEMO_LAMBDA.port, host = '127.0.0.1'): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const m = req.method === 'POST' ? INVOKE.exec(req.url ?? '') : null;
    if (m === null) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"not an Invoke"}');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_EVENT_BYTES) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      let name: string;
      try {
        name = decodeURIComponent(m[1]!);
      } catch {
        name = m[1]!;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(invokeAnswer(name, Buffer.concat(chunks).toString('utf8'))));
    });
  });
  return listen(server, { host, port }, 'demo Lambda runtime').then(() => server);
}
