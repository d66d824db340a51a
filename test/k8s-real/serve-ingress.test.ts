// Against a real kube-apiserver: a KIngress with two splits is served by `sluice serve --kubernetes` to
// real upstreams (their EndpointSlices written into etcd), and its status becomes Ready for its
// generation, written by field manager `sluice` with Sluice's User-Agent; the probe answers the hash the
// gateway serves; TLS certificates come from Secrets.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCert, tlsSecret } from '../proxy/certs.ts';
import { startRealApiServer, type RealApiServer } from '../support/real-apiserver.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';
import type { SluiceProcess } from '../support/sluice.ts';
import type { KIngress } from '../../src/api/types.ts';
import { bins, condition, createIngress, createNamespace, createService, get, getIngress, INGRESSES, installKnative, kingress, putSlice, readyNow, skip, startReplica, waitFor } from './cluster.ts';

/** GET / over TLS with SNI `host`, trusting only `ca`: the status, or 0 when the handshake fails. */
function httpsGet(address: string, host: string, ca: string): Promise<number> {
  const i = address.lastIndexOf(':');
  return new Promise((resolve) => {
    const req = httpsRequest({ host: address.slice(0, i), port: Number(address.slice(i + 1)), servername: host, headers: { host }, ca, agent: false, timeout: 5000, path: '/' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}

describe('sluice serve --kubernetes against a real API server', { skip }, () => {
  let api: RealApiServer;
  let a: Upstream;
  let b: Upstream;
  let gw: SluiceProcess;

  before(async () => {
    api = await startRealApiServer(bins);
    await installKnative(api);
    await Promise.all(['app', 'sluice-system'].map((ns) => createNamespace(api, ns)));
    [a, b] = await Promise.all([startUpstream('a'), startUpstream('b')]);
    await createService(api, 'app', 'web-a');
    await createService(api, 'app', 'web-b');
    await putSlice(api, 'app', 'web-a-1', 'web-a', a.port);
    await putSlice(api, 'app', 'web-b-1', 'web-b', b.port);
    const t = Date.now();
    gw = await startReplica(api, 'r1');
    console.log(`# gateway listening ${Date.now() - t} ms after spawn`);
  });
  after(async () => {
    await gw?.stop();
    await Promise.all([a?.close(), b?.close()]);
    await api?.stop();
  });

  it('serves an ingress with splits to the upstreams in its EndpointSlices and marks it Ready', async () => {
    const created = await createIngress(api, kingress('app', 'web', 'web.example', [{ service: 'web-a', percent: 50 }, { service: 'web-b', percent: 50 }]));
    const t = Date.now();
    await waitFor('web.example served', 20_000, async () => (await get(gw.addresses.http!, 'web.example')).status === 200);
    const served = Date.now() - t;
    const ready = await waitFor('Ready=True for generation 1', 30_000, async () => {
      const ing = await getIngress(api, 'app', 'web');
      return readyNow(ing) ? ing : undefined;
    });
    console.log(`# ingress served after ${served} ms, Ready after ${Date.now() - t} ms`);
    assert.equal(ready.status?.observedGeneration, created.metadata.generation);
    assert.equal(condition(ready, 'LoadBalancerReady'), 'True');
    assert.equal(condition(ready, 'NetworkConfigured'), 'True');
    assert.equal(ready.status?.publicLoadBalancer?.ingress[0]?.domainInternal, 'sluice.sluice-system.svc.cluster.local');

    const seen = new Set<string>();
    for (let i = 0; i < 60 && seen.size < 2; i++) {
      const r = await get(gw.addresses.http!, 'web.example');
      assert.equal(r.status, 200);
      seen.add(r.headers.get('x-upstream') ?? '');
    }
    assert.deepEqual([...seen].sort(), ['a', 'b'], 'both splits reached');
    // Each split's appendHeaders reach its own upstream.
    assert.equal(a.requests.at(-1)?.headers['x-split'], 'web-a');
    assert.equal(b.requests.at(-1)?.headers['x-split'], 'web-b');
  });

  it('answers the probe with the hash it serves and reports the same in /status', async () => {
    const probe = await get(gw.addresses.http!, 'web.example', { 'k-network-probe': 'probe', 'k-network-hash': 'override' });
    assert.equal(probe.status, 200);
    const hash = probe.headers.get('k-network-hash');
    assert.match(hash ?? '', /^[0-9a-f]{64}$/);
    const st = (await (await fetch(`http://${gw.addresses.admin}/status`)).json()) as { ingresses: Array<{ name: string; hash: string }> };
    assert.equal(st.ingresses.find((i) => i.name === 'web')?.hash, hash);
  });

  it('writes status as field manager sluice, with its User-Agent, on the status subresource', async () => {
    const ing = (await api.request<KIngress & { metadata: { managedFields?: Array<{ manager: string; operation: string; subresource?: string }> } }>('GET', `${INGRESSES}/namespaces/app/ingresses/web`)).body;
    const mine = ing.metadata.managedFields?.filter((f) => f.manager === 'sluice') ?? [];
    assert.ok(mine.some((f) => f.subresource === 'status'), `managedFields: ${JSON.stringify(ing.metadata.managedFields)}`);
    const writes = api.auditEvents().filter((e) => e.stage === 'ResponseComplete' && e.objectRef?.resource === 'ingresses' && e.objectRef.subresource === 'status' && ['update', 'patch'].includes(e.verb));
    assert.ok(writes.length > 0, 'status writes audited');
    for (const w of writes) assert.match(w.userAgent ?? '', /^sluice\/\S+ \(linux\/\w+\) node\/\S+$/, w.userAgent);
    // (Unknown while probing, then) Ready: each written once, never against a stale resourceVersion.
    const codes = writes.map((w) => w.responseStatus?.code);
    assert.ok(codes.length <= 2 && codes.every((c) => c === 200), `status writes answered ${codes.join(', ')}`);
  });

  it('serves TLS with a certificate from a kubernetes.io/tls Secret, and a rotated Secret on new connections', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-real-tls-'));
    try {
      const [first, second] = [makeCert(dir, 'one', ['secure.example']), makeCert(dir, 'two', ['secure.example'])];
      await api.request('POST', '/api/v1/namespaces/app/secrets', tlsSecret('secure-cert', first, 'app'));
      const ing = kingress('app', 'secure', 'secure.example', [{ service: 'web-a', percent: 100 }]);
      ing.spec.tls = [{ hosts: ['secure.example'], secretName: 'secure-cert', secretNamespace: 'app' }];
      await createIngress(api, ing);
      await waitFor('secure Ready', 30_000, async () => readyNow(await getIngress(api, 'app', 'secure')));
      assert.equal(await httpsGet(gw.addresses.https!, 'secure.example', first.cert), 200);
      await api.request('PUT', '/api/v1/namespaces/app/secrets/secure-cert', tlsSecret('secure-cert', second, 'app'));
      await waitFor('the rotated certificate served', 20_000, async () => (await httpsGet(gw.addresses.https!, 'secure.example', second.cert)) === 200);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops serving deleted ingresses, including ones deleted while their status is being written', async () => {
    const names = Array.from({ length: 20 }, (_, i) => `brief-${i}`);
    for (const n of names) await createIngress(api, kingress('app', n, `${n}.example`, [{ service: 'web-a', percent: 100 }]));
    for (const n of names) await api.request('DELETE', `${INGRESSES}/namespaces/app/ingresses/${n}`);
    await api.request('DELETE', `${INGRESSES}/namespaces/app/ingresses/secure`);
    await waitFor('secure.example no longer served', 20_000, async () => (await get(gw.addresses.http!, 'secure.example')).status === 404);
    for (const n of names) assert.equal((await get(gw.addresses.http!, `${n}.example`)).status, 404, n);
    await createIngress(api, kingress('app', 'after', 'after.example', [{ service: 'web-a', percent: 100 }]));
    await waitFor('after Ready', 30_000, async () => readyNow(await getIngress(api, 'app', 'after')));
    assert.equal(gw.child.exitCode, null, 'the gateway kept running');
  });

  it('a spec change gets observed and Ready again', async () => {
    const cur = await getIngress(api, 'app', 'web');
    const next = kingress('app', 'web', 'web.example', [{ service: 'web-a', percent: 100 }]);
    const updated = (await api.request<KIngress>('PUT', `${INGRESSES}/namespaces/app/ingresses/web`, { ...next, metadata: { ...cur.metadata } })).body;
    assert.equal(updated.metadata.generation, 2);
    const t = Date.now();
    await waitFor('Ready=True for generation 2', 30_000, async () => readyNow(await getIngress(api, 'app', 'web')));
    console.log(`# generation 2 Ready after ${Date.now() - t} ms`);
    for (let i = 0; i < 10; i++) assert.equal((await get(gw.addresses.http!, 'web.example')).headers.get('x-upstream'), 'a');
  });
});
