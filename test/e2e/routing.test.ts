// Routing through the real `sluice serve` process, with real upstreams on 127.0.0.1.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import http from 'node:http';
import { ConfigDir, backend, externalNameService, ingress } from '../support/config.ts';
import { type EchoReply, type Upstream, startUpstream } from '../support/upstream.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { eventually as waitFor, get, getJson } from '../support/http.ts';
import { refusedPort } from '../support/refused-port.ts';

describe('routing (sluice serve, HTTP/1.1)', () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  const ups: Record<string, Upstream> = {};
  let closedPort: number;

  before(async () => {
    for (const n of ['v1', 'v2', 'tag', 'api', 'local', 'rr-a']) ups[n] = await startUpstream(n);
    // A second server on the same port on 127.0.0.2, to check round-robin across endpoint addresses.
    ups['rr-b'] = await startUpstreamOn('rr-b', '127.0.0.2', ups['rr-a']!.port);
    closedPort = refusedPort();

    cfg = await ConfigDir.create();
    await cfg.write('backends.yaml', [
      ...backend('hello-v1', [{ ip: '127.0.0.1', port: ups.v1!.port }]),
      ...backend('hello-v2', [{ ip: '127.0.0.1', port: ups.v2!.port }]),
      ...backend('hello-tag', [{ ip: '127.0.0.1', port: ups.tag!.port }]),
      ...backend('api', [{ ip: '127.0.0.1', port: ups.api!.port }]),
      ...backend('private', [{ ip: '127.0.0.1', port: ups.local!.port }]),
      ...backend('rr', [{ ip: '127.0.0.1', port: ups['rr-a']!.port }, { ip: '127.0.0.2', port: ups['rr-a']!.port }]),
      ...backend('refused', [{ ip: '127.0.0.1', port: closedPort }]),
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'empty', namespace: 'default' }, spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] } },
    ]);
    await cfg.write('hello.yaml', [
      ingress('hello', [
        {
          hosts: ['hello.example.com', 'hello.default.svc.cluster.local'],
          paths: [
            { path: '/api', appendHeaders: { 'X-Path-Level': 'api' }, splits: [{ service: 'api' }] },
            { headers: { 'Knative-Serving-Tag': 'blue' }, splits: [{ service: 'hello-tag', appendHeaders: { 'Knative-Serving-Tag': 'blue' } }] },
            {
              path: '/',
              appendHeaders: { 'X-Path-Level': 'root', 'X-Both': 'path' },
              splits: [
                { service: 'hello-v1', percent: 90, appendHeaders: { 'Knative-Serving-Revision': 'v1', 'X-Both': 'split' } },
                { service: 'hello-v2', percent: 10, appendHeaders: { 'Knative-Serving-Revision': 'v2', 'X-Both': 'split' } },
              ],
            },
          ],
        },
      ]),
      ingress('private', [{ hosts: ['private.default.svc.cluster.local'], visibility: 'ClusterLocal', paths: [{ splits: [{ service: 'private' }] }] }]),
      ingress('misc', [
        {
          hosts: ['misc.example.com'],
          paths: [
            { path: '/rr', splits: [{ service: 'rr' }] },
            { path: '/refused', splits: [{ service: 'refused' }] },
            { path: '/empty', splits: [{ service: 'empty' }] },
            { path: '/missing', splits: [{ service: 'does-not-exist' }] },
          ],
        },
      ]),
    ]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
    // DomainMapping-style: a host rewritten and sent through an ExternalName Service back to Sluice's local listener.
    const localPort = Number(sluice.addresses.local!.split(':').pop());
    await cfg.write('mapping.yaml', [
      externalNameService('local-gateway', 'localhost', localPort),
      ingress('mapping', [{ hosts: ['custom.example.org'], paths: [{ rewriteHost: 'hello.default.svc.cluster.local', splits: [{ service: 'local-gateway', port: localPort }] }] }]),
    ]);
    const ok = await waitFor(async () => (await get(sluice.addresses.http!, 'custom.example.org', '/')).status === 200);
    assert.ok(ok, 'mapping ingress served after a hot reload');
  });

  after(async () => {
    await sluice?.stop();
    await Promise.all(Object.values(ups).map((u) => u.close()));
    await cfg?.cleanup();
  });

  it('routes by host and answers 404 for unknown hosts and paths', async () => {
    const r = await getJson<EchoReply>(sluice.addresses.http!, 'hello.example.com', '/api/x?q=1');
    assert.equal(r.status, 200);
    assert.equal(r.json.name, 'api');
    assert.equal(r.json.url, '/api/x?q=1');
    assert.equal((await get(sluice.addresses.http!, 'nope.example.com', '/')).status, 404);
    // Host matching ignores case and the port.
    assert.equal((await getJson<EchoReply>(sluice.addresses.http!, 'HELLO.Example.COM:8080', '/api')).json.name, 'api');
    const noPath = await get(sluice.addresses.http!, 'misc.example.com', '/other');
    assert.equal(noPath.status, 404);
  });

  it('serves ClusterLocal rules only on the local listener, with Knative short host forms', async () => {
    assert.equal((await get(sluice.addresses.http!, 'private.default.svc.cluster.local')).status, 404);
    for (const host of ['private.default.svc.cluster.local', 'private.default.svc', 'private.default']) {
      const r = await getJson<EchoReply>(sluice.addresses.local!, host);
      assert.equal(r.json.name, 'local', host);
    }
    // ExternalIP rules are on the local listener too.
    assert.equal((await getJson<EchoReply>(sluice.addresses.local!, 'hello.default', '/api')).json.name, 'api');
  });

  it('matches path prefixes in order and exact headers (tag routing)', async () => {
    const tagged = await getJson<EchoReply>(sluice.addresses.http!, 'hello.example.com', '/', { 'Knative-Serving-Tag': 'blue' });
    assert.equal(tagged.json.name, 'tag');
    assert.equal(tagged.json.headers['knative-serving-tag'], 'blue');
    // A different tag value does not match the header route.
    const other = await getJson<EchoReply>(sluice.addresses.http!, 'hello.example.com', '/', { 'Knative-Serving-Tag': 'green' });
    assert.match(other.json.name, /^v[12]$/);
    // /api is listed first, so it wins even with the tag header.
    assert.equal((await getJson<EchoReply>(sluice.addresses.http!, 'hello.example.com', '/api', { 'Knative-Serving-Tag': 'blue' })).json.name, 'api');
  });

  it('splits by percent (90/10 over 2000 requests)', async () => {
    const counts: Record<string, number> = { v1: 0, v2: 0 };
    const batch = 50;
    for (let i = 0; i < 2000; i += batch) {
      const rs = await Promise.all(Array.from({ length: batch }, () => getJson<EchoReply>(sluice.addresses.http!, 'hello.example.com', '/')));
      for (const r of rs) counts[r.json.name] = (counts[r.json.name] ?? 0) + 1;
    }
    // Binomial(2000, 0.1): mean 200, sd ~13.4; bounds are > 5 sd wide.
    assert.ok(counts.v2! > 130 && counts.v2! < 270, `v2 got ${counts.v2}`);
    assert.equal(counts.v1! + counts.v2!, 2000);
  });

  it('sets path-level and split-level appendHeaders, replacing client values (split wins)', async () => {
    const r = await getJson<EchoReply>(sluice.addresses.http!, 'hello.example.com', '/', {
      'X-Path-Level': 'from-client',
      'Knative-Serving-Revision': 'forged',
      'X-Both': 'client',
    });
    assert.equal(r.json.headers['x-path-level'], 'root');
    assert.equal(r.json.headers['knative-serving-revision'], r.json.name);
    assert.equal(r.json.headers['x-both'], 'split');
    // replaced, not appended: exactly one value each
    assert.equal(r.json.rawHeaders.filter((h, i) => i % 2 === 0 && h.toLowerCase() === 'x-path-level').length, 1);
  });

  it('rewrites Host through an ExternalName Service back to its own local listener', async () => {
    const r = await getJson<EchoReply>(sluice.addresses.http!, 'custom.example.org', '/api/mapped');
    assert.equal(r.status, 200);
    assert.equal(r.json.name, 'api');
    assert.equal(r.json.headers.host, 'hello.default.svc.cluster.local');
  });

  it('answers 503 for no endpoints, a missing Service, and a refused connection', async () => {
    for (const p of ['/empty', '/missing', '/refused']) {
      const r = await get(sluice.addresses.http!, 'misc.example.com', p);
      assert.equal(r.status, 503, p);
    }
  });

  it('balances round-robin across endpoint addresses', async () => {
    const seen: Record<string, number> = {};
    for (let i = 0; i < 20; i++) {
      const r = await getJson<EchoReply>(sluice.addresses.http!, 'misc.example.com', '/rr');
      seen[r.json.name] = (seen[r.json.name] ?? 0) + 1;
    }
    assert.deepEqual(seen, { 'rr-a': 10, 'rr-b': 10 });
  });

  it('drops hop-by-hop headers and sets X-Forwarded-For / X-Forwarded-Proto', async () => {
    // node:http, not undici: undici refuses to send Keep-Alive and Connection-listed headers itself.
    const [host, port] = sluice.addresses.http!.split(':');
    const body = await new Promise<string>((resolve, reject) => {
      http
        .get(
          {
            host,
            port: Number(port),
            path: '/api',
            headers: {
              host: 'hello.example.com',
              Connection: 'keep-alive, X-Secret-Hop',
              'X-Secret-Hop': 'drop me',
              'Keep-Alive': 'timeout=5',
              'X-Forwarded-For': '203.0.113.9',
              'X-Forwarded-Proto': 'forged',
              'X-Kept': 'yes',
            },
            agent: false,
          },
          (res) => {
            let s = '';
            res.on('data', (d) => (s += d));
            res.on('end', () => resolve(s));
          },
        )
        .on('error', reject);
    });
    const r = JSON.parse(body) as EchoReply;
    assert.equal(r.headers['x-secret-hop'], undefined);
    assert.equal(r.headers['keep-alive'], undefined);
    assert.equal(r.headers['x-kept'], 'yes');
    assert.equal(r.headers['x-forwarded-for'], '203.0.113.9, 127.0.0.1');
    assert.equal(r.headers['x-forwarded-proto'], 'http');
  });

  it('drops hop-by-hop headers from responses', async () => {
    const weird = await startUpstream('weird', (_req, res) => {
      res.writeHead(200, { Connection: 'X-Resp-Hop', 'X-Resp-Hop': 'secret', 'Keep-Alive': 'timeout=99', 'X-Fine': '1', 'content-length': '2' });
      res.end('ok');
    });
    try {
      await cfg.write('weird.yaml', [...backend('weird', [{ ip: '127.0.0.1', port: weird.port }]), ingress('weird', [{ hosts: ['weird.example.com'], paths: [{ splits: [{ service: 'weird' }] }] }])]);
      assert.ok(await waitFor(async () => (await get(sluice.addresses.http!, 'weird.example.com')).status === 200));
      const r = await get(sluice.addresses.http!, 'weird.example.com');
      assert.equal(r.headers['x-resp-hop'], undefined);
      assert.equal(r.headers['x-fine'], '1');
      assert.equal(r.body, 'ok');
    } finally {
      await weird.close();
      await cfg.remove('weird.yaml');
    }
  });

  it('answers Knative probes itself with the ingress hash', async () => {
    const status = await getJson<{ ingresses: Array<{ name: string; hash: string }> }>(sluice.addresses.admin!, 'admin', '/status');
    const hash = status.json.ingresses.find((i) => i.name === 'hello')!.hash;
    assert.match(hash, /^[0-9a-f]{64}$/);
    const before = ups.v1!.requests.length + ups.v2!.requests.length;
    const r = await get(sluice.addresses.http!, 'hello.example.com', '/healthz', { 'K-Network-Probe': 'probe', 'K-Network-Hash': 'override' });
    assert.equal(r.status, 200);
    assert.equal(r.headers['k-network-hash'], hash);
    const echo = await get(sluice.addresses.local!, 'hello.default.svc', '/', { 'K-Network-Probe': 'probe', 'K-Network-Hash': 'abc' });
    assert.equal(echo.headers['k-network-hash'], 'abc');
    assert.equal(ups.v1!.requests.length + ups.v2!.requests.length, before, 'probes never reach upstreams');
  });

  it('reuses upstream keep-alive connections across config swaps', async () => {
    let connections = 0;
    const counting = await startUpstream('counting');
    counting.server.on('connection', () => connections++);
    try {
      await cfg.write('counting.yaml', [...backend('counting', [{ ip: '127.0.0.1', port: counting.port }]), ingress('counting', [{ hosts: ['count.example.com'], paths: [{ splits: [{ service: 'counting' }] }] }])]);
      assert.ok(await waitFor(async () => (await get(sluice.addresses.http!, 'count.example.com')).status === 200));
      for (let i = 0; i < 20; i++) assert.equal((await get(sluice.addresses.http!, 'count.example.com')).status, 200);
      // An unrelated change produces a new snapshot; the pool to `counting` must survive it.
      await cfg.write('unrelated.yaml', [ingress('unrelated', [{ hosts: ['u.example.com'], paths: [{ splits: [{ service: 'api' }] }] }])]);
      assert.ok(await waitFor(async () => (await get(sluice.addresses.http!, 'u.example.com', '/')).status === 200));
      for (let i = 0; i < 20; i++) assert.equal((await get(sluice.addresses.http!, 'count.example.com')).status, 200);
      assert.equal(connections, 1, 'sequential requests share one upstream connection, before and after the swap');
    } finally {
      await counting.close();
    }
  });
});

async function startUpstreamOn(name: string, host: string, port: number): Promise<Upstream> {
  const up = await startUpstream(name);
  // re-listen on the requested address
  await new Promise<void>((r) => up.server.close(() => r()));
  await new Promise<void>((resolve, reject) => {
    up.server.once('error', reject);
    up.server.listen(port, host, () => resolve());
  });
  return { ...up, port, close: () => new Promise<void>((r) => { up.server.closeAllConnections(); up.server.close(() => r()); }) };
}
