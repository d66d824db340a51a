// Gloo's JWT options through `sluice serve`: a virtual host's `jwtStaged.beforeExtAuth` providers
// (local key as PEM, Gloo's shape: issuer, audiences, tokenSource, claimsToHeaders) become Sluice's
// JWT policy; a route's `jwtStaged.beforeExtAuth.disable` switches it off, `validationPolicy:
// ALLOW_MISSING` lets requests without a token through; unserved fields are Warnings naming them.
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend } from '../support/config.ts';
import { eventually, get, getJson } from '../support/http.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { type EchoReply, type Upstream, startUpstream } from '../support/upstream.ts';
import { type TestKey, testKey } from '../policies/jwt-tokens.ts';
import { vs } from './support.ts';

const to = (service: string) => ({ single: { kube: { ref: { name: service, namespace: 'default' }, port: 80 } } });

interface GlooEntry {
  kind: string;
  name: string;
  status: { statuses: Record<string, { state: string; messages?: string[] }> };
}

describe('Gloo JWT options through sluice serve', () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let echo: Upstream;
  let key: TestKey;
  const call = (path: string, headers: Record<string, string> = {}) => get(sluice.addresses.http!, 'api.example.com', path, headers);

  before(async () => {
    echo = await startUpstream('echo');
    key = await testKey('k1');
    const pem = createPublicKey({ key: key.jwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
    const provider = {
      issuer: 'https://idp.example.com',
      audiences: ['api'],
      jwks: { local: { key: pem } },
      tokenSource: { headers: [{ header: 'x-token', prefix: 'Bearer ' }] },
      claimsToHeaders: [{ claim: 'sub', header: 'x-user' }],
      keepToken: true,
      attachFailedStatusToMetadata: 'jwt-status',
    };
    cfg = await ConfigDir.create();
    await cfg.write('config.yaml', [
      vs('api', {
        virtualHost: {
          domains: ['api.example.com'],
          options: { jwtStaged: { beforeExtAuth: { providers: { idp: provider } } } },
          routes: [
            { matchers: [{ prefix: '/health' }], routeAction: to('echo'), options: { jwtStaged: { beforeExtAuth: { disable: true } } } },
            { matchers: [{ prefix: '/maybe' }], routeAction: to('echo'), options: { jwtProvidersStaged: { beforeExtAuth: { providers: { idp: provider }, validationPolicy: 'ALLOW_MISSING' } } } },
            { matchers: [{ prefix: '/' }], routeAction: to('echo') },
          ],
        },
      }),
      ...backend('echo', [{ ip: '127.0.0.1', port: echo.port }]),
    ]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
    assert.ok(await eventually(async () => (await call('/health')).status === 200, 10_000));
  });

  after(async () => {
    await sluice?.stop();
    await echo?.close();
    await cfg?.cleanup();
  });

  it("verifies tokens from the provider's tokenSource and copies claims to headers", async () => {
    const token = await key.sign({ iss: 'https://idp.example.com', aud: 'api', sub: 'alice' }, { expiresIn: '5m' });
    const ok = await call('/orders', { 'x-token': `Bearer ${token}` });
    assert.equal(ok.status, 200, ok.body);
    assert.equal((JSON.parse(ok.body) as EchoReply).headers['x-user'], 'alice');
    assert.equal((await call('/orders')).status, 401);
    const wrongAudience = await key.sign({ iss: 'https://idp.example.com', aud: 'other', sub: 'alice' }, { expiresIn: '5m' });
    assert.equal((await call('/orders', { 'x-token': `Bearer ${wrongAudience}` })).status, 401);
  });

  it('switches JWT off for a route with disable, and lets requests without a token through with ALLOW_MISSING', async () => {
    assert.equal((await call('/health')).status, 200);
    assert.equal((await call('/maybe')).status, 200);
    assert.equal((await call('/maybe', { 'x-token': 'Bearer not.a.token' })).status, 401);
  });

  it('warns about the fields it does not serve, naming them', async () => {
    const { json } = await getJson<{ gloo: GlooEntry[] }>(sluice.addresses.admin!, 'admin', '/status');
    const st = json.gloo.find((g) => g.kind === 'VirtualService' && g.name === 'api')!.status.statuses['sluice-system']!;
    assert.equal(st.state, 'Warning');
    const messages = (st.messages ?? []).join('\n');
    assert.match(messages, /spec\.virtualHost\.options\.jwtStaged\.beforeExtAuth\.providers\.idp\.attachFailedStatusToMetadata/);
    assert.doesNotMatch(messages, /claimsToHeaders|tokenSource|jwks/);
  });
});
