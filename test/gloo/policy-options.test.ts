// Gloo route and virtual-host options as Sluice's policies, through `sluice serve` with Gloo YAML:
// `extauth` (customAuth's contextExtensions to the gateway-wide ext_authz server of config-sluice,
// `disable: true` per route), `ratelimitBasic.anonymousLimits` as a per-client local limit,
// `idleTimeout` and `maxStreamDuration`; the parts Sluice does not serve get a Warning naming them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend } from '../support/config.ts';
import { eventually, get, getJson } from '../support/http.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { type Upstream, startUpstream } from '../support/upstream.ts';
import { type AuthzServer, startGrpcAuthz } from '../policies/authz-servers.ts';
import { vs } from './support.ts';

const GOOD = { authorization: 'Bearer good' };
const configSluice = (data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'config-sluice', namespace: 'sluice-system' }, data });
const to = (service: string) => ({ single: { kube: { ref: { name: service, namespace: 'default' }, port: 80 } } });

interface GlooEntry {
  kind: string;
  name: string;
  status: { statuses: Record<string, { state: string; messages?: string[] }> };
}

describe('Gloo policy options through sluice serve', () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let echo: Upstream;
  let slow: Upstream;
  let authz: AuthzServer;
  const call = async (path: string, headers: Record<string, string> = {}) => (await get(sluice.addresses.http!, 'shop.example.com', path, headers)).status;

  before(async () => {
    [echo, authz] = await Promise.all([startUpstream('echo'), startGrpcAuthz()]);
    slow = await startUpstream('slow', (_req, res) => {
      const t = setTimeout(() => res.end('late'), 1500);
      res.on('close', () => clearTimeout(t));
    });
    cfg = await ConfigDir.create();
    await cfg.write('config.yaml', [
      configSluice({ 'extauthz-host': authz.address, 'extauthz-timeout': '10s' }),
      vs('shop', {
        virtualHost: {
          domains: ['shop.example.com'],
          options: { extauth: { customAuth: { contextExtensions: { tenant: 'shop' } } } },
          routes: [
            { matchers: [{ prefix: '/public' }], routeAction: to('echo'), options: { extauth: { disable: true } } },
            { matchers: [{ prefix: '/limited' }], routeAction: to('echo'), options: { extauth: { disable: true }, ratelimitBasic: { anonymousLimits: { requestsPerUnit: 2, unit: 'MINUTE' }, authorizedLimits: { requestsPerUnit: 9, unit: 'SECOND' } } } },
            { matchers: [{ prefix: '/idle' }], routeAction: to('slow'), options: { extauth: { disable: true }, idleTimeout: '0.3s' } },
            { matchers: [{ prefix: '/bounded' }], routeAction: to('slow'), options: { extauth: { disable: true }, maxStreamDuration: { maxStreamDuration: '0.5s', grpcTimeoutHeaderMax: '1s' } } },
            { matchers: [{ prefix: '/' }], routeAction: to('echo') },
          ],
        },
      }),
      ...backend('echo', [{ ip: '127.0.0.1', port: echo.port }]),
      ...backend('slow', [{ ip: '127.0.0.1', port: slow.port }]),
    ]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
    assert.ok(await eventually(async () => (await call('/public')) === 200, 10_000));
  });

  after(async () => {
    await sluice?.stop();
    await Promise.all([echo?.close(), slow?.close(), authz?.close()]);
    await cfg?.cleanup();
  });

  it("sends customAuth's contextExtensions to the gateway's ext_authz server, and disable: true switches it off per route", async () => {
    assert.equal(await call('/cart'), 401);
    assert.equal(await call('/cart', GOOD), 200);
    assert.deepEqual(authz.seen.at(-1)!.contextExtensions, { tenant: 'shop' });
    const asked = authz.seen.length;
    assert.equal(await call('/public'), 200);
    assert.equal(authz.seen.length, asked, 'not asked');
  });

  it('limits anonymous clients with ratelimitBasic.anonymousLimits (a local bucket per client)', async () => {
    assert.equal(await call('/limited'), 200);
    assert.equal(await call('/limited'), 200);
    const r = await get(sluice.addresses.http!, 'shop.example.com', '/limited');
    assert.equal(r.status, 429);
    assert.ok(r.headers['retry-after']);
  });

  it('cuts an idle exchange at idleTimeout and a long one at maxStreamDuration', async () => {
    assert.equal(await call('/idle'), 504);
    assert.equal(await call('/bounded'), 504);
  });

  it('warns, naming each field, about the parts it does not serve', async () => {
    const { json } = await getJson<{ gloo: GlooEntry[] }>(sluice.addresses.admin!, 'admin', '/status');
    const shop = json.gloo.find((g) => g.kind === 'VirtualService' && g.name === 'shop')!;
    const st = shop.status.statuses['sluice-system']!;
    assert.equal(st.state, 'Warning');
    const messages = (st.messages ?? []).join('\n');
    assert.match(messages, /routes\[1\]\.options\.ratelimitBasic\.authorizedLimits/);
    assert.match(messages, /routes\[3\]\.options\.maxStreamDuration\.grpcTimeoutHeaderMax/);
    assert.doesNotMatch(messages, /options\.extauth|anonymousLimits|idleTimeout/);
  });
});
