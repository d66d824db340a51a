// `sluice serve --kubernetes` with the Gateway API, end to end: a real sluice process against the fake
// API server, started before the Gateway API CRDs exist. The CRDs then appear -> the Gateway's listener
// is bound and its HTTPRoute served; statuses are written with the live generation, transition times
// kept across an edit, only on change, and another controller's entry in the route's parents kept.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeApiServer, type KObject } from '../support/fake-apiserver.ts';
import { startSluice, type SluiceProcess } from '../support/sluice.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';
import { get } from '../support/http.ts';
import { freePort } from '../proxy/gateway-ports-helpers.ts';
import { service, slice, waitFor } from './helpers.ts';

const V1 = 'gateway.networking.k8s.io/v1';
const CONTROLLER = 'sluice.dev/gateway-controller';
type Cond = { type: string; status: string; reason?: string; observedGeneration?: number; lastTransitionTime?: string };
type Parent = { parentRef: { name: string }; controllerName: string; conditions: Cond[] };

const route = (path: string): KObject => ({
  apiVersion: V1,
  kind: 'HTTPRoute',
  metadata: { name: 'web', namespace: 'app' },
  spec: { parentRefs: [{ name: 'gw', namespace: 'infra' }], hostnames: ['web.example'], rules: [{ matches: [{ path: { type: 'PathPrefix', value: path } }], backendRefs: [{ name: 'web', port: 80 }] }] },
});
const foreign: Parent = { parentRef: { name: 'their-gw' }, controllerName: 'example.com/other', conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', observedGeneration: 1, lastTransitionTime: '2020-01-01T00:00:00Z' }] };

describe('sluice serve --kubernetes with the Gateway API', () => {
  let api: FakeApiServer;
  let up: Upstream;
  let sluice: SluiceProcess;
  let gatewayPort: string;

  const status = (kind: string, ns: string | undefined, name: string) => api.get(V1, kind, ns, name)?.status as Record<string, unknown> | undefined;
  const conditions = (kind: string, ns: string | undefined, name: string): Cond[] => (status(kind, ns, name)?.conditions as Cond[] | undefined) ?? [];
  const parents = (): Parent[] => (status('HTTPRoute', 'app', 'web')?.parents as Parent[] | undefined) ?? [];
  const mine = (): Parent | undefined => parents().find((p) => p.controllerName === CONTROLLER);
  const statusWrites = (): number => api.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/status') && r.path.includes('gateway.networking.k8s.io')).length;
  const served = async (path: string): Promise<boolean> => {
    const r = await get(gatewayPort, 'web.example', path, {}, { timeoutMs: 2000 }).catch(() => undefined);
    return r?.status === 200 && r.headers['x-upstream'] === 'web';
  };

  before(async () => {
    api = await FakeApiServer.start();
    up = await startUpstream('web');
    api.put(service('app', 'web', 80));
    api.put(slice('app', 'web-1', 'web', ['127.0.0.1'], up.port));
    const bound = await freePort();
    gatewayPort = `127.0.0.1:${bound}`;
    // No Gateway API CRDs yet: serving must start anyway and pick them up when they appear.
    sluice = await startSluice(['serve', '--kubernetes', '--kubeconfig', api.kubeconfigPath, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--id', 'r1', '--gateway-address', '127.0.0.1', '--port-offset', String(bound - 80)], ['http', 'local', 'admin'], { boundMs: 30_000 });
  });
  after(async () => {
    await sluice?.stop('SIGKILL');
    await up?.close();
    await api?.close();
  });

  it('serves an HTTPRoute once the CRDs are installed, without a restart', async () => {
    await sluice.waitForLog((e) => typeof e.msg === 'string' && e.msg.includes('Gateway is not served'), 15_000);
    api.installGatewayApi();
    api.put({ apiVersion: V1, kind: 'GatewayClass', metadata: { name: 'sluice' }, spec: { controllerName: CONTROLLER } });
    api.put({ apiVersion: V1, kind: 'GatewayClass', metadata: { name: 'theirs' }, spec: { controllerName: 'example.com/other' } });
    api.put({ apiVersion: V1, kind: 'Gateway', metadata: { name: 'gw', namespace: 'infra' }, spec: { gatewayClassName: 'sluice', listeners: [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } }] } });
    api.put(route('/'));
    // Another controller's verdict on the same route, written before Sluice's.
    api.putStatus({ ...api.get(V1, 'HTTPRoute', 'app', 'web')!, status: { parents: [foreign] } });
    await waitFor(() => served('/'), 20_000, 'web.example served on the Gateway listener');
  });

  it('writes GatewayClass, Gateway and HTTPRoute status with the live generation, keeping the other controller’s parent', async () => {
    await waitFor(() => mine()?.conditions.some((c) => c.type === 'ResolvedRefs' && c.status === 'True') === true, 15_000, `route status (${JSON.stringify(parents())})`);
    assert.equal(conditions('GatewayClass', undefined, 'sluice').find((c) => c.type === 'Accepted')?.status, 'True');
    assert.equal(status('GatewayClass', undefined, 'theirs'), undefined, 'another controller’s class is not Sluice’s to write');
    await waitFor(() => conditions('Gateway', 'infra', 'gw').some((c) => c.type === 'Programmed' && c.status === 'True'), 15_000, 'Gateway Programmed');
    const route1 = mine()!;
    assert.equal(route1.conditions.every((c) => c.observedGeneration === 1 && typeof c.lastTransitionTime === 'string'), true);
    assert.deepEqual(parents().find((p) => p.controllerName !== CONTROLLER), foreign);
    const listeners = status('Gateway', 'infra', 'gw')?.listeners as Array<{ attachedRoutes: number }>;
    assert.equal(listeners[0]?.attachedRoutes, 1);
  });

  it('on an edit writes the new generation, keeps transition times of unchanged conditions, and writes nothing more while nothing changes', async () => {
    const before = mine()!;
    const accepted = before.conditions.find((c) => c.type === 'Accepted')!.lastTransitionTime;
    api.put(route('/v2'));
    assert.equal(api.get(V1, 'HTTPRoute', 'app', 'web')?.metadata?.generation, 2);
    await waitFor(() => mine()?.conditions.every((c) => c.observedGeneration === 2) === true, 15_000, `observedGeneration 2 (${JSON.stringify(parents())})`);
    await waitFor(() => served('/v2'), 15_000, '/v2 served after the edit');
    assert.equal(mine()!.conditions.find((c) => c.type === 'Accepted')!.lastTransitionTime, accepted);
    assert.deepEqual(parents().find((p) => p.controllerName !== CONTROLLER), foreign);
    // Settled: an unrelated change (a new Service) pushes again, but no status changed, so none is written.
    const writes = statusWrites();
    api.put(service('app', 'unrelated', 80));
    api.put(slice('app', 'web-2', 'web', ['127.0.0.1'], up.port));
    await waitFor(async () => (await fetch(`http://${sluice.addresses.admin}/status`)).ok, 5000, 'admin answers');
    await new Promise((r) => setTimeout(r, 300)); // not synchronisation: a window in which a needless write would show
    assert.equal(statusWrites(), writes);
  });

  it("reports the Gateway Service's address in status.addresses, never the bind address: its load balancer's, else its DNS name", async () => {
    type Address = { type?: string; value: string };
    const addresses = (): Address[] | undefined => status('Gateway', 'infra', 'gw')?.addresses as Address[] | undefined;
    // No Service yet (`sluice install gateway-api` makes sluice-system/sluice-gateway): its DNS name.
    await waitFor(() => addresses()?.[0]?.value === 'sluice-gateway.sluice-system.svc.cluster.local', 15_000, `DNS name (${JSON.stringify(addresses())})`);
    assert.deepEqual(addresses(), [{ type: 'Hostname', value: 'sluice-gateway.sluice-system.svc.cluster.local' }]);
    const svc = { ...service('sluice-system', 'sluice-gateway', 80), spec: { type: 'LoadBalancer', clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80, targetPort: 10080 }] } };
    api.put(svc);
    await waitFor(() => addresses()?.[0]?.value === '10.96.0.20', 15_000, `cluster IP (${JSON.stringify(addresses())})`);
    api.putStatus({ ...api.get('v1', 'Service', 'sluice-system', 'sluice-gateway')!, status: { loadBalancer: { ingress: [{ ip: '203.0.113.7' }, { hostname: 'lb.example.net' }] } } });
    await waitFor(() => addresses()?.[0]?.value === '203.0.113.7', 15_000, `load balancer (${JSON.stringify(addresses())})`);
    assert.deepEqual(addresses(), [{ type: 'IPAddress', value: '203.0.113.7' }, { type: 'Hostname', value: 'lb.example.net' }]);
  });
});
