// JWT authentication through `sluice serve`: a JWKS server run by the test, tokens signed by the test
// with jose, TrafficPolicies named by Knative Ingress annotations, a real echo upstream.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { eventually, get, getJson } from '../support/http.ts';
import { type SluiceProcess, runSluice, startSluice } from '../support/sluice.ts';
import { type EchoReply, type Upstream, startUpstream } from '../support/upstream.ts';
import { trafficPolicy } from '../policies/helpers.ts';
import { jwks, type TestKey, testKey } from '../policies/jwt-tokens.ts';

interface JwksServer {
  readonly uri: string;
  /** what it serves: a key set, or a status to fail with */
  serve: object | number;
  fetches: number;
  close(): Promise<void>;
}

async function startJwks(serve: object | number): Promise<JwksServer> {
  const s: JwksServer = {
    uri: '',
    serve,
    fetches: 0,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
  const server = http.createServer((_req, res) => {
    s.fetches++;
    if (typeof s.serve === 'number') return res.writeHead(s.serve).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(s.serve));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  (s as { uri: string }).uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  return s;
}

const ISSUER = 'https://idp.example.com';
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

describe('JWT authentication through sluice serve', () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let echo: Upstream;
  let idp: JwksServer;
  let rotating: JwksServer;
  let dead: JwksServer;
  let k1: TestKey;
  let k2: TestKey;
  let stranger: TestKey;
  let addr: string;
  const claims = { iss: ISSUER, aud: 'api', sub: 'alice', groups: ['dev', 'ops'] };

  before(async () => {
    [k1, k2, stranger] = await Promise.all([testKey('k1'), testKey('k2', 'ES256'), testKey('k1')]);
    [echo, idp, rotating, dead] = await Promise.all([startUpstream('echo'), startJwks(jwks(k1)), startJwks(jwks(k1)), startJwks(503)]);
    cfg = await ConfigDir.create();
    const site = (name: string, policy?: string) =>
      ingress(name, [{ hosts: [`${name}.example.com`], paths: [{ splits: [{ service: 'echo' }] }] }], policy === undefined ? {} : { annotations: { 'sluice.dev/traffic-policy': policy } });
    const idpProvider = (uri: string, extra: object = {}) => ({
      name: 'idp', issuer: ISSUER, audiences: ['api'], remoteJwks: { uri, timeout: '2s', ...extra },
      claimsToHeaders: [{ claim: 'sub', header: 'x-user' }, { claim: 'groups', header: 'x-groups' }],
    });
    await cfg.write('config.yaml', [
      site('api', 'jwt-required'),
      site('optional', 'jwt-optional'),
      site('off', 'jwt-off'),
      site('rotate', 'jwt-rotate'),
      site('dead', 'jwt-dead'),
      trafficPolicy('jwt-required', { jwt: { providers: [idpProvider(idp.uri)] } }),
      trafficPolicy('jwt-optional', { jwt: { required: false, providers: [idpProvider(idp.uri)] } }),
      trafficPolicy('jwt-off', { jwt: { disabled: true }, ipAccess: { deny: ['192.0.2.0/24'] } }),
      trafficPolicy('jwt-rotate', { jwt: { providers: [idpProvider(rotating.uri, { cacheDuration: '1s' })] } }),
      trafficPolicy('jwt-dead', { jwt: { providers: [idpProvider(dead.uri)] } }),
      ...backend('echo', [{ ip: '127.0.0.1', port: echo.port }]),
    ]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
    addr = sluice.addresses.http!;
    assert.ok(await eventually(async () => (await get(addr, 'off.example.com', '/')).status === 200, 10_000));
  });

  after(async () => {
    await sluice?.stop();
    await Promise.all([echo?.close(), idp?.close(), rotating?.close(), dead?.close()]);
    await cfg?.cleanup();
  });

  it('lets a valid token through, with its claims reaching the upstream as headers', async () => {
    const r = await getJson<EchoReply>(addr, 'api.example.com', '/', { ...bearer(await k1.sign(claims, { expiresIn: '5m' })), 'x-user': 'mallory' });
    assert.equal(r.status, 200);
    assert.equal(r.json.headers['x-user'], 'alice');
    assert.equal(r.json.headers['x-groups'], 'dev,ops');
    assert.equal(idp.fetches, 1, 'the key set is fetched once and cached');
  });

  it('answers 401 to expired, wrong-audience and wrong-key tokens, and a missing one', async () => {
    const expired = await k1.sign(claims, { expiresIn: Math.floor(Date.now() / 1000) - 300 });
    for (const [what, headers] of [
      ['expired', bearer(expired)],
      ['audience', bearer(await k1.sign({ ...claims, aud: 'billing' }))],
      ['wrong key', bearer(await stranger.sign(claims))],
      ['malformed', bearer('eyJhbGciOiJub25lIn0.e30.')],
    ] as const) {
      const r = await get(addr, 'api.example.com', '/', headers);
      assert.equal(r.status, 401, what);
      assert.match(String(r.headers['www-authenticate']), /^Bearer error="invalid_token"/, what);
    }
    const missing = await get(addr, 'api.example.com', '/');
    assert.deepEqual([missing.status, missing.headers['www-authenticate']], [401, 'Bearer']);
    assert.equal(echo.requests.filter((q) => q.headers.host === 'api.example.com').length, 1, 'only the valid request reached the upstream');
  });

  it('optional: no token goes on (the claim headers emptied), a bad one is still 401', async () => {
    const r = await getJson<EchoReply>(addr, 'optional.example.com', '/', { 'x-user': 'mallory' });
    assert.equal(r.status, 200);
    assert.equal(r.json.headers['x-user'], '');
    assert.equal((await get(addr, 'optional.example.com', '/', bearer('x.y.z'))).status, 401);
  });

  it('jwt.disabled leaves the route open', async () => {
    assert.equal((await get(addr, 'off.example.com', '/')).status, 200);
  });

  it('picks up a rotated key: a token with an unknown kid fetches the key set again', async () => {
    assert.equal((await get(addr, 'rotate.example.com', '/', bearer(await k1.sign(claims)))).status, 200);
    rotating.serve = jwks(k2);
    const t2 = await k2.sign(claims);
    const started = Date.now();
    const before = rotating.fetches;
    assert.ok(await eventually(async () => (await get(addr, 'rotate.example.com', '/', bearer(t2))).status === 200, 10_000), 'the new key is used');
    // Polled every 25 ms, yet fetched at most once per second (cacheDuration 1s), however long it took.
    const allowed = 1 + Math.ceil((Date.now() - started) / 1000);
    assert.ok(rotating.fetches - before <= allowed, `refetches are rate-limited (${rotating.fetches - before} > ${allowed})`);
  });

  it('a JWKS endpoint that is down: 401 and one warning, never a crash; cached keys keep serving', async () => {
    const token = await k1.sign(claims);
    for (let i = 0; i < 5; i++) assert.equal((await get(addr, 'dead.example.com', '/', bearer(token))).status, 401);
    const warning = await sluice.waitForLog((e) => e.msg === 'JWKS fetch failed', 5000);
    assert.equal(warning.uri, dead.uri);
    assert.equal(sluice.lines.filter((l) => l.includes('JWKS fetch failed')).length, 1, 'logged once per interval');
    // The required route's endpoint fails from now on: its cached keys still verify.
    idp.serve = 500;
    assert.equal((await get(addr, 'api.example.com', '/', bearer(token))).status, 200);
  });

  it('sluice validate names a bad JWKS URI and provider fields', async () => {
    const bad = await ConfigDir.create();
    try {
      await bad.write('p.yaml', [trafficPolicy('p', { jwt: { providers: [{ name: 'idp', remoteJwks: { uri: 'ftp://keys.example.com/jwks', timeout: 'soon' }, claimsToHeaders: [{ claim: 'sub', header: 'host' }] }, { name: 'two' }] } })]);
      const out = await runSluice(['validate', bad.dir]);
      assert.equal(out.code, 1);
      const text = out.stdout + out.stderr;
      assert.match(text, /spec\.jwt\.providers\[0\]\.remoteJwks\.uri: must be an http:\/\/ or https:\/\/ URL/);
      assert.match(text, /spec\.jwt\.providers\[0\]\.remoteJwks\.timeout: must be a Gateway API duration/);
      assert.match(text, /spec\.jwt\.providers\[0\]\.claimsToHeaders\[0\]\.header: host is the gateway's to set/);
      assert.match(text, /spec\.jwt\.providers\[1\]: must set exactly one of remoteJwks and localJwks/);
    } finally {
      await bad.cleanup();
    }
  });
});
