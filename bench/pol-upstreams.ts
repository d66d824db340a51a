// The policy bench's backends in one process of their own (pinned beside the load generator): a
// node:http backend answering a small body, and an ext_authz gRPC server (Envoy's protos) that
// allows every request. Prints one `POLUPSTREAMS {json}` line with their addresses, then serves
// until SIGTERM.
//   node --import tsx bench/pol-upstreams.ts
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { authorizationService } from '../src/policies/ext-authz-grpc.ts';
import { POL_UPSTREAMS_PREFIX, type PolUpstreamAddresses } from './pol-config.ts';
import { SMALL_BODY } from './scenarios.ts';

function startBackend(): Promise<http.Server> {
  const server = http.createServer({ keepAliveTimeout: 300_000 }, (req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(SMALL_BODY) });
      res.end(SMALL_BODY);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function startAllowAll(): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server();
  server.addService(authorizationService().service, {
    Check(_call: unknown, cb: (err: null, res: object) => void) {
      cb(null, { status: { code: 0 }, okResponse: {} });
    },
  });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  return { server, port };
}

async function main(): Promise<void> {
  const [backend, authz] = await Promise.all([startBackend(), startAllowAll()]);
  const out: PolUpstreamAddresses = { backendPort: (backend.address() as AddressInfo).port, authz: `127.0.0.1:${authz.port}` };
  process.stdout.write(`${POL_UPSTREAMS_PREFIX}${JSON.stringify(out)}\n`);
  process.on('SIGTERM', () => {
    backend.closeAllConnections();
    backend.close();
    authz.server.tryShutdown(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  });
}

await main();
