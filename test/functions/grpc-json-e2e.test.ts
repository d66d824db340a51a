// Discovery then transcoding against a real grpc-js server, and curl as the client in front of a
// node:http server that runs grpcJsonHandler the way the function host does.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import http from 'node:http';
import type net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { grpcJsonHandler } from '../../src/functions/grpc-json/handler.ts';
import { closeGrpcSessions } from '../../src/functions/grpc-json/sessions.ts';
import { discoverGrpc } from '../../src/functions/grpc-reflection/discover.ts';
import type { FunctionRequest, GrpcJsonCall } from '../../src/functions/types.ts';
import { type BookstoreServer, startBookstore } from './grpc-json-server.ts';

let grpcServer: BookstoreServer;
let front: http.Server;
let call: GrpcJsonCall;

/** A stand-in for the function host: whole request body in, the handler's response out. */
function hostFor(c: () => GrpcJsonCall, port: () => number): http.Server {
  return http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const ac = new AbortController();
    res.on('close', () => ac.abort());
    const fr: FunctionRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers as FunctionRequest['headers'], body: Buffer.concat(chunks) };
    try {
      const out = await grpcJsonHandler(c(), fr, { pick: () => ({ address: '127.0.0.1', port: port() }), signal: ac.signal });
      res.writeHead(out.status, out.headers as http.OutgoingHttpHeaders);
      if (Buffer.isBuffer(out.body)) return void res.end(out.body);
      for await (const part of out.body) res.write(part);
      res.end();
    } catch (err) {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: (err as Error).message }));
      else res.destroy();
    }
  });
}

function curl(args: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    execFile('curl', ['-sS', '--max-time', '10', '-w', '\n%{http_code}', ...args], { timeout: 15_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`curl failed: ${stderr || err.message}`));
      const at = stdout.lastIndexOf('\n');
      resolve({ status: Number(stdout.slice(at + 1)), body: stdout.slice(0, at) });
    });
  });
}

before(async () => {
  grpcServer = await startBookstore({ reflection: 'both' });
  const found = await discoverGrpc('127.0.0.1', grpcServer.port);
  assert.ok(found.ok, JSON.stringify(found));
  call = {
    type: 'grpc-json',
    descriptorSet: found.descriptorSet,
    services: found.services.map((s) => s.name),
    print: { alwaysPrintPrimitiveFields: false, preserveProtoFieldNames: false },
    ignoredQueryParameters: [],
    autoMapping: true,
  };
  front = hostFor(() => call, () => grpcServer.port);
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
});

after(async () => {
  closeGrpcSessions();
  front.closeAllConnections();
  await new Promise<void>((r) => front.close(() => r()));
  await grpcServer.close();
});

const url = (p: string) => `http://127.0.0.1:${(front.address() as net.AddressInfo).port}${p}`;

describe('gRPC-JSON transcoding of a discovered service, driven by curl', () => {
  it('GET with path variables and a query', async () => {
    const r = await curl([url('/v1/shelves/8/books/21')]);
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), { id: '21', title: 'book 21 of shelves/8' });
    const q = await curl([url('/v1/books/5?name=shelves%2F9')]);
    assert.deepEqual(JSON.parse(q.body), { id: '5', title: 'book 5 of shelves/9' });
  });

  it('POST with a JSON body', async () => {
    const r = await curl(['-X', 'POST', '-H', 'content-type: application/json', '-d', '{"theme":"maps","createdAt":"2020-01-01T00:00:00Z"}', url('/v1/shelves')]);
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), { id: '100', theme: 'maps', createdAt: '2020-01-01T00:00:00Z' });
  });

  it('a server stream as a JSON array', async () => {
    const r = await curl([url('/v1/shelves/2/books?limit=3&tags=a&tags=b')]);
    assert.equal(r.status, 200);
    const books = JSON.parse(r.body) as { id: string; tags: string[] }[];
    assert.deepEqual(books.map((b) => b.id), ['1', '2', '3']);
    assert.deepEqual(books[0]!.tags, ['a', 'b']);
  });

  it('an error status as HTTP 404 with a JSON body', async () => {
    const r = await curl([url('/v1/shelves/404')]);
    assert.equal(r.status, 404);
    assert.equal(JSON.parse(r.body).message, 'shelf 404 is on no floor');
  });

  it('invalid JSON as 400, and a broken stream as a transfer curl reports incomplete', async () => {
    const bad = await curl(['-X', 'POST', '-d', '{', url('/v1/shelves')]);
    assert.equal(bad.status, 400);
    assert.equal(JSON.parse(bad.body).code, 3);
    await assert.rejects(curl([url('/v1/shelves/13/books?limit=1')]), /curl failed/);
  });
});
