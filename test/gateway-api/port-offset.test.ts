// Whole process: with --port-offset, a Gateway listener declared on port 80 is bound elsewhere,
// yet clients and routes see port 80: a redirect without a port names the listener's port (80:
// left out), not the bound one the Host carries, and Host matching ignores the port. In file mode
// Sluice also plays the API server: /status shows the CRDs' defaults and the address as IPAddress.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend } from '../support/config.ts';
import { get, getJson } from '../support/http.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';
import { freePort } from '../proxy/gateway-ports-helpers.ts';

const V1 = 'gateway.networking.k8s.io/v1';
const gatewayClass = { apiVersion: V1, kind: 'GatewayClass', metadata: { name: 'sluice' }, spec: { controllerName: 'sluice.dev/gateway-controller' } };
const gateway = {
  apiVersion: V1,
  kind: 'Gateway',
  metadata: { name: 'gw', namespace: 'default' },
  spec: { gatewayClassName: 'sluice', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
};
const redirectRoute = {
  apiVersion: V1,
  kind: 'HTTPRoute',
  metadata: { name: 'moved', namespace: 'default' },
  spec: {
    parentRefs: [{ name: 'gw' }],
    hostnames: ['moved.example.com'],
    rules: [
      { matches: [{ path: { type: 'PathPrefix', value: '/host' } }], filters: [{ type: 'RequestRedirect', requestRedirect: { hostname: 'new.example.com' } }] },
      { matches: [{ path: { type: 'PathPrefix', value: '/port' } }], filters: [{ type: 'RequestRedirect', requestRedirect: { port: 8443 } }] },
    ],
  },
};
const webRoute = {
  apiVersion: V1,
  kind: 'HTTPRoute',
  metadata: { name: 'web', namespace: 'default' },
  spec: { parentRefs: [{ name: 'gw' }], hostnames: ['web.example.com'], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] },
};

describe('a Gateway listener bound with --port-offset', () => {
  let cfg: ConfigDir;
  let web: Upstream;
  let sluice: SluiceProcess;
  let bound: number;
  let port: string;

  before(async () => {
    web = await startUpstream('web');
    bound = await freePort();
    port = `127.0.0.1:${bound}`;
    cfg = await ConfigDir.create();
    await cfg.write('backends.yaml', backend('web', [{ ip: '127.0.0.1', port: web.port }]));
    await cfg.write('gateway.yaml', [gatewayClass, gateway, redirectRoute, webRoute]);
    sluice = await startSluice(
      ['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--gateway-address', '127.0.0.1', '--port-offset', String(bound - 80)],
      ['http', 'local', 'admin', `gateway/${port}`],
    );
  });
  after(async () => {
    await sluice?.stop();
    await web?.close();
    await cfg?.cleanup();
  });

  it('redirects without a port as if served on the listener port, whatever port the Host carries', async () => {
    const r = await get(port, `moved.example.com:${bound}`, '/host/a?b=1');
    assert.equal(r.status, 302);
    assert.equal(r.headers.location, 'http://new.example.com/host/a?b=1');
  });

  it('keeps an explicit redirect port', async () => {
    const r = await get(port, `moved.example.com:${bound}`, '/port');
    assert.equal(r.headers.location, 'http://moved.example.com:8443/port');
  });

  it('matches the Host with or without the bound port', async () => {
    assert.equal((await get(port, 'web.example.com')).headers['x-upstream'], 'web');
    assert.equal((await get(port, `web.example.com:${bound}`)).headers['x-upstream'], 'web');
  });

  it('shows in /status the defaults the API server would fill in', async () => {
    type Entry = { name: string; status: Record<string, unknown> };
    const { json } = await getJson<{ gateways: Entry[]; routes: Entry[] }>(sluice.addresses.admin as string, 'admin', '/status');
    const gw = json.gateways.find((g) => g.name === 'gw');
    assert.deepEqual(gw?.status.addresses, [{ type: 'IPAddress', value: '127.0.0.1' }]);
    const listeners = gw?.status.listeners as Array<{ supportedKinds: unknown[]; attachedRoutes: number }>;
    assert.equal(listeners[0]?.attachedRoutes, 2);
    const parents = json.routes.find((r) => r.name === 'web')?.status.parents as Array<{ parentRef: Record<string, unknown>; controllerName: string }>;
    assert.deepEqual(parents[0]?.parentRef, { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw' });
    assert.equal(parents[0]?.controllerName, 'sluice.dev/gateway-controller');
  });
});
