// A local reply (local-reply.ts) written on a node:http response, gRPC-aware.
import type { ServerResponse } from 'node:http';
import { grpcLocalReply } from './grpc.ts';
import type { LocalReply } from './local-reply.ts';

export function writeLocal(res: ServerResponse, reply: LocalReply, head = false, grpcType?: string): void {
  if (grpcType) reply = grpcLocalReply(reply, grpcType);
  const body = Buffer.from(reply.body);
  const headers: string[] = [];
  for (const [n, v] of reply.headers) headers.push(n, v);
  headers.push('content-length', String(body.length));
  res.writeHead(reply.status, headers);
  res.end(head ? undefined : body);
}
