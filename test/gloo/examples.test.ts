// examples/gloo: each set is clean for `sluice validate`, and `sluice serve` routes them to real
// upstreams (their endpoints moved from the demo's ports to this test's). Function routes are
// checked in /config: their bindings are there for the data plane's function host.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FunctionBinding } from '../../src/functions/types.ts';
import { ConfigDir } from '../support/config.ts';
import { get, getJson } from '../support/http.ts';
import { repoRoot, runSluice, type SluiceProcess, startSluice } from '../support/sluice.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';

const EXAMPLES = join(repoRoot, 'examples', 'gloo');
const sets = readdirSync(EXAMPLES, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

describe('examples/gloo', () => {
  it('has the sets the README lists', () => {
    assert.deepEqual(sets, ['delegation', 'hello-world', 'lambda', 'monolith', 'petstore-functions']);
  });

  for (const set of sets) {
    it(`${set}: sluice validate finds no problem`, async () => {
      const r = await runSluice(['validate', join(EXAMPLES, set)]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.doesNotMatch(r.stdout, /warning/);
    });
  }
});

describe('sluice serve with examples/gloo', () => {
  let one: Upstream;
  let two: Upstream;
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let http: string;

  before(async () => {
    [one, two] = await Promise.all([startUpstream('one'), startUpstream('two')]);
    cfg = await ConfigDir.create();
    for (const set of sets) {
      for (const file of readdirSync(join(EXAMPLES, set)).filter((f) => f.endsWith('.yaml'))) {
        const text = readFileSync(join(EXAMPLES, set, file), 'utf8').replaceAll('port: 18001', `port: ${one.port}`).replaceAll('port: 18002', `port: ${two.port}`);
        await writeFile(join(cfg.dir, `${set}-${file}`), text);
      }
    }
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
    http = sluice.addresses.http as string;
  });
  after(async () => {
    await sluice?.stop();
    await Promise.all([one?.close(), two?.close()]);
    await cfg?.cleanup();
  });

  const call = async (host: string, path: string, headers: Record<string, string> = {}) => {
    const r = await get(http, host, path, headers);
    assert.equal(r.status, 200, `${host}${path}: ${r.status} ${r.body}`);
    const echo = JSON.parse(r.body) as { name: string; url: string; headers: Record<string, string> };
    return { upstream: echo.name, url: echo.url, headers: echo.headers };
  };

  it('hello-world: /all-pets reaches the petstore at /api/pets', async () => {
    assert.deepEqual(await call('petstore.example.com', '/all-pets').then((r) => [r.upstream, r.url]), ['one', '/api/pets']);
  });

  it('delegation: each prefix reaches its team table', async () => {
    const cart = await call('shop.example.com', '/api/cart/items');
    assert.deepEqual([cart.upstream, cart.url, cart.headers['x-team']], ['two', '/items', 'cart']);
    assert.deepEqual(await call('shop.example.com', '/api/v1/catalog/shoes').then((r) => [r.upstream, r.url]), ['one', '/shoes']);
    assert.equal((await call('shop.example.com', '/api/orders', { 'x-orders': '1' })).upstream, 'two');
    assert.equal((await call('shop.example.com', '/api/orders')).upstream, 'one');
  });

  it('monolith: what has not moved still reaches the monolith', async () => {
    assert.deepEqual(await call('monolith.example.com', '/legacy/report').then((r) => [r.upstream, r.url]), ['one', '/legacy/report']);
  });

  it('binds the function routes of petstore-functions, lambda and monolith', async () => {
    const { json } = await getJson<{ functions: FunctionBinding[] }>(sluice.addresses.admin as string, 'admin', '/config');
    const calls = json.functions.map((f) => `${f.call.type} ${f.call.type === 'rest' ? f.call.function : f.call.type === 'aws-lambda' ? f.call.functionName : ''} ${f.cluster ?? '-'}`);
    assert.deepEqual(calls.sort(), [
      'aws-lambda audit-log -',
      'aws-lambda create-order -',
      'aws-lambda hello-world -',
      'rest addPet upstream:gloo-system/default-petstore-api-8080',
      'rest findPetById upstream:gloo-system/default-petstore-api-8080',
      'rest findPets upstream:gloo-system/default-petstore-api-8080',
      'rest getPet upstream:gloo-system/pets',
    ]);
  });
});
