// The other Node peer: fastify + @fastify/http-proxy (undici underneath) in front of one upstream.
// Usage: node bench/fastpath/peer-fastify.mjs LISTEN_PORT UPSTREAM_PORT
import Fastify from 'fastify';
import proxy from '@fastify/http-proxy';

const [listen, upstream] = process.argv.slice(2).map(Number);
const app = Fastify({ logger: false, bodyLimit: 2 * 1024 * 1024 });
await app.register(proxy, { upstream: `http://127.0.0.1:${upstream}` });
await app.listen({ port: listen, host: '127.0.0.1' });
