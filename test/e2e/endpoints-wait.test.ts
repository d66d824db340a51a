// Knative's TestUpdate through the real `sluice serve` (file mode): an ingress is moved to a new
// Service whose Endpoints come later, as EndpointSlices often do in a cluster. Until they come, the
// previous version keeps being served (requests reach the old backend, probes and /status answer
// with the old hash) and the status says why; then the new version is served and Ready.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { eventually, get, getJson } from '../support/http.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { type Upstream, startUpstream } from '../support/upstream.ts';

interface Status {
  ingresses: Array<{ name: string; hash: string; conditions: Array<{ type: string; status: string; reason?: string; message?: string }> }>;
}

const appIngress = (service: string) =>
  ingress('app', [{ hosts: ['app.example.com'], paths: [{ splits: [{ service, appendHeaders: { 'Who-Are-You': service } }] }] }]);

describe('a new version waiting for endpoints (sluice serve)', () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let first: Upstream;
  let next: Upstream;

  before(async () => {
    [first, next] = [await startUpstream('first'), await startUpstream('next')];
    cfg = await ConfigDir.create();
    await cfg.write('first.yaml', backend('first', [{ ip: '127.0.0.1', port: first.port }]));
    await cfg.write('app.yaml', [appIngress('first')]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
  });

  after(async () => {
    await sluice?.stop();
    await first?.close();
    await next?.close();
    await cfg?.cleanup();
  });

  const app = async () => (await getJson<{ name: string }>(sluice.addresses.http!, 'app.example.com', '/')).json.name;
  const status = async () => (await getJson<Status>(sluice.addresses.admin!, 'admin', '/status')).json.ingresses.find((i) => i.name === 'app')!;
  const ready = async () => (await status()).conditions.find((c) => c.type === 'Ready')!;
  const probedHash = async () => (await get(sluice.addresses.http!, 'app.example.com', '/', { 'K-Network-Probe': 'probe', 'K-Network-Hash': 'override' })).headers['k-network-hash'];

  it('keeps serving the previous version, and its hash, until the new Service has endpoints', async () => {
    assert.ok(await eventually(async () => (await ready()).status === 'True', 10_000), 'the first version is Ready');
    assert.equal(await app(), 'first');
    const oldHash = (await status()).hash;
    assert.equal(await probedHash(), oldHash);

    // The Service of the new version exists, but has no Endpoints yet.
    await cfg.write('next.yaml', [backend('next', [{ ip: '127.0.0.1', port: next.port }])[0]!]);
    await cfg.write('app.yaml', [appIngress('next')]);
    assert.ok(await eventually(async () => (await ready()).reason === 'EndpointsNotReady', 10_000), 'the new version is reported waiting');
    const waiting = await status();
    assert.equal(waiting.hash, oldHash, '/status keeps the hash of the version served');
    assert.equal(waiting.conditions.find((c) => c.type === 'LoadBalancerReady')?.status, 'Unknown');
    assert.equal(waiting.conditions.find((c) => c.type === 'NetworkConfigured')?.status, 'True');
    assert.match((await ready()).message ?? '', /default\/next/);
    for (let i = 0; i < 5; i++) assert.equal(await app(), 'first', 'requests still reach the old backend');
    assert.equal(await probedHash(), oldHash, 'probes answer with the previous hash');
    assert.equal(next.requests.length, 0);

    // The Endpoints come: the new version is served and Ready, with its own hash.
    await cfg.write('next.yaml', backend('next', [{ ip: '127.0.0.1', port: next.port }]));
    assert.ok(await eventually(async () => (await ready()).status === 'True', 10_000), 'the new version becomes Ready');
    const newHash = (await status()).hash;
    assert.notEqual(newHash, oldHash);
    assert.equal(await app(), 'next');
    assert.equal(next.requests.at(-1)?.headers['who-are-you'], 'next');
    assert.equal(await probedHash(), newHash);
  });
});
