// Real authorization servers for the ext_authz tests: a gRPC Authorization service built from
// Envoy's protos (proto/) and a node:http one. Both allow `authorization: Bearer good` (adding
// x-user: alice upstream) and deny anything else with 401; `/slow` is never answered in time.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { authorizationService } from '../../src/policies/ext-authz-grpc.ts';

export interface AuthzServer {
  readonly address: string;
  /** every check's path and headers, in order */
  readonly seen: Array<{ path: string; headers: Record<string, string>; body?: string; rawBody?: boolean; contextExtensions?: Record<string, string> }>;
  close(): Promise<void>;
}

interface CheckCall {
  request: { attributes?: { contextExtensions?: Record<string, string>; request?: { http?: { path?: string; headers?: Record<string, string>; body?: string; rawBody?: Buffer } } } };
}

export async function startGrpcAuthz(): Promise<AuthzServer> {
  const seen: AuthzServer['seen'] = [];
  const held: Array<() => void> = [];
  const server = new grpc.Server();
  server.addService(authorizationService().service, {
    Check(call: CheckCall, cb: (err: null, res: object) => void) {
      const h = call.request.attributes?.request?.http ?? {};
      const raw = h.rawBody !== undefined && h.rawBody.length > 0;
      seen.push({ path: h.path ?? '', headers: h.headers ?? {}, body: raw ? h.rawBody!.toString('utf8') : (h.body ?? ''), rawBody: raw, contextExtensions: call.request.attributes?.contextExtensions ?? {} });
      if (h.path === '/slow') return held.push(() => cb(null, { status: { code: 0 } }));
      if (h.headers?.authorization === 'Bearer good') {
        return cb(null, { status: { code: 0 }, okResponse: { headers: [{ header: { key: 'x-user', value: 'alice' } }, { header: { key: 'host', value: 'evil' } }] } });
      }
      cb(null, { status: { code: 7 }, deniedResponse: { status: { code: 401 }, headers: [{ header: { key: 'www-authenticate', value: 'Bearer' } }], body: 'denied by grpc' } });
    },
  });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  return {
    address: `127.0.0.1:${port}`,
    seen,
    close: () => {
      for (const h of held) h();
      return new Promise((r) => server.tryShutdown(() => r()));
    },
  };
}

export async function startHttpAuthz(): Promise<AuthzServer> {
  const seen: AuthzServer['seen'] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    seen.push({ path: req.url ?? '', headers: req.headers as Record<string, string>, body: Buffer.concat(chunks).toString('utf8') });
    if (req.url?.endsWith('/slow')) return; // never answered: the gateway's timeout decides
    if (req.headers.authorization === 'Bearer good') {
      res.writeHead(200, { 'x-user': 'alice', 'x-not-listed': 'dropped' }).end();
      return;
    }
    res.writeHead(401, { 'www-authenticate': 'Bearer', 'content-type': 'text/plain' }).end('denied by http');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}
