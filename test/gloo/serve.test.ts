// Whole process: `sluice serve` reads Gloo Edge YAML from files and routes real requests to real
// upstreams: VirtualServices on the --http listener (no Gloo Gateway), RouteTable delegation,
// header edits and redirects; /status lists each object's Gloo status; a broken edit keeps the
// last good configuration; and a Gloo Gateway binds its own port.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../proxy/gateway-ports-helpers.ts';
import { ConfigDir, backend } from '../support/config.ts';
import { eventually, get, getJson } from '../support/http.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';
import { GW, routeTable, upstream, vs } from './support.ts';

interface GlooEntry {
  kind: string;
  name: string;
  status: { statuses: Record<string, { state: string; reason?: string }> };
}

const hello = (extra: object[] = []) =>
  vs('hello', {
    virtualHost: {
      domains: ['hello.example.com'],
      routes: [
        ...extra,
        { matchers: [{ prefix: '/team' }], delegateAction: { selector: { labels: { owner: 'team' } } } },
        { matchers: [{ exact: '/old' }], redirectAction: { hostRedirect: 'new.example.com', pathRedirect: '/new' } },
        {
          matchers: [{ prefix: '/' }],
          routeAction: { single: { upstream: { name: 'a' } } },
          options: { headerManipulation: { requestHeadersToAdd: [{ header: { key: 'x-from', value: 'gloo' } }], responseHeadersToAdd: [{ header: { key: 'x-served-by', value: 'sluice' } }] } },
        },
      ],
    },
  });

describe('sluice serve with Gloo Edge resources', () => {
  let cfg: ConfigDir;
  let a: Upstream;
  let b: Upstream;
  let sluice: SluiceProcess;
  let http: string;
  let admin: string;

  before(async () => {
    [a, b] = await Promise.all([startUpstream('a'), startUpstream('b')]);
    cfg = await ConfigDir.create();
    await cfg.write('backends.yaml', [...backend('a', [{ ip: '127.0.0.1', port: a.port }]), ...backend('b', [{ ip: '127.0.0.1', port: b.port }])]);
    await cfg.write('upstreams.yaml', [upstream('a', { kube: { serviceName: 'a', serviceNamespace: 'default', servicePort: 80 } })]);
    await cfg.write('vs.yaml', [hello()]);
    await cfg.write('rt.yaml', [routeTable('team', { routes: [{ matchers: [{ prefix: '/team/b' }], routeAction: { single: { upstream: { name: 'default-b-80', namespace: 'gloo-system' } } }, options: { prefixRewrite: '/' } }] }, { labels: { owner: 'team' } })]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
    http = sluice.addresses.http as string;
    admin = sluice.addresses.admin as string;
  });
  after(async () => {
    await sluice?.stop();
    await Promise.all([a?.close(), b?.close()]);
    await cfg?.cleanup();
  });

  it('routes a VirtualService on the --http listener, with its header edits', async () => {
    const r = await get(http, 'hello.example.com', '/anything');
    assert.equal(r.status, 200);
    assert.equal(r.headers['x-upstream'], 'a');
    assert.equal(r.headers['x-served-by'], 'sluice');
    assert.equal(JSON.parse(r.body).headers['x-from'], 'gloo');
    assert.equal((await get(http, 'other.example.com', '/')).status, 404);
  });

  it('routes through a RouteTable picked by labels, with its prefix rewrite', async () => {
    const r = await get(http, 'hello.example.com', '/team/b/items?x=1');
    assert.equal(r.headers['x-upstream'], 'b');
    assert.equal(JSON.parse(r.body).url, '/items?x=1');
  });

  it('answers a redirectAction itself', async () => {
    const r = await get(http, 'hello.example.com', '/old');
    assert.equal(r.status, 301);
    assert.equal(r.headers.location, 'http://new.example.com/new');
  });

  it('lists every Gloo object with its status in /status', async () => {
    const { json } = await getJson<{ gloo: GlooEntry[] }>(admin, 'admin', '/status');
    assert.deepEqual(
      json.gloo.map((s) => [s.kind, s.name, s.status.statuses['sluice-system']?.state]),
      [
        ['RouteTable', 'team', 'Accepted'],
        ['Upstream', 'a', 'Accepted'],
        ['VirtualService', 'hello', 'Accepted'],
      ],
    );
  });

  it('keeps the last good VirtualService when an edit is rejected, and serves a good edit', async () => {
    await cfg.write('vs.yaml', [vs('hello', { virtualHost: { domains: 'hello.example.com' } })]);
    assert.ok(
      await eventually(async () => {
        const { json } = await getJson<{ rejected: Array<{ kind: string; name: string }> }>(admin, 'admin', '/status');
        return json.rejected.some((r) => r.kind === 'VirtualService' && r.name === 'hello');
      }, 10_000),
    );
    assert.equal((await get(http, 'hello.example.com', '/anything')).headers['x-upstream'], 'a');
    await cfg.write('vs.yaml', [hello([{ matchers: [{ prefix: '/now-b' }], routeAction: { single: { upstream: { name: 'default-b-80' } } } }])]);
    assert.ok(await eventually(async () => (await get(http, 'hello.example.com', '/now-b')).headers['x-upstream'] === 'b', 10_000));
  });
});

describe('sluice serve with a Gloo Gateway', () => {
  let cfg: ConfigDir;
  let a: Upstream;
  let sluice: SluiceProcess;

  after(async () => {
    await sluice?.stop();
    await a?.close();
    await cfg?.cleanup();
  });

  it('binds the Gateway bindAddress and bindPort and serves its VirtualServices there only', async () => {
    a = await startUpstream('a');
    const port = await freePort();
    cfg = await ConfigDir.create();
    await cfg.write('all.yaml', [
      ...backend('a', [{ ip: '127.0.0.1', port: a.port }]),
      vs('hello', { virtualHost: { domains: ['*'], routes: [{ routeAction: { single: { upstream: { name: 'default-a-80' } } } }] } }),
      { apiVersion: GW, kind: 'Gateway', metadata: { name: 'gateway-proxy', namespace: 'gloo-system' }, spec: { bindAddress: '127.0.0.1', bindPort: port, proxyNames: ['gateway-proxy'] } },
    ]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0'], ['http', 'local', 'admin', `gloo/127.0.0.1:${port}`]);
    assert.equal((await get(`127.0.0.1:${port}`, 'any.example.com', '/')).headers['x-upstream'], 'a');
    assert.equal((await get(sluice.addresses.http as string, 'any.example.com', '/')).status, 404);
  });
});
