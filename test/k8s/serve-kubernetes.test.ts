// `sluice serve --kubernetes` end to end: real sluice processes against the fake API server, real
// backends on loopback. Ingress created -> served and Ready; endpoints change -> traffic follows; other
// class ignored; API server restarted mid-watch -> recovers; two replicas -> one leader, leader killed ->
// the other takes over; `sluice install knative` prints valid objects.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import { FakeApiServer } from '../support/fake-apiserver.ts';
import { runSluice, startSluice, type SluiceProcess } from '../support/sluice.ts';
import { DEFAULT_INGRESS_CLASS, type KIngress } from '../../src/api/types.ts';
import { checkKnativeInstall, parseManifests } from './install-checks.ts';
import { ingress, service, slice, waitFor } from './helpers.ts';

const INGRESS = 'networking.internal.knative.dev/v1alpha1';

async function backend(name: string): Promise<{ server: Server; port: number }> {
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(name));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, port: (server.address() as { port: number }).port };
}

/** GET / on a gateway address with a Host header: [status, body]; [0, error] when unreachable. */
function get(address: string, host: string): Promise<[number, string]> {
  const [h, p] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  return new Promise((resolve) => {
    const req = request({ host: h, port: p, path: '/', headers: { host }, agent: false, timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => resolve([res.statusCode ?? 0, body]));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve([0, e.message]));
    req.end();
  });
}

const port = (address: string): number => Number(address.slice(address.lastIndexOf(':') + 1));

describe('sluice serve --kubernetes', () => {
  let api: FakeApiServer;
  let a: { server: Server; port: number };
  let b: { server: Server; port: number };
  const replicas: SluiceProcess[] = [];

  const startReplica = async (id: string): Promise<SluiceProcess> => {
    const proc = await startSluice(
      ['serve', '--kubernetes', '--kubeconfig', api.kubeconfigPath, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--https', '127.0.0.1:0', '--id', id, '--lease-duration', '3'],
      ['http', 'local', 'admin'],
      { boundMs: 30_000 },
    );
    replicas.push(proc);
    // What the EndpointSlice controller would publish for this pod behind each gateway Service.
    api.put(slice('sluice-system', `sluice-${id}`, 'sluice', ['127.0.0.1'], port(proc.addresses.http!)));
    api.put(slice('sluice-system', `sluice-internal-${id}`, 'sluice-internal', ['127.0.0.1'], port(proc.addresses.local!)));
    return proc;
  };
  const adminCondition = async (proc: SluiceProcess, name: string, type: string): Promise<string | undefined> => {
    const res = await fetch(`http://${proc.addresses.admin}/status`);
    const body = (await res.json()) as { ingresses: Array<{ name: string; conditions: Array<{ type: string; status: string }> }> };
    return body.ingresses.find((i) => i.name === name)?.conditions.find((c) => c.type === type)?.status;
  };
  const live = (name: string): KIngress | undefined => api.get(INGRESS, 'Ingress', 'app', name) as KIngress | undefined;
  const cond = (name: string, type: string): string | undefined => live(name)?.status?.conditions?.find((c) => c.type === type)?.status;
  const holder = (): string | undefined => (api.get('coordination.k8s.io/v1', 'Lease', 'sluice-system', 'sluice-leader')?.spec as { holderIdentity?: string } | undefined)?.holderIdentity;

  before(async () => {
    api = await FakeApiServer.start();
    [a, b] = await Promise.all([backend('A'), backend('B')]);
    api.put(service('app', 'web', 80));
    api.put(slice('app', 'web-1', 'web', ['127.0.0.1'], a.port));
    await startReplica('r1');
  });
  after(async () => {
    await Promise.all(replicas.map((r) => r.stop('SIGKILL')));
    a.server.close();
    b.server.close();
    await api.close();
  });

  it('serves a new ingress of its class and marks it Ready', async () => {
    api.put(ingress('app', 'web', DEFAULT_INGRESS_CLASS, 'web.example', 'web'));
    await waitFor(async () => (await get(replicas[0]!.addresses.http!, 'web.example'))[1] === 'A', 15_000, 'web.example served by backend A');
    await waitFor(() => cond('web', 'Ready') === 'True', 15_000, `Ready=True (status: ${JSON.stringify(live('web')?.status)})`);
    const st = live('web')!.status!;
    assert.equal(st.observedGeneration, 1);
    assert.equal(cond('web', 'LoadBalancerReady'), 'True');
    assert.equal(cond('web', 'NetworkConfigured'), 'True');
    assert.equal(st.publicLoadBalancer?.ingress[0]?.domainInternal, 'sluice.sluice-system.svc.cluster.local');
    assert.equal(st.privateLoadBalancer?.ingress[0]?.domainInternal, 'sluice-internal.sluice-system.svc.cluster.local');
    // The leader's admin endpoint shows the probed LoadBalancerReady it wrote to the cluster.
    assert.equal(await adminCondition(replicas[0]!, 'web', 'LoadBalancerReady'), 'True');
  });

  it('follows endpoint changes', async () => {
    api.put(slice('app', 'web-1', 'web', ['127.0.0.1'], b.port));
    await waitFor(async () => (await get(replicas[0]!.addresses.http!, 'web.example'))[1] === 'B', 15_000, 'traffic moved to backend B');
  });

  it('ignores an ingress of another class', async () => {
    api.put(ingress('app', 'theirs', 'kourier.ingress.networking.knative.dev', 'theirs.example', 'web'));
    // A change of our own made after it, once served, proves the other one has been seen too.
    api.put(ingress('app', 'marker', DEFAULT_INGRESS_CLASS, 'marker.example', 'web'));
    await waitFor(async () => (await get(replicas[0]!.addresses.http!, 'marker.example'))[0] === 200, 15_000, 'marker served');
    assert.equal((await get(replicas[0]!.addresses.http!, 'theirs.example'))[0], 404);
    await waitFor(() => cond('marker', 'Ready') === 'True', 15_000, 'marker Ready');
    assert.equal(live('theirs')?.status, undefined, 'no status written on another class');
  });

  it('an invalid edit keeps the last good version served and is reported on the new generation', async () => {
    const cur = live('marker')!;
    const rule = cur.spec.rules![0]!;
    api.put({ ...(cur as unknown as Record<string, unknown>), spec: { ...cur.spec, rules: [{ ...rule, http: { paths: [{ ...rule.http!.paths[0]!, path: 'no-slash' }] } }] } });
    await waitFor(() => cond('marker', 'Ready') === 'False', 15_000, `Ready=False (status: ${JSON.stringify(live('marker')?.status)})`);
    assert.equal(live('marker')!.status!.observedGeneration, 2);
    assert.match(JSON.stringify(live('marker')!.status!.conditions), /paths\[0\]\.path/);
    assert.equal((await get(replicas[0]!.addresses.http!, 'marker.example'))[0], 200, 'last good version still served');
  });

  it('recovers when the API server restarts mid-watch', async () => {
    await api.restart(500);
    api.put(ingress('app', 'after-restart', DEFAULT_INGRESS_CLASS, 'after.example', 'web'));
    await waitFor(async () => (await get(replicas[0]!.addresses.http!, 'after.example'))[1] === 'B', 20_000, 'served after restart');
    await waitFor(() => cond('after-restart', 'Ready') === 'True', 20_000, 'Ready after restart');
  });

  it('runs two replicas with one leader; when the leader is killed the other takes over', async () => {
    const r2 = await startReplica('r2');
    await waitFor(async () => (await get(r2.addresses.http!, 'web.example'))[1] === 'B', 15_000, 'r2 serves traffic too');
    assert.equal(holder(), 'r1');
    // A follower does not probe, and its admin endpoint says so rather than claiming readiness.
    assert.equal(await adminCondition(r2, 'web', 'LoadBalancerReady'), 'Unknown');
    await new Promise((r) => setTimeout(r, 3500)); // more than a lease duration: r2 must not steal a renewed Lease
    assert.equal(holder(), 'r1');
    await replicas[0]!.stop('SIGKILL'); // no release: r2 must wait for the Lease to expire
    api.remove('discovery.k8s.io/v1', 'EndpointSlice', 'sluice-system', 'sluice-r1');
    api.remove('discovery.k8s.io/v1', 'EndpointSlice', 'sluice-system', 'sluice-internal-r1');
    await waitFor(() => holder() === 'r2', 10_000, 'r2 holds the Lease');
    // The new leader writes status: a spec change (generation 2) gets observed and Ready again.
    const cur = live('web')!;
    api.put({ ...(cur as unknown as Record<string, unknown>), spec: { ...cur.spec, rules: [{ ...cur.spec.rules![0]!, hosts: ['web.example', 'www.example'] }] } });
    await waitFor(() => live('web')?.status?.observedGeneration === 2 && cond('web', 'Ready') === 'True', 15_000, `r2 marks generation 2 Ready (status: ${JSON.stringify(live('web')?.status)})`);
    assert.equal((await get(r2.addresses.http!, 'www.example'))[1], 'B');
  });

  it('an unreadable kubeconfig ends with one clear line', async () => {
    const { code, stderr } = await runSluice(['serve', '--kubernetes', '--kubeconfig', '/nonexistent/kubeconfig', '--admin', '127.0.0.1:0', '--http', '127.0.0.1:0', '--local', '127.0.0.1:0']);
    assert.notEqual(code, 0);
    assert.match(stderr, /kubeconfig/);
    assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
  });

  it('install knative prints valid Kubernetes objects', async () => {
    const { code, stdout, stderr } = await runSluice(['install', 'knative', '--namespace', 'edge', '--image', 'registry.example/sluice:9', '--replicas', '4']);
    assert.equal(code, 0, stderr);
    checkKnativeInstall(parseManifests(stdout), 'edge', 'registry.example/sluice:9', 4);
    const bad = await runSluice(['install', 'knative', '--replicas', 'many']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--replicas: "many"/);
    assert.doesNotMatch(bad.stderr, /\n\s+at /, 'no stack trace');
  });
});
