import assert from 'node:assert/strict';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { grpcJsonHandler, transcoderFor } from '../../src/functions/grpc-json/handler.ts';
import { closeGrpcSessions } from '../../src/functions/grpc-json/sessions.ts';
import type { FunctionRequest, FunctionResponse, GrpcJsonCall, UpstreamAddress } from '../../src/functions/types.ts';
import { bookstoreDescriptorSet } from './grpc-json-fixture.ts';
import { type BookstoreServer, startBookstore } from './grpc-json-server.ts';

const call: GrpcJsonCall = {
  type: 'grpc-json',
  descriptorSet: bookstoreDescriptorSet(),
  services: ['bookstore.Bookstore'],
  print: { alwaysPrintPrimitiveFields: false, preserveProtoFieldNames: false },
  ignoredQueryParameters: ['api_key'],
  autoMapping: true,
};

async function bodyText(res: FunctionResponse): Promise<string> {
  if (Buffer.isBuffer(res.body)) return res.body.toString();
  const parts: Buffer[] = [];
  for await (const c of res.body) parts.push(Buffer.from(c));
  return Buffer.concat(parts).toString();
}

function within<T>(p: Promise<T>, ms: number, why: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(why)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

let server: BookstoreServer;
before(async () => {
  server = await startBookstore({ reflection: 'none' });
});
after(async () => {
  closeGrpcSessions();
  await server.close();
});

function send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, opts: { pick?: UpstreamAddress | undefined; signal?: AbortSignal } = {}) {
  const req: FunctionRequest = {
    method,
    path,
    headers: { host: 'books.example', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: Buffer.from(body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body)),
  };
  const pick = 'pick' in opts ? opts.pick : { address: '127.0.0.1', port: server.port };
  return grpcJsonHandler(call, req, { pick: () => pick, signal: opts.signal ?? AbortSignal.timeout(10_000) });
}

describe('compiled rules', () => {
  it('are shared by equal calls from different snapshots, and not by calls that differ', () => {
    const again: GrpcJsonCall = { ...call, print: { alwaysPrintPrimitiveFields: true, preserveProtoFieldNames: true } };
    assert.equal(transcoderFor(again), transcoderFor(call));
    assert.notEqual(transcoderFor({ ...call, autoMapping: false }), transcoderFor(call));
  });
});

describe('grpcJsonHandler against a gRPC server', () => {
  it('answers a GET with path variables as the method\'s JSON, passing client headers as metadata', async () => {
    const res = await send('GET', '/v1/shelves/12', undefined, { 'x-theme': 'poetry' });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(await bodyText(res)), { id: '12', theme: 'poetry', createdAt: '2023-11-14T22:13:20.005Z' });
    assert.equal(server.lastMetadata()?.get('x-theme')[0], 'poetry');
    assert.equal(res.headers['x-served-by'], 'bookstore', 'response metadata reaches the client as headers');
    assert.equal(res.headers['grpc-encoding'], undefined);
  });

  it('posts a JSON body field and the path variable', async () => {
    const res = await send('POST', '/v1/shelves/4/books', { title: 'Dune', genre: 'FICTION', readTime: '90s' });
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(await bodyText(res)), { id: '7', author: 'shelf 4', title: 'Dune', genre: 'FICTION', readTime: '90s' });
  });

  it('streams a server stream as a JSON array, with query parameters mapped', async () => {
    const res = await send('GET', '/v1/shelves/3/books?limit=2&genre=HISTORY&filter.author=Tuchman&api_key=secret');
    assert.equal(res.status, 200);
    assert.ok(!Buffer.isBuffer(res.body), 'a stream, not a buffered body');
    assert.deepEqual(JSON.parse(await bodyText(res)), [
      { id: '1', title: 'book 1', genre: 'HISTORY', author: 'Tuchman' },
      { id: '2', title: 'book 2', genre: 'HISTORY', author: 'Tuchman' },
    ]);
  });

  it('streams more messages than it queues, reading them as the consumer pulls', async () => {
    const res = await send('GET', '/v1/shelves/3/books?limit=500');
    assert.ok(!Buffer.isBuffer(res.body));
    const chunks: string[] = [];
    for await (const c of res.body) {
      chunks.push(Buffer.from(c).toString());
      if (chunks.length % 50 === 0) await new Promise((r) => setImmediate(r)); // a slow reader now and then
    }
    const books = JSON.parse(chunks.join('')) as { id: string }[];
    assert.equal(books.length, 500);
    assert.equal(books[499]!.id, '500');
    assert.equal(chunks.length, 501, 'one chunk per message, then the closing bracket');
  });

  it('answers an empty stream with [] and a stream failing before its first message with the status', async () => {
    const empty = await send('GET', '/v1/shelves/3/books?limit=0');
    assert.equal(await bodyText(empty), '[]');
    const failed = await send('GET', '/v1/shelves/0/books');
    assert.equal(failed.status, 404);
    assert.deepEqual(JSON.parse(await bodyText(failed)), { code: 5, message: 'no shelf 0' });
  });

  it('breaks the array when a stream fails after its first message', async () => {
    const res = await send('GET', '/v1/shelves/13/books?limit=1');
    assert.equal(res.status, 200);
    await assert.rejects(bodyText(res), /gRPC status 15: unlucky/);
  });

  it('maps a gRPC error status to HTTP with the google.rpc.Status of grpc-status-details-bin as JSON, as Envoy does', async () => {
    const res = await send('GET', '/v1/shelves/404');
    assert.equal(res.status, 404);
    assert.deepEqual(JSON.parse(await bodyText(res)), {
      code: 5,
      message: 'shelf 404 is on no floor',
      details: [{ '@type': 'type.googleapis.com/bookstore.Shelf', id: '42' }],
    });
    const internal = await send('GET', '/v1/shelves/500');
    assert.equal(internal.status, 500);
    assert.deepEqual(JSON.parse(await bodyText(internal)), { code: 13, message: 'boom 100% broken' });
  });

  it('prints response_body, verbs, custom methods and auto-mapped methods', async () => {
    assert.equal(await bodyText(await send('GET', '/v1/shelves/1/books/9/title')), '"Title 9"');
    assert.deepEqual(JSON.parse(await bodyText(await send('POST', '/v1/shelves/5:archive', { reason: 'dusty', notify: true }))), { id: '5', theme: 'archived: dusty (notify true)' });
    assert.deepEqual(JSON.parse(await bodyText(await send('SEARCH', '/v1/search/a/b%2Fc?q=x'))), { path: 'a/b%2Fc', q: 'x' });
    assert.deepEqual(JSON.parse(await bodyText(await send('POST', '/bookstore.Bookstore/Ping', { text: 'hi' }))), { text: 'pong hi' });
    assert.deepEqual(JSON.parse(await bodyText(await send('DELETE', '/v1/shelves/1'))), {});
  });

  it('sends a JSON array body to a client-streaming method as one message per element', async () => {
    const res = await send('POST', '/v1/shelves/6/books:batch', [{ title: 'A' }, { title: 'B' }, {}]);
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(await bodyText(res)), { count: '3', titles: ['6:A', '6:B', '6:'] });
    const notArray = await send('POST', '/v1/shelves/6/books:batch', { title: 'A' });
    assert.equal(notArray.status, 400);
    assert.match(JSON.parse(await bodyText(notArray)).message, /JSON array/);
  });

  it('sends a google.api.HttpBody field as the raw body and answers an HttpBody as raw bytes with its content type', async () => {
    const res = await send('PUT', '/v1/shelves/2/books/3/cover', '<png bytes>', { 'content-type': 'image/png' });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'image/png; shelf=2');
    assert.equal(await bodyText(res), 'got:<png bytes>');
  });

  it('streams HttpBody messages as one raw body', async () => {
    const res = await send('GET', '/v1/covers/8');
    assert.equal(res.headers['content-type'], 'image/svg+xml');
    assert.equal(await bodyText(res), '<svg>book 8</svg>');
  });

  it('answers client mistakes with 400 or 404 and JSON, never reaching the upstream', async () => {
    const bad = await send('POST', '/v1/shelves', '{"theme":');
    assert.equal(bad.status, 400);
    assert.equal(JSON.parse(await bodyText(bad)).code, 3);
    const unknown = await send('GET', '/v1/shelves/1/books?color=red');
    assert.equal(unknown.status, 400);
    assert.match(JSON.parse(await bodyText(unknown)).message, /unknown query parameter "color"/);
    const nowhere = await send('GET', '/v2/nothing');
    assert.equal(nowhere.status, 404);
    assert.equal(JSON.parse(await bodyText(nowhere)).code, 5);
  });

  it('answers 503 without an endpoint or when the endpoint refuses', async () => {
    const none = await send('GET', '/v1/shelves/1', undefined, {}, { pick: undefined });
    assert.equal(none.status, 503);
    const refused = await send('GET', '/v1/shelves/1', undefined, {}, { pick: { address: '127.0.0.1', port: 1 } });
    assert.equal(refused.status, 503);
    assert.equal(JSON.parse(await bodyText(refused)).code, 14);
  });

  it('cancels the upstream stream when the client goes away mid-stream', async () => {
    const ac = new AbortController();
    const res = await send('GET', '/v1/shelves/99/books', undefined, {}, { signal: ac.signal });
    assert.ok(!Buffer.isBuffer(res.body));
    const it = res.body[Symbol.asyncIterator]();
    assert.match(Buffer.from((await it.next()).value as Uint8Array).toString(), /^\[\{"id":"99"/);
    ac.abort();
    await it.return?.();
    await within(server.endlessCancelled, 5000, 'the upstream saw no cancellation');
  });

  it('answers an HTTP/2 upstream that is not gRPC with a gRPC-mapped error, not a garbled body', async () => {
    const plain = http2.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>not grpc</html>');
    });
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
    try {
      const res = await send('GET', '/v1/shelves/1', undefined, {}, { pick: { address: '127.0.0.1', port: (plain.address() as AddressInfo).port } });
      assert.equal(res.status, 500);
      assert.deepEqual(JSON.parse(await bodyText(res)), { code: 2, message: 'the upstream answered with content-type text/html, not gRPC' });
    } finally {
      closeGrpcSessions();
      await new Promise<void>((r) => plain.close(() => r()));
    }
  });

  it('gives up when the signal aborts', async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(send('GET', '/v1/shelves/1', undefined, {}, { signal: ac.signal }), /cancelled/);
  });
});
