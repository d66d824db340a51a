// Knative details checked through the real `sluice` CLI, where Sluice once differed from Kourier
// and Knative: a probe without K-Network-Hash, a presence header match (`exact: ""`), and
// `httpOption: Redirected` on the cluster-local listener with Envoy's Location.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { get } from '../support/http.ts';
import { type SluiceProcess, runSluice, startSluice } from '../support/sluice.ts';
import { type Upstream, startUpstream } from '../support/upstream.ts';

const run = promisify(execFile);

describe('Knative fidelity (sluice serve)', () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  const ups: Upstream[] = [];

  before(async () => {
    const [plain, canary] = [await startUpstream('plain'), await startUpstream('canary')];
    ups.push(plain, canary);
    cfg = await ConfigDir.create();
    await cfg.write('all.yaml', [
      ...backend('plain', [{ ip: '127.0.0.1', port: plain.port }]),
      ...backend('canary', [{ ip: '127.0.0.1', port: canary.port }]),
      ingress('app', [
        {
          hosts: ['app.example.com'],
          paths: [
            { headers: { 'X-Canary': '' }, splits: [{ service: 'canary' }] },
            { splits: [{ service: 'plain' }] },
          ],
        },
      ]),
      ingress('shop', [
        { hosts: ['shop.example.com'], paths: [{ path: '/cart', splits: [{ service: 'plain' }] }] },
        { hosts: ['shop.default.svc.cluster.local'], visibility: 'ClusterLocal', paths: [{ splits: [{ service: 'plain' }] }] },
      ], { httpOption: 'Redirected' }),
    ]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
  });

  after(async () => {
    await sluice?.stop();
    for (const u of ups) await u.close();
    await cfg?.cleanup();
  });

  it('validates `exact: ""` as Knative does (no InvalidSpec)', async () => {
    const r = await runSluice(['validate', cfg.dir], { boundMs: 30_000 });
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });

  it('routes on the presence of a header whose match is `exact: ""`', async () => {
    const name = async (headers: Record<string, string>) => JSON.parse((await get(sluice.addresses.http!, 'app.example.com', '/', headers)).body).name;
    assert.equal(await name({ 'X-Canary': 'yes' }), 'canary');
    assert.equal(await name({ 'X-Canary': '' }), 'canary');
    assert.equal(await name({}), 'plain');
  });

  it('answers a probe without K-Network-Hash with 400, and one with it with 200 and the hash', async () => {
    const bad = await get(sluice.addresses.http!, 'app.example.com', '/', { 'K-Network-Probe': 'probe' });
    assert.equal(bad.status, 400);
    assert.match(bad.body, /K-Network-Hash/);
    const good = await get(sluice.addresses.http!, 'app.example.com', '/', { 'K-Network-Probe': 'probe', 'K-Network-Hash': 'abc' });
    assert.equal(good.status, 200);
    assert.equal(good.headers['k-network-hash'], 'abc');
    // The same over h2c (curl with prior knowledge), on the cluster-local listener.
    const { stdout } = await run('curl', ['-sS', '--http2-prior-knowledge', '-o', '/dev/null', '--max-time', '10', '-w', '%{http_code}', '-H', 'Host: app.example.com', '-H', 'K-Network-Probe: probe', `http://${sluice.addresses.local!}/`]);
    assert.equal(stdout, '400');
  });

  it('redirects a Redirected ingress\'s external host on the local listener too, with Envoy\'s Location (curl)', async () => {
    for (const addr of [sluice.addresses.http!, sluice.addresses.local!]) {
      const { stdout } = await run('curl', ['-sS', '-o', '/dev/null', '--max-time', '10', '-w', '%{http_code} %{redirect_url}', '-H', 'Host: shop.example.com', `http://${addr}/cart/a?x=1`]);
      assert.equal(stdout, 'https://shop.example.com/cart/a?x=1'.replace(/^/, '301 '), addr);
      const { stdout: kept } = await run('curl', ['-sS', '-o', '/dev/null', '--max-time', '10', '-w', '%{http_code} %{redirect_url}', '-H', 'Host: shop.example.com:8080', `http://${addr}/cart`]);
      assert.equal(kept, '301 https://shop.example.com:8080/cart', 'a port other than 80 is kept, as Envoy keeps it');
    }
    // Unmatched paths are not redirected (Kourier redirects per path), and ClusterLocal rules never are.
    assert.equal((await get(sluice.addresses.http!, 'shop.example.com', '/other')).status, 404);
    assert.equal((await get(sluice.addresses.local!, 'shop.default.svc', '/')).status, 200);
  });
});
