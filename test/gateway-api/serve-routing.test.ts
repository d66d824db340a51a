// Whole process: `sluice serve` reads Gateways and HTTPRoutes from files and routes real requests
// to real upstreams on the Gateway's port (plus --port-offset): listener isolation by hostname,
// a route that does not attach serves nothing, an edit is served without a restart, and /status
// tells each route's story.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend } from '../support/config.ts';
import { eventually, get, getJson } from '../support/http.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';
import { freePort } from '../proxy/gateway-ports-helpers.ts';

const V1 = 'gateway.networking.k8s.io/v1';
const gatewayClass = { apiVersion: V1, kind: 'GatewayClass', metadata: { name: 'sluice' }, spec: { controllerName: 'sluice.dev/gateway-controller' } };
const gateway = {
  apiVersion: V1,
  kind: 'Gateway',
  metadata: { name: 'gw', namespace: 'default' },
  spec: {
    gatewayClassName: 'sluice',
    listeners: [
      { name: 'wild', port: 80, protocol: 'HTTP', hostname: '*.example.com' },
      { name: 'api', port: 80, protocol: 'HTTP', hostname: 'api.example.com' },
    ],
  },
};
const route = (name: string, section: string, service: string, extra: object = {}) => ({
  apiVersion: V1,
  kind: 'HTTPRoute',
  metadata: { name, namespace: 'default' },
  spec: { parentRefs: [{ name: 'gw', sectionName: section }], rules: [{ backendRefs: [{ name: service, port: 80 }] }], ...extra },
});

describe('sluice serve with a Gateway and HTTPRoutes', () => {
  let cfg: ConfigDir;
  let a: Upstream;
  let b: Upstream;
  let sluice: SluiceProcess;
  let port: string;
  const upstreamOf = async (host: string, path = '/') => {
    const r = await get(port, host, path);
    return r.status === 200 ? String(r.headers['x-upstream']) : r.status;
  };

  before(async () => {
    [a, b] = await Promise.all([startUpstream('a'), startUpstream('b')]);
    const bound = await freePort();
    port = `127.0.0.1:${bound}`;
    cfg = await ConfigDir.create();
    await cfg.write('backends.yaml', [...backend('a', [{ ip: '127.0.0.1', port: a.port }]), ...backend('b', [{ ip: '127.0.0.1', port: b.port }])]);
    await cfg.write('gateway.yaml', [gatewayClass, gateway]);
    await cfg.write('routes.yaml', [
      route('wild', 'wild', 'a'),
      route('api', 'api', 'b', { rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/v1' } }], backendRefs: [{ name: 'b', port: 80 }] }] }),
      route('elsewhere', 'wild', 'b', { hostnames: ['other.org'] }),
    ]);
    sluice = await startSluice(
      ['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--gateway-address', '127.0.0.1', '--port-offset', String(bound - 80)],
      ['http', 'local', 'admin', `gateway/${port}`],
    );
  });
  after(async () => {
    await sluice?.stop();
    await Promise.all([a?.close(), b?.close()]);
    await cfg?.cleanup();
  });

  it('routes each host name to the routes of its most specific listener', async () => {
    assert.equal(await upstreamOf('www.example.com'), 'a');
    assert.equal(await upstreamOf('api.example.com', '/v1/users'), 'b');
    // api.example.com belongs to the api listener: the wildcard listener's route does not serve it.
    assert.equal(await upstreamOf('api.example.com', '/other'), 404);
    assert.equal(await upstreamOf('other.org'), 404);
  });

  it('tells in /status which routes attached and why one did not', async () => {
    const { json } = await getJson<{ routes: Array<{ name: string; status: { parents: Array<{ conditions: Array<{ type: string; status: string; reason: string }> }> } }> }>(
      sluice.addresses.admin as string,
      'admin',
      '/status',
    );
    const accepted = Object.fromEntries(json.routes.map((r) => [r.name, r.status.parents[0]?.conditions[0]?.reason]));
    assert.deepEqual(accepted, { api: 'Accepted', elsewhere: 'NoMatchingListenerHostname', wild: 'Accepted' });
  });

  it('serves an edited route without a restart', async () => {
    await cfg.write('routes.yaml', [route('wild', 'wild', 'b'), route('api', 'api', 'b')]);
    assert.ok(await eventually(async () => (await upstreamOf('www.example.com')) === 'b', 10_000), 'the edit was not served');
    assert.equal(await upstreamOf('api.example.com', '/other'), 'b');
  });
});
