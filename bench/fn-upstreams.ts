// The function bench's backends in one process of their own (pinned beside the load generator): a
// node:http petstore, the grpc-js bookstore of the transcoding tests and the SigV4-checking fake
// Lambda. Prints one `FNUPSTREAMS {json}` line with their addresses, then serves until SIGTERM.
//   node --import tsx bench/fn-upstreams.ts
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startBookstore } from '../test/functions/grpc-json-server.ts';
import { startFakeLambda } from '../test/support/fake-lambda.ts';
import { FN_UPSTREAMS_PREFIX, LAMBDA_FUNCTION, type FnUpstreamAddresses } from './fn-config.ts';


/** GET /api/pets/{id} answers a small JSON pet; anything else a small JSON object. */
function startPetstore(): Promise<http.Server> {
  const server = http.createServer({ keepAliveTimeout: 300_000 }, (req, res) => {
    const id = /^\/api\/pets\/(\d+)$/.exec(req.url ?? '')?.[1];
    const body = JSON.stringify(id ? { id: Number(id), name: `pet ${id}` } : { ok: true });
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function main(): Promise<void> {
  const [pets, books, lambda] = await Promise.all([startPetstore(), startBookstore({ reflection: 'none' }), startFakeLambda()]);
  lambda.register(LAMBDA_FUNCTION, (event) => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hello: (event as { path?: string }).path }) }));
  // the fake keeps every invocation for tests to inspect; under load that only grows
  setInterval(() => void (lambda.invocations.length = 0), 1000).unref();
  const out: FnUpstreamAddresses = {
    petstorePort: (pets.address() as AddressInfo).port,
    bookstorePort: books.port,
    lambda: { endpoint: lambda.endpoint, region: lambda.region, accessKeyId: lambda.credentials.accessKeyId, secretAccessKey: lambda.credentials.secretAccessKey },
  };
  process.stdout.write(`${FN_UPSTREAMS_PREFIX}${JSON.stringify(out)}\n`);
  process.on('SIGTERM', () => {
    pets.closeAllConnections();
    pets.close();
    void Promise.all([books.close(), lambda.close()]).finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  });
}

await main();
