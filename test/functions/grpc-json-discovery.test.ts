import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { compileTranscoder } from '../../src/functions/grpc-json/rules.ts';
import { discoverGrpc } from '../../src/functions/grpc-reflection/discover.ts';
import { makeFakeTls } from '../support/fake-apiserver-tls.ts';
import { type BookstoreServer, startBookstore } from './grpc-json-server.ts';

const servers: BookstoreServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});
async function bookstore(reflection: 'both' | 'v1alpha' | 'none'): Promise<BookstoreServer> {
  const s = await startBookstore({ reflection });
  servers.push(s);
  return s;
}

describe('discoverGrpc', () => {
  it('lists the services (not reflection itself) and their methods, with a descriptor set that keeps the http rules', async () => {
    const s = await bookstore('both');
    const r = await discoverGrpc('127.0.0.1', s.port);
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.api, 'v1');
    assert.deepEqual(r.services.map((x) => x.name), ['bookstore.Bookstore']);
    assert.deepEqual(r.functions.find((f) => f.name === 'bookstore.Bookstore.GetShelf'), { name: 'bookstore.Bookstore.GetShelf', kind: 'grpc', grpcPath: '/bookstore.Bookstore/GetShelf' });
    assert.equal(r.functions.length, 15);
    const t = compileTranscoder({
      type: 'grpc-json',
      descriptorSet: r.descriptorSet,
      services: ['bookstore.Bookstore'],
      print: { alwaysPrintPrimitiveFields: false, preserveProtoFieldNames: false },
      ignoredQueryParameters: [],
      autoMapping: false,
    });
    assert.equal(t.match('GET', '/v1/shelves/1/books/2')?.method.name, 'GetBook');
  });

  it('speaks TLS to an upstream that needs it, verifying its certificate', async () => {
    const tls = makeFakeTls();
    try {
      const s = await startBookstore({ reflection: 'both', tls: { cert: tls.serverCert, key: tls.serverKey } });
      servers.push(s);
      const r = await discoverGrpc('127.0.0.1', s.port, { tls: { ca: tls.caCert } });
      assert.ok(r.ok, JSON.stringify(r));
      assert.equal(r.functions.length, 15);
      const untrusted = await discoverGrpc('127.0.0.1', s.port, { tls: {}, timeoutMs: 3000 });
      assert.ok(!untrusted.ok && /certificate/i.test(untrusted.error), JSON.stringify(untrusted));
    } finally {
      tls.cleanup();
    }
  });

  it('falls back to v1alpha when the server lacks v1', async () => {
    const s = await bookstore('v1alpha');
    const r = await discoverGrpc('127.0.0.1', s.port);
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.api, 'v1alpha');
    assert.equal(r.functions.length, 15);
  });

  it('returns an error value for a server without reflection', async () => {
    const s = await bookstore('none');
    const r = await discoverGrpc('127.0.0.1', s.port);
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.error : '', /gRPC reflection at 127\.0\.0\.1:\d+: gRPC status 12/);
  });

  it('returns an error value when nothing listens', async () => {
    const free = net.createServer();
    await new Promise<void>((r) => free.listen(0, '127.0.0.1', r));
    const port = (free.address() as net.AddressInfo).port;
    await new Promise<void>((r) => free.close(() => r()));
    const r = await discoverGrpc('127.0.0.1', port, { timeoutMs: 2000 });
    assert.equal(r.ok, false);
  });

  it('gives up within its bound when the server never answers', async () => {
    const sockets: net.Socket[] = [];
    const mute = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => mute.listen(0, '127.0.0.1', r));
    const started = Date.now();
    const r = await discoverGrpc('127.0.0.1', (mute.address() as net.AddressInfo).port, { timeoutMs: 300 });
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.error : '', /no answer within 300 ms/);
    assert.ok(Date.now() - started < 3000);
    for (const s of sockets) s.destroy();
    await new Promise<void>((res) => mute.close(() => res()));
  });
});
