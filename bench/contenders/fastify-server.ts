// The `@fastify/http-proxy` peer: fastify (logger off) with the proxy plugin, undici upstream (its default);
// HTTP/2 cleartext when asked. Run as its own process by bench/contenders/node-peers.ts.
import Fastify, { type FastifyRequest } from 'fastify';
import proxy, { type FastifyHttpProxyOptions } from '@fastify/http-proxy';
import { SPLIT_HEADER } from '../scenarios.ts';
import { parsePeerArgs, pickRevision } from './peer-args.ts';

const args = parsePeerArgs(process.argv);
const targetA = `http://127.0.0.1:${args.portA}`;
const targetB = `http://127.0.0.1:${args.portB}`;
// one pick per request, read by both getUpstream and rewriteRequestHeaders
const picks = new WeakMap<FastifyRequest, 'a' | 'b'>();
const pick = (req: FastifyRequest): 'a' | 'b' => {
  let rev = picks.get(req);
  if (!rev) picks.set(req, (rev = pickRevision()));
  return rev;
};

const options: FastifyHttpProxyOptions = {
  upstream: targetA,
  http2: false,
  replyOptions: args.split
    ? {
        getUpstream: (req) => (pick(req as FastifyRequest) === 'a' ? targetA : targetB),
        rewriteRequestHeaders: (req, headers) => ({ ...headers, [SPLIT_HEADER]: pick(req as FastifyRequest) }),
      }
    : {},
};
// the HTTP/1.1 and HTTP/2 instances have different types, hence two branches
const close = args.h2 ? await listenH2() : await listenH1();
process.on('SIGTERM', () => void close().then(() => process.exit(0)));

async function listenH1(): Promise<() => Promise<void>> {
  const app = Fastify({ logger: false, keepAliveTimeout: 300_000, bodyLimit: 2 * 1024 * 1024 });
  await app.register(proxy, options);
  await app.listen({ port: args.port, host: '127.0.0.1' });
  return () => app.close();
}

async function listenH2(): Promise<() => Promise<void>> {
  const app = Fastify({ http2: true, logger: false });
  // the plugin's options are typed for the HTTP/1.1 server; its code serves either
  await app.register(proxy as unknown as Parameters<typeof app.register>[0], options);
  await app.listen({ port: args.port, host: '127.0.0.1' });
  return () => app.close();
}
