// Function discovery through `sluice serve`, as Gloo's FDS does it: Upstreams labelled
// `discovery.solo.io/function_discovery: enabled` are served as written until their functions are
// found — the REST operations of the service's OpenAPI document, the gRPC services its server
// reflection lists — then routes calling those functions by name (or transcoding to them) work,
// and /status lists what was found.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type BookstoreServer, startBookstore } from '../functions/grpc-json-server.ts';
import { closeGrpcSessions } from '../../src/functions/grpc-json/sessions.ts';
import { ConfigDir, backend } from '../support/config.ts';
import { eventually, getJson } from '../support/http.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { GLOO, vs } from '../gloo/support.ts';

const SWAGGER = readFileSync(new URL('../fixtures/petstore/swagger.json', import.meta.url), 'utf8');

/** The public Petstore: its Swagger document at /swagger.json, and getPetById at /v2/pet/{id}. */
async function startPetstore(): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.url === '/swagger.json') return void res.writeHead(200, { 'content-type': 'application/json' }).end(SWAGGER);
    const id = /^\/v2\/pet\/(\d+)$/.exec(req.url ?? '')?.[1];
    if (req.method === 'GET' && id !== undefined) return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: Number(id), name: 'doggie' }));
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

function get(addr: string, host: string, path: string): Promise<{ status: number; body: string }> {
  const at = addr.lastIndexOf(':');
  return new Promise((resolve, reject) => {
    const req = http.get({ host: addr.slice(0, at), port: Number(addr.slice(at + 1)), path, headers: { host }, timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

const discovered = (name: string, spec: object) => ({
  apiVersion: GLOO,
  kind: 'Upstream',
  metadata: { name, namespace: 'default', labels: { 'discovery.solo.io/function_discovery': 'enabled' } },
  spec,
});

describe('Gloo function discovery through sluice serve', () => {
  let cfg: ConfigDir;
  let pets: Awaited<ReturnType<typeof startPetstore>>;
  let books: BookstoreServer;
  let sluice: SluiceProcess;
  let addr: string;

  before(async () => {
    [pets, books] = await Promise.all([startPetstore(), startBookstore({ reflection: 'both' })]);
    cfg = await ConfigDir.create();
    await cfg.write('backends.yaml', [
      ...backend('petstore', [{ ip: '127.0.0.1', port: pets.port }]),
      ...backend('bookstore', [{ ip: '127.0.0.1', port: books.port }], { portName: 'grpc' }),
    ]);
    await cfg.write('upstreams.yaml', [
      discovered('petstore', { kube: { serviceName: 'petstore', serviceNamespace: 'default', servicePort: 80 } }),
      discovered('bookstore', { useHttp2: true, kube: { serviceName: 'bookstore', serviceNamespace: 'default', servicePort: 80 } }),
    ]);
    await cfg.write('vs.yaml', [
      vs('api', {
        virtualHost: {
          domains: ['api.example.com'],
          routes: [
            {
              matchers: [{ prefix: '/pets/' }],
              routeAction: { single: { upstream: { name: 'petstore', namespace: 'default' }, destinationSpec: { rest: { functionName: 'getPetById', parameters: { headers: { ':path': '/pets/{petId}' } } } } } },
            },
            { matchers: [{ prefix: '/v1/' }], routeAction: { single: { upstream: { name: 'bookstore', namespace: 'default' } } } },
          ],
        },
      }),
    ]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
    addr = sluice.addresses.http as string;
  });
  after(async () => {
    await sluice?.stop();
    closeGrpcSessions();
    await Promise.all([pets?.close(), books?.close()]);
    await cfg?.cleanup();
  });

  it('a REST function found in the service’s Swagger document is called by name', async () => {
    let r = { status: 0, body: '' };
    await eventually(async () => (r = await get(addr, 'api.example.com', '/pets/12')).status === 200, 15_000);
    assert.equal(r.status, 200, r.body);
    assert.deepEqual(JSON.parse(r.body), { id: 12, name: 'doggie' });
  });

  it('a gRPC service found by server reflection is transcoded from REST+JSON', async () => {
    let r = { status: 0, body: '' };
    await eventually(async () => (r = await get(addr, 'api.example.com', '/v1/shelves/8/books/21')).status === 200, 15_000);
    assert.equal(r.status, 200, r.body);
    assert.deepEqual(JSON.parse(r.body), { id: '21', title: 'book 21 of shelves/8' });
  });

  it('/status lists each Upstream’s discovery and the functions found', async () => {
    const status = (await getJson<{ functionDiscovery: Array<{ upstream: string; state: string; functions: string[] }> }>(sluice.addresses.admin as string, 'admin', '/status')).json;
    const byName = new Map(status.functionDiscovery.map((d) => [d.upstream, d]));
    assert.equal(byName.get('default/petstore')?.state, 'found');
    assert.ok(byName.get('default/petstore')?.functions.includes('getPetById'));
    assert.equal(byName.get('default/bookstore')?.state, 'found');
    assert.ok((byName.get('default/bookstore')?.functions.length ?? 0) > 0);
  });

  it('the Upstream’s own status lists the discovered functions (what Kubernetes mode writes back)', async () => {
    type Entry = { kind: string; name: string; status: { statuses: Record<string, { details?: { functions?: string[] } }> } };
    const status = (await getJson<{ gloo: Entry[] }>(sluice.addresses.admin as string, 'admin', '/status')).json;
    const functionsOf = (name: string) => Object.values(status.gloo.find((e) => e.kind === 'Upstream' && e.name === name)?.status.statuses ?? {})[0]?.details?.functions ?? [];
    assert.ok(functionsOf('petstore').includes('getPetById'), JSON.stringify(functionsOf('petstore')));
    assert.deepEqual(functionsOf('bookstore').length > 0, true);
  });
});
