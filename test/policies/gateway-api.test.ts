// TrafficPolicies attached to HTTPRoutes by targetRefs, through `sluice serve`: the targeted route is
// limited, the others are not, and a second policy on the same route is Conflicted in /status.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../proxy/gateway-ports-helpers.ts';
import { ConfigDir, backend } from '../support/config.ts';
import { eventually, get, getJson } from '../support/http.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { type Upstream, startUpstream } from '../support/upstream.ts';
import { trafficPolicy } from './helpers.ts';

const V1 = 'gateway.networking.k8s.io/v1';
const gatewayClass = { apiVersion: V1, kind: 'GatewayClass', metadata: { name: 'sluice' }, spec: { controllerName: 'sluice.dev/gateway-controller' } };
const gateway = { apiVersion: V1, kind: 'Gateway', metadata: { name: 'gw', namespace: 'default' }, spec: { gatewayClassName: 'sluice', listeners: [{ name: 'web', port: 80, protocol: 'HTTP' }] } };
const route = (name: string) => ({
  apiVersion: V1,
  kind: 'HTTPRoute',
  metadata: { name, namespace: 'default' },
  spec: { parentRefs: [{ name: 'gw' }], hostnames: [`${name}.example.com`], rules: [{ backendRefs: [{ name: 'echo', port: 80 }] }] },
});
const target = { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'limited' };

interface PolicyStatus {
  name: string;
  status: { ancestors: Array<{ conditions: Array<{ type: string; status: string; reason: string }> }> };
}

describe('TrafficPolicy on HTTPRoutes through sluice serve', () => {
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
      route('limited'),
      route('free'),
      trafficPolicy('one-per-minute', { targetRefs: [target], rateLimit: { requests: 1, unit: 'minute' } }, { creationTimestamp: '2026-01-01T00:00:00Z' }),
      trafficPolicy('late', { targetRefs: [target], rateLimit: { requests: 100, unit: 'second' } }, { creationTimestamp: '2026-06-01T00:00:00Z' }),
      ...backend('echo', [{ ip: '127.0.0.1', port: echo.port }]),
    ]);
    sluice = await startSluice(
      ['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--gateway-address', '127.0.0.1', '--port-offset', String(bound - 80)],
      ['http', 'local', 'admin', `gateway/${port}`],
    );
    assert.ok(await eventually(async () => (await get(port, 'free.example.com', '/')).status === 200, 10_000));
  });

  after(async () => {
    await sluice?.stop();
    await echo?.close();
    await cfg?.cleanup();
  });

  it('limits the targeted route with the oldest policy and leaves the others alone', async () => {
    assert.equal((await get(port, 'limited.example.com', '/')).status, 200);
    assert.equal((await get(port, 'limited.example.com', '/')).status, 429);
    for (let i = 0; i < 3; i++) assert.equal((await get(port, 'free.example.com', '/')).status, 200);
  });

  it('reports the newer policy on the same route as Conflicted in /status', async () => {
    const { json } = await getJson<{ trafficPolicies: PolicyStatus[] }>(sluice.addresses.admin!, 'admin', '/status');
    const reason = (name: string) => json.trafficPolicies.find((p) => p.name === name)?.status.ancestors[0]?.conditions[0]?.reason;
    assert.equal(reason('one-per-minute'), 'Accepted');
    assert.equal(reason('late'), 'Conflicted');
  });
});
