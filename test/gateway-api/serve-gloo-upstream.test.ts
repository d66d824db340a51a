// Whole process: `sluice serve` routes an HTTPRoute whose backendRef names a Gloo static Upstream
// (`group: gloo.solo.io`, `kind: Upstream`) to the Upstream's real server, and /status says
// ResolvedRefs True.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigDir } from '../support/config.ts';
import { get, getJson } from '../support/http.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';
import { freePort } from '../proxy/gateway-ports-helpers.ts';

const V1 = 'gateway.networking.k8s.io/v1';

describe('sluice serve with an HTTPRoute to a Gloo Upstream', () => {
  let cfg: ConfigDir;
  let fn: Upstream;
  let sluice: SluiceProcess;
  let port: string;

  before(async () => {
    fn = await startUpstream('fn');
    const bound = await freePort();
    port = `127.0.0.1:${bound}`;
    cfg = await ConfigDir.create();
    await cfg.write('all.yaml', [
      { apiVersion: V1, kind: 'GatewayClass', metadata: { name: 'sluice' }, spec: { controllerName: 'sluice.dev/gateway-controller' } },
      { apiVersion: V1, kind: 'Gateway', metadata: { name: 'gw', namespace: 'default' }, spec: { gatewayClassName: 'sluice', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] } },
      { apiVersion: 'gloo.solo.io/v1', kind: 'Upstream', metadata: { name: 'fn', namespace: 'default' }, spec: { static: { hosts: [{ addr: '127.0.0.1', port: fn.port }] } } },
      {
        apiVersion: V1,
        kind: 'HTTPRoute',
        metadata: { name: 'to-upstream', namespace: 'default' },
        spec: { parentRefs: [{ name: 'gw' }], hostnames: ['fn.example.com'], rules: [{ backendRefs: [{ group: 'gloo.solo.io', kind: 'Upstream', name: 'fn' }] }] },
      },
    ]);
    sluice = await startSluice(
      ['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--gateway-address', '127.0.0.1', '--port-offset', String(bound - 80)],
      ['http', 'local', 'admin', `gateway/${port}`],
    );
  });
  after(async () => {
    await sluice?.stop();
    await fn?.close();
    await cfg?.cleanup();
  });

  it('sends the route\'s requests to the Upstream\'s host', async () => {
    const r = await get(port, 'fn.example.com', '/pets/1');
    assert.equal(r.status, 200);
    assert.equal(r.headers['x-upstream'], 'fn');
  });

  it('reports the Upstream reference resolved in /status', async () => {
    const { json } = await getJson<{ routes: Array<{ name: string; status: { parents: Array<{ conditions: Array<{ type: string; status: string }> }> } }> }>(sluice.addresses.admin as string, 'admin', '/status');
    const route = json.routes.find((r) => r.name === 'to-upstream');
    assert.equal(route?.status.parents[0]?.conditions.find((c) => c.type === 'ResolvedRefs')?.status, 'True');
  });
});
