// A Gateway-wide TrafficPolicy through `sluice serve`: every route on the Gateway is limited, and a
// policy on one route rule (sectionName) replaces it for that rule alone; /status says both attached.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../proxy/gateway-ports-helpers.ts';
import { trafficPolicy } from '../policies/helpers.ts';
import { ConfigDir, backend } from '../support/config.ts';
import { eventually, get, getJson } from '../support/http.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { type Upstream, startUpstream } from '../support/upstream.ts';

const V1 = 'gateway.networking.k8s.io/v1';
const G = 'gateway.networking.k8s.io';
const gatewayClass = { apiVersion: V1, kind: 'GatewayClass', metadata: { name: 'sluice' }, spec: { controllerName: 'sluice.dev/gateway-controller' } };
const gateway = { apiVersion: V1, kind: 'Gateway', metadata: { name: 'gw', namespace: 'default' }, spec: { gatewayClassName: 'sluice', listeners: [{ name: 'web', port: 80, protocol: 'HTTP' }] } };
const echoRef = { name: 'echo', port: 80 };
const route = {
  apiVersion: V1,
  kind: 'HTTPRoute',
  metadata: { name: 'api', namespace: 'default' },
  spec: {
    parentRefs: [{ name: 'gw' }],
    hostnames: ['api.example.com'],
    rules: [
      { name: 'open', matches: [{ path: { type: 'PathPrefix', value: '/open' } }], backendRefs: [echoRef] },
      { matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [echoRef] },
    ],
  },
};
const other = { apiVersion: V1, kind: 'HTTPRoute', metadata: { name: 'other', namespace: 'default' }, spec: { parentRefs: [{ name: 'gw' }], hostnames: ['other.example.com'], rules: [{ backendRefs: [echoRef] }] } };

interface PolicyStatus {
  name: string;
  status: { ancestors: Array<{ conditions: Array<{ reason: string }> }> };
}

describe('a Gateway-wide TrafficPolicy, replaced for one route rule, through sluice serve', () => {
  let cfg: ConfigDir;
  let echo: Upstream;
  let sluice: SluiceProcess;
  let port: string;

  before(async () => {
    echo = await startUpstream('echo');
    const bound = await freePort();
    port = `127.0.0.1:${bound}`;
    cfg = await ConfigDir.create();
    await cfg.write('config.yaml', [
      gatewayClass,
      gateway,
      route,
      other,
      trafficPolicy('gateway-wide', { targetRefs: [{ group: G, kind: 'Gateway', name: 'gw' }], rateLimit: { requests: 1, unit: 'minute' } }),
      trafficPolicy('open-rule', { targetRefs: [{ group: G, kind: 'HTTPRoute', name: 'api', sectionName: 'open' }], rateLimit: { requests: 1000, unit: 'second' } }),
      ...backend('echo', [{ ip: '127.0.0.1', port: echo.port }]),
    ]);
    sluice = await startSluice(
      ['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--gateway-address', '127.0.0.1', '--port-offset', String(bound - 80)],
      ['http', 'local', 'admin', `gateway/${port}`],
    );
    assert.ok(await eventually(async () => (await get(port, 'api.example.com', '/open')).status === 200, 10_000));
  });

  after(async () => {
    await sluice?.stop();
    await echo?.close();
    await cfg?.cleanup();
  });

  it('limits every route of the Gateway with the Gateway-wide policy', async () => {
    for (const host of ['api.example.com', 'other.example.com']) {
      assert.equal((await get(port, host, '/')).status, 200, host);
      assert.equal((await get(port, host, '/')).status, 429, host);
    }
  });

  it('lets the rule\'s own policy replace the Gateway-wide one for that rule only', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await get(port, 'api.example.com', '/open/x')).status, 200);
  });

  it('reports both policies Accepted in /status', async () => {
    const { json } = await getJson<{ trafficPolicies: PolicyStatus[] }>(sluice.addresses.admin!, 'admin', '/status');
    const reason = (name: string) => json.trafficPolicies.find((p) => p.name === name)?.status.ancestors[0]?.conditions[0]?.reason;
    assert.equal(reason('gateway-wide'), 'Accepted');
    assert.equal(reason('open-rule'), 'Accepted');
  });
});
