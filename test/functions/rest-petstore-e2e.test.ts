// End to end with real parts: a petstore service serving its Swagger document and operations;
// its functions discovered over HTTP, then called through restHandler with route parameters as
// Gloo's petstore guide writes them, directly and from curl through a small node:http front.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fetchOpenApi } from '../../src/functions/openapi/fetch.ts';
import { restHandler } from '../../src/functions/rest/handler.ts';
import type { DiscoveredFunction, FunctionRequest, FunctionResponse, ParameterSources, RestCall } from '../../src/functions/types.ts';

// The petstore of Gloo's guides (the "petstore expanded" example API), as Swagger 2.0.
const petstoreDoc = {
  swagger: '2.0',
  info: { title: 'Swagger Petstore', version: '1.0.0' },
  basePath: '/api',
  consumes: ['application/json'],
  produces: ['application/json'],
  paths: {
    '/pets': {
      get: {
        operationId: 'findPets',
        parameters: [
          { name: 'tags', in: 'query', type: 'array', items: { type: 'string' }, collectionFormat: 'csv' },
          { name: 'limit', in: 'query', type: 'integer' },
        ],
        responses: { '200': { description: 'pets' } },
      },
      post: {
        operationId: 'addPet',
        parameters: [{ name: 'pet', in: 'body', required: true, schema: { $ref: '#/definitions/NewPet' } }],
        responses: { '200': { description: 'the pet' } },
      },
    },
    '/pets/{id}': {
      parameters: [{ name: 'id', in: 'path', required: true, type: 'integer' }],
      get: { operationId: 'findPetById', responses: { '200': { description: 'a pet' } } },
      delete: { operationId: 'deletePet', responses: { '204': { description: 'deleted' } } },
    },
  },
  definitions: {
    NewPet: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, tag: { type: 'string' } } },
  },
};

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let petstore: http.Server;
let petstorePort: number;
const received: Received[] = [];

function startPetstore(): Promise<void> {
  const pets = new Map<number, Record<string, unknown>>([
    [1, { id: 1, name: 'Dog', status: 'available' }],
    [2, { id: 2, name: 'Cat', status: 'pending' }],
  ]);
  petstore = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      const url = new URL(req.url!, 'http://petstore');
      const json = (status: number, value: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      };
      if (url.pathname === '/swagger.json') return json(200, petstoreDoc);
      received.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const byId = /^\/api\/pets\/(\d+)$/.exec(url.pathname);
      if (req.method === 'GET' && url.pathname === '/api/pets') return json(200, [...pets.values()]);
      if (req.method === 'POST' && url.pathname === '/api/pets') {
        const pet = { id: pets.size + 1, ...(JSON.parse(body) as object) };
        pets.set(pet.id, pet);
        return json(200, pet);
      }
      if (req.method === 'GET' && byId) return pets.has(Number(byId[1])) ? json(200, pets.get(Number(byId[1]))) : json(404, { message: 'not found' });
      return json(404, { message: `no route for ${req.method} ${url.pathname}` });
    });
  });
  return new Promise((r) =>
    petstore.listen(0, '127.0.0.1', () => {
      petstorePort = (petstore.address() as AddressInfo).port;
      r();
    }),
  );
}

let functions: DiscoveredFunction[] = [];

before(async () => {
  await startPetstore();
  const found = await fetchOpenApi('127.0.0.1', petstorePort, { timeoutMs: 5000 });
  assert.ok(found.ok, found.ok ? '' : found.error);
  functions = found.functions;
});

after(async () => {
  petstore.closeAllConnections();
  await new Promise<void>((r) => petstore.close(() => r()));
});

/** A route's binding: a discovered function and the route's parameters, as the Gloo translator makes it. */
function bind(name: string, parameters: ParameterSources = { headers: [] }): RestCall {
  const fn = functions.find((f) => f.name === name);
  assert.ok(fn?.rest, `function ${name} not discovered`);
  return { type: 'rest', function: name, template: fn.rest, parameters };
}

const ctx = () => ({ pick: () => ({ address: '127.0.0.1', port: petstorePort }), signal: AbortSignal.timeout(5000) });

function req(method: string, path: string, body = '', headers: Record<string, string> = {}): FunctionRequest {
  return { method, path, headers: { host: 'gateway.example', ...(body ? { 'content-type': 'application/json' } : {}), ...headers }, body: Buffer.from(body) };
}

async function text(res: FunctionResponse): Promise<string> {
  if (Buffer.isBuffer(res.body)) return res.body.toString();
  const chunks: Buffer[] = [];
  for await (const c of res.body) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks).toString();
}

describe('petstore end to end: discover, then call functions', () => {
  it('discovers the four operations over HTTP', () => {
    assert.deepEqual(
      functions.map((f) => f.name),
      ['addPet', 'deletePet', 'findPetById', 'findPets'],
    );
  });

  it('findPetById from a path parameter', async () => {
    const res = await restHandler(bind('findPetById', { headers: [], path: '/petstore/findWithId/{id}' }), req('GET', '/petstore/findWithId/1'), ctx());
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(await text(res)), { id: 1, name: 'Dog', status: 'available' });
    const got = received[received.length - 1]!;
    assert.equal(got.method, 'GET');
    assert.equal(got.url, '/api/pets/1');
    assert.equal(got.body, '');
  });

  it('findPetById from the JSON body, as in Gloo\'s guide (curl -d \'{"id": 2}\')', async () => {
    const res = await restHandler(bind('findPetById'), req('POST', '/petstore/findPet', '{"id": 2}'), ctx());
    assert.deepEqual(JSON.parse(await text(res)), { id: 2, name: 'Cat', status: 'pending' });
    const got = received[received.length - 1]!;
    assert.equal(got.method, 'GET');
    assert.equal(got.url, '/api/pets/2');
    assert.equal(got.headers['content-type'], undefined);
  });

  it('addPet with a JSON body', async () => {
    const res = await restHandler(bind('addPet'), req('POST', '/petstore/addPet', '{"name": "Fish", "tag": "wet"}', { 'content-type': 'text/plain' }), ctx());
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(await text(res)), { id: 3, name: 'Fish', tag: 'wet' });
    const got = received[received.length - 1]!;
    assert.equal(got.method, 'POST');
    assert.equal(got.url, '/api/pets');
    assert.equal(got.body, '{"name": "Fish", "tag": "wet"}');
    assert.equal(got.headers['content-type'], 'application/json');
  });

  it('query parameters from a header and the path', async () => {
    const call = bind('findPets', { headers: [['x-limit', '{limit}']], path: '/petstore/tagged/{tags}' });
    const res = await restHandler(call, req('GET', '/petstore/tagged/dog', '', { 'x-limit': '5' }), ctx());
    assert.equal(res.status, 200);
    await text(res);
    assert.equal(received[received.length - 1]!.url, '/api/pets?tags=dog&limit=5');
    await text(await restHandler(call, req('GET', '/petstore/tagged/cat'), ctx()));
    assert.equal(received[received.length - 1]!.url, '/api/pets?tags=cat&limit=');
  });

  it('curl through a node:http front that hands requests to restHandler', async () => {
    const routes: [prefix: string, call: RestCall][] = [
      ['/petstore/findWithId/', bind('findPetById', { headers: [], path: '/petstore/findWithId/{id}' })],
      ['/petstore/addPet', bind('addPet')],
    ];
    const front = http.createServer((creq, cres) => {
      const chunks: Buffer[] = [];
      creq.on('data', (c: Buffer) => chunks.push(c));
      creq.on('end', () => {
        const route = routes.find(([prefix]) => creq.url!.startsWith(prefix));
        if (!route) return void cres.writeHead(404).end();
        const headers: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(creq.headers)) if (v !== undefined) headers[k] = v;
        restHandler(route[1], { method: creq.method!, path: creq.url!, headers, body: Buffer.concat(chunks) }, ctx()).then(
          async (res) => {
            cres.writeHead(res.status, res.headers as http.OutgoingHttpHeaders);
            if (Buffer.isBuffer(res.body)) return void cres.end(res.body);
            for await (const c of res.body) cres.write(c);
            cres.end();
          },
          () => cres.writeHead(502).end(),
        );
      });
    });
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', () => r()));
    const port = (front.address() as AddressInfo).port;
    const curl = (...args: string[]): Promise<string> =>
      new Promise((resolve, reject) => {
        execFile('curl', ['-sS', '--max-time', '5', ...args], { timeout: 10_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
      });
    try {
      assert.deepEqual(JSON.parse(await curl(`http://127.0.0.1:${port}/petstore/findWithId/2`)), { id: 2, name: 'Cat', status: 'pending' });
      assert.equal(received[received.length - 1]!.url, '/api/pets/2');
      const added = JSON.parse(await curl('-H', 'content-type: application/json', '-d', '{"name":"Owl"}', `http://127.0.0.1:${port}/petstore/addPet`)) as { name: string };
      assert.equal(added.name, 'Owl');
      assert.equal(received[received.length - 1]!.body, '{"name":"Owl"}');
      assert.match(await curl('-o', '/dev/null', '-w', '%{http_code}', `http://127.0.0.1:${port}/petstore/findWithId/99`), /^404$/);
    } finally {
      front.closeAllConnections();
      await new Promise<void>((r) => front.close(() => r()));
    }
  });
});
