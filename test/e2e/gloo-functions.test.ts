// Gloo's story end to end: `sluice serve` reads Gloo Edge resources and routes a client's plain
// HTTP+JSON call to one function of an upstream — a REST operation built from its template, a gRPC
// method through its google.api.http annotations, an AWS Lambda function signed with SigV4 — each
// backed by a real server (node:http petstore, grpc-js bookstore, a SigV4-checking Lambda endpoint).
import assert from 'node:assert/strict';
import http from 'node:http';
import type net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type BookstoreServer, startBookstore } from '../functions/grpc-json-server.ts';
import { PROTO_DIR, bookstoreDescriptorSet } from '../functions/grpc-json-fixture.ts';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ConfigDir, backend } from '../support/config.ts';
import { type FakeLambda, startFakeLambda } from '../support/fake-lambda.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { GLOO, upstream, vs } from '../gloo/support.ts';

interface Seen {
  method: string;
  url: string;
  body: string;
}

/** A petstore REST service recording what reached it. */
async function startPetstore(): Promise<{ port: number; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', body });
      const id = /^\/api\/pets\/(\d+)$/.exec(req.url ?? '')?.[1];
      res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(id ? { id: Number(id), name: `pet ${id}` } : { ok: true }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    seen,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

function call(addr: string, host: string, method: string, path: string, body?: string): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  const [h, p] = [addr.slice(0, addr.lastIndexOf(':')), Number(addr.slice(addr.lastIndexOf(':') + 1))];
  return new Promise((resolve, reject) => {
    const req = http.request({ host: h, port: p, method, path, headers: { host, ...(body ? { 'content-type': 'application/json' } : {}) }, timeout: 10_000 }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

describe('Gloo function routing through sluice serve', () => {
  let cfg: ConfigDir;
  let pets: Awaited<ReturnType<typeof startPetstore>>;
  let books: BookstoreServer;
  let lambda: FakeLambda;
  let sluice: SluiceProcess;
  let addr: string;

  before(async () => {
    [pets, books, lambda] = await Promise.all([startPetstore(), startBookstore({ reflection: 'none' }), startFakeLambda()]);
    lambda.register('hello-world', (event) => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hello: (event as { path?: string }).path }) }));
    cfg = await ConfigDir.create();
    await cfg.write('backends.yaml', [
      ...backend('petstore', [{ ip: '127.0.0.1', port: pets.port }]),
      ...backend('bookstore', [{ ip: '127.0.0.1', port: books.port }], { portName: 'grpc' }),
    ]);
    await cfg.write('upstreams.yaml', [
      upstream('petstore', {
        kube: {
          serviceName: 'petstore',
          serviceNamespace: 'default',
          servicePort: 80,
          serviceSpec: {
            rest: {
              transformations: {
                findPetById: { headers: { ':method': { text: 'GET' }, ':path': { text: '/api/pets/{{ default(id, "") }}' }, 'content-length': { text: '0' } }, body: {} },
                addPet: { headers: { ':method': { text: 'POST' }, ':path': { text: '/api/pets' }, 'content-type': { text: 'application/json' } }, body: { text: '{"name": "{{ default(name, "") }}"}' } },
              },
            },
          },
        },
      }),
      upstream('bookstore', {
        kube: {
          serviceName: 'bookstore',
          serviceNamespace: 'default',
          servicePort: 80,
          serviceSpec: { grpcJsonTranscoder: { protoDescriptorBin: bookstoreDescriptorSet(), services: ['bookstore.Bookstore'] } },
        },
      }),
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'aws-creds', namespace: 'default' },
        type: 'Opaque',
        stringData: { aws_access_key_id: lambda.credentials.accessKeyId, aws_secret_access_key: lambda.credentials.secretAccessKey },
      },
      {
        apiVersion: GLOO,
        kind: 'Upstream',
        metadata: { name: 'aws', namespace: 'default' },
        spec: { aws: { region: lambda.region, secretRef: { name: 'aws-creds', namespace: 'default' }, endpoint: lambda.endpoint, lambdaFunctions: [{ lambdaFunctionName: 'hello-world', logicalName: 'hello' }] } },
      },
    ]);
    const single = (name: string, destinationSpec: object) => ({ single: { upstream: { name, namespace: 'default' }, destinationSpec } });
    await cfg.write('vs.yaml', [
      vs('monolith', {
        virtualHost: {
          domains: ['api.example.com'],
          routes: [
            { matchers: [{ prefix: '/pets/', methods: ['GET'] }], routeAction: single('petstore', { rest: { functionName: 'findPetById', parameters: { headers: { ':path': '/pets/{id}' } } } }) },
            { matchers: [{ exact: '/pets', methods: ['POST'] }], routeAction: single('petstore', { rest: { functionName: 'addPet' } }) },
            { matchers: [{ prefix: '/v1/' }], routeAction: { single: { upstream: { name: 'bookstore', namespace: 'default' } } } },
            { matchers: [{ prefix: '/hello' }], routeAction: single('aws', { aws: { logicalName: 'hello', wrapAsApiGateway: true, unwrapAsApiGateway: true } }) },
          ],
        },
      }),
      // gRPC clients of the transcoded upstream reach it unchanged, as Envoy's transcoder passes them through.
      vs('grpc', { virtualHost: { domains: ['grpc.example.com'], routes: [{ matchers: [{ prefix: '/' }], routeAction: { single: { upstream: { name: 'bookstore', namespace: 'default' } } } }] } }),
    ]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
    addr = sluice.addresses.http as string;
  });
  after(async () => {
    await sluice?.stop();
    await Promise.all([pets?.close(), books?.close(), lambda?.close()]);
    await cfg?.cleanup();
  });

  it('a REST function: GET /pets/7 becomes the template’s GET /api/pets/7', async () => {
    const r = await call(addr, 'api.example.com', 'GET', '/pets/7');
    assert.equal(r.status, 200, r.body);
    assert.deepEqual(JSON.parse(r.body), { id: 7, name: 'pet 7' });
    assert.deepEqual(pets.seen.at(-1), { method: 'GET', url: '/api/pets/7', body: '' });
  });

  it('a REST function with a body template: the client’s JSON fields fill it', async () => {
    const r = await call(addr, 'api.example.com', 'POST', '/pets', JSON.stringify({ name: 'rex', extra: true }));
    assert.equal(r.status, 201, r.body);
    assert.deepEqual(pets.seen.at(-1), { method: 'POST', url: '/api/pets', body: '{"name": "rex"}' });
  });

  it('gRPC-JSON transcoding: GET /v1/shelves/8/books/21 calls the annotated gRPC method', async () => {
    const r = await call(addr, 'api.example.com', 'GET', '/v1/shelves/8/books/21');
    assert.equal(r.status, 200, r.body);
    assert.deepEqual(JSON.parse(r.body), { id: '21', title: 'book 21 of shelves/8' });
  });

  it('a gRPC client on a transcoded upstream\'s route is forwarded as gRPC, not transcoded', async () => {
    const def = protoLoader.loadSync('bookstore/bookstore.proto', { includeDirs: [PROTO_DIR], keepCase: true, longs: String, enums: String, defaults: false, oneofs: true });
    const pkg = grpc.loadPackageDefinition(def) as unknown as { bookstore: { Bookstore: grpc.ServiceClientConstructor } };
    const client = new pkg.bookstore.Bookstore(addr, grpc.credentials.createInsecure(), { 'grpc.default_authority': 'grpc.example.com' });
    try {
      const book = await new Promise<Record<string, unknown>>((resolve, reject) => {
        client.GetBook({ name: 'shelves/8', book: '21' }, { deadline: Date.now() + 10_000 }, (err: grpc.ServiceError | null, res: Record<string, unknown>) => (err ? reject(err) : resolve(res)));
      });
      assert.deepEqual({ id: book.id, title: book.title }, { id: '21', title: 'book 21 of shelves/8' });
      assert.equal(books.lastMetadata()?.get('x-sluice-function').length, 0, 'no function call header reaches the upstream');
    } finally {
      client.close();
    }
  });

  it('an AWS Lambda function: a signed Invoke with an API Gateway event, its proxy answer unwrapped', async () => {
    const r = await call(addr, 'api.example.com', 'GET', '/hello/world');
    assert.equal(r.status, 200, r.body);
    assert.deepEqual(JSON.parse(r.body), { hello: '/hello/world' });
    assert.equal(lambda.invocations.at(-1)?.functionName, 'hello-world');
  });
});
