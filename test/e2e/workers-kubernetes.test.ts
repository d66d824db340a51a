// `sluice serve --kubernetes --workers 2` against the HTTPS fake API server: only the primary talks to
// the API server (one watch per resource kind, one Lease holder, the status writes), both workers serve
// the traffic, and the leader's probes find the workers serving the primary's snapshot.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_INGRESS_CLASS, type KIngress } from '../../src/api/types.ts';
import { FakeApiServer } from '../support/fake-apiserver.ts';
import { eventually } from '../support/http.ts';
import { startSluice, type SluiceProcess } from '../support/sluice.ts';
import { ingress, service, slice } from '../k8s/helpers.ts';
import { fresh, freePort, waitForWorkers, waitReady, workersOf } from './workers-helpers.ts';

const INGRESS = 'networking.internal.knative.dev/v1alpha1';

async function backend(name: string): Promise<{ server: Server; port: number }> {
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain', 'x-upstream': name }).end(name));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, port: (server.address() as { port: number }).port };
}

describe('sluice serve --kubernetes --workers 2', () => {
  let api: FakeApiServer;
  let web: { server: Server; port: number };
  let sluice: SluiceProcess;
  let http = '';
  let admin = '';
  const live = (name: string): KIngress | undefined => api.get(INGRESS, 'Ingress', 'app', name) as KIngress | undefined;
  const cond = (name: string, type: string): string | undefined => live(name)?.status?.conditions?.find((c) => c.type === type)?.status;

  before(async () => {
    api = await FakeApiServer.start();
    web = await backend('web');
    api.put(service('app', 'web', 80));
    api.put(slice('app', 'web-1', 'web', ['127.0.0.1'], web.port));
    const [p1, p2, p3, p4] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    [http, admin] = [`127.0.0.1:${p1}`, `127.0.0.1:${p3}`];
    // What the EndpointSlice controller would publish for this pod behind each gateway Service.
    api.put(slice('sluice-system', 'sluice-pod', 'sluice', ['127.0.0.1'], p1));
    api.put(slice('sluice-system', 'sluice-internal-pod', 'sluice-internal', ['127.0.0.1'], p2));
    sluice = await startSluice(
      ['serve', '--kubernetes', '--kubeconfig', api.kubeconfigPath, '--workers', '2', '--http', http, '--local', `127.0.0.1:${p2}`, '--admin', admin, '--https', `127.0.0.1:${p4}`, '--id', 'pod-1', '--lease-duration', '3'],
      ['http', 'admin'],
      { boundMs: 30_000 },
    );
    await waitForWorkers(sluice, 2);
  });
  after(async () => {
    await sluice?.stop('SIGKILL');
    web?.server.close();
    await api?.close();
  });

  it('serves an ingress from both workers and the primary writes it Ready after probing them', async () => {
    api.put(ingress('app', 'web', DEFAULT_INGRESS_CLASS, 'web.example', 'web'));
    assert.ok(await eventually(async () => (await fresh(http, 'web.example', 1))[0]!.upstream === 'web', 15_000), 'web.example served');
    await waitReady(admin);
    const answers = await fresh(http, 'web.example', 20);
    assert.ok(answers.every((r) => r.status === 200 && r.upstream === 'web'), JSON.stringify(answers));
    const workers = await workersOf(admin);
    assert.ok(workers.length === 2 && workers.every((w) => (w.requests ?? 0) > 0), `both workers served: ${JSON.stringify(workers)}`);
    assert.ok(await eventually(() => cond('web', 'Ready') === 'True', 15_000), `Ready=True (status: ${JSON.stringify(live('web')?.status)})`);
    assert.equal(cond('web', 'LoadBalancerReady'), 'True', 'the probes through the shared listeners found the current hash');
  });

  it('only the primary talks to the API server: one watch per resource kind, one Lease holder', async () => {
    const watches = api.requests.filter((r) => r.query.watch === '1' || r.query.watch === 'true').map((r) => r.path);
    assert.ok(watches.length > 0);
    assert.equal(new Set(watches).size, watches.length, `each kind watched once: ${watches.join(', ')}`);
    const lists = api.requests.filter((r) => r.method === 'GET' && !r.query.watch && /ingresses$/.test(r.path));
    assert.equal(lists.length, 1, 'Ingresses listed once');
    const lease = api.get('coordination.k8s.io/v1', 'Lease', 'sluice-system', 'sluice-leader') as { spec?: { holderIdentity?: string } } | undefined;
    assert.equal(lease?.spec?.holderIdentity, 'pod-1');
    const statusWrites = api.requests.filter((r) => r.method !== 'GET' && r.path.endsWith('/ingresses/web/status'));
    assert.ok(statusWrites.length >= 1, 'status written');
  });

  it('follows endpoint changes in every worker', async () => {
    const other = await backend('other');
    try {
      api.put(slice('app', 'web-1', 'web', ['127.0.0.1'], other.port));
      assert.ok(await eventually(async () => (await fresh(http, 'web.example', 1))[0]!.upstream === 'other', 15_000), 'traffic moved');
      await waitReady(admin);
      const answers = await fresh(http, 'web.example', 10);
      assert.ok(answers.every((r) => r.upstream === 'other'), JSON.stringify(answers));
    } finally {
      other.server.close();
    }
  });
});
