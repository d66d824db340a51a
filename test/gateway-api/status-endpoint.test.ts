// The admin endpoint's /status lists Gateway API statuses (gatewayClasses, gateways, routes),
// with the real CLI reading a config directory: generation read from the file, hot reload, and a
// bad edit that keeps the last good version.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigDir } from '../support/config.ts';
import { eventually, getJson } from '../support/http.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';

const V1 = 'gateway.networking.k8s.io/v1';
interface Entry {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  generation: number;
  status: Record<string, unknown>;
}
interface StatusBody {
  gatewayClasses: Entry[];
  gateways: Entry[];
  routes: Entry[];
  rejected: Array<{ kind: string; name: string; errors: Array<{ path: string; message: string; line?: number }> }>;
}
type Condition = { type: string; status: string; reason: string; observedGeneration: number };

const gatewayClass = { apiVersion: V1, kind: 'GatewayClass', metadata: { name: 'sluice' }, spec: { controllerName: 'sluice.dev/gateway-controller' } };
const gateway = (port: number, generation: number) => ({
  apiVersion: V1,
  kind: 'Gateway',
  metadata: { name: 'gw', namespace: 'default', generation },
  spec: { gatewayClassName: 'sluice', listeners: [{ name: 'http', port, protocol: 'HTTP' }] },
});
const route = (generation: number) => ({
  apiVersion: V1,
  kind: 'HTTPRoute',
  metadata: { name: 'web', namespace: 'default', generation },
  spec: { parentRefs: [{ name: 'gw' }], rules: [{ backendRefs: [{ name: 'web', port: 8080 }] }] },
});

describe('/status with Gateway API objects', () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  const status = async (): Promise<StatusBody> => (await getJson<StatusBody>(sluice.addresses.admin as string, 'admin', '/status')).json;

  before(async () => {
    cfg = await ConfigDir.create();
    await cfg.write('gateway.yaml', [gatewayClass, gateway(80, 3)]);
    await cfg.write('route.yaml', [route(2)]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
  });
  after(async () => {
    await sluice?.stop();
    await cfg?.cleanup();
  });

  it('lists the GatewayClass, the Gateway and the route with their generations and conditions', async () => {
    const body = await status();
    assert.deepEqual(
      body.gatewayClasses.map((e) => [e.apiVersion, e.kind, e.namespace, e.name, e.generation]),
      [[V1, 'GatewayClass', '', 'sluice', 1]],
    );
    const gw = body.gateways[0] as Entry;
    assert.equal(gw.generation, 3);
    assert.deepEqual(
      (gw.status.conditions as Condition[]).map((c) => [c.type, c.status, c.observedGeneration]),
      [['Accepted', 'True', 3], ['Programmed', 'True', 3]],
    );
    assert.deepEqual(gw.status.addresses, [{ type: 'IPAddress', value: '0.0.0.0' }]);
    const web = body.routes[0] as Entry;
    const parent = (web.status.parents as Array<{ parentRef: object; conditions: Condition[] }>)[0];
    assert.deepEqual(parent?.parentRef, { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw' });
    assert.deepEqual(parent?.conditions.map((c) => [c.type, c.status, c.reason, c.observedGeneration]), [
      ['Accepted', 'True', 'Accepted', 2],
      ['ResolvedRefs', 'False', 'BackendNotFound', 2],
    ]);
  });

  it('follows an edit, and keeps the last good Gateway when an edit is rejected', async () => {
    await cfg.write('route.yaml', [route(4)]);
    const routeGeneration = async () => ((await status()).routes[0] as Entry | undefined)?.generation;
    assert.ok(await eventually(async () => (await routeGeneration()) === 4, 10_000), 'the route edit was not picked up');
    await cfg.write('gateway.yaml', [gatewayClass, gateway(70000, 5)]);
    assert.ok(await eventually(async () => (await status()).rejected.some((r) => r.kind === 'Gateway'), 10_000), 'the bad Gateway was not reported');
    const body = await status();
    // The error names the field and its line in the file.
    const errors = body.rejected.find((r) => r.kind === 'Gateway')?.errors ?? [];
    assert.deepEqual(errors.map((e) => [e.path, e.message, typeof e.line]), [['spec.listeners[0].port', 'must be 1..65535', 'number']]);
    assert.equal(body.gateways[0]?.generation, 3, 'the last good Gateway is still the one served');
  });
});
