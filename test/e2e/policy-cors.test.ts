// CORS from a TrafficPolicy through `sluice serve`: a Knative Ingress naming the policy by its
// annotation and an HTTPRoute targeted by it get preflights answered by the gateway and the
// Access-Control-* headers on actual responses (undici and curl); an HTTPRoute with its own CORS
// filter keeps its own; the same reaches Envoy over ADS as per-route CorsPolicy.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { freePort } from '../proxy/gateway-ports-helpers.ts';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { eventually, get } from '../support/http.ts';
import { type SluiceProcess, runSluice, startSluice } from '../support/sluice.ts';
import { type Upstream, startUpstream } from '../support/upstream.ts';
import { trafficPolicy } from '../policies/helpers.ts';
import { decodeAny } from '../../src/xds/encode.ts';
import { TypeUrl } from '../../src/xds/protos.ts';
import { node, sotw } from '../xds/ads-client.ts';

const run = promisify(execFile);
// biome-ignore lint/suspicious/noExplicitAny: the test walks Envoy's JSON by path; a wrong path fails the assertion.
type Obj = Record<string, any>;

const V1 = 'gateway.networking.k8s.io/v1';
const gatewayClass = { apiVersion: V1, kind: 'GatewayClass', metadata: { name: 'sluice' }, spec: { controllerName: 'sluice.dev/gateway-controller' } };
const gateway = { apiVersion: V1, kind: 'Gateway', metadata: { name: 'gw', namespace: 'default' }, spec: { gatewayClassName: 'sluice', listeners: [{ name: 'web', port: 80, protocol: 'HTTP' }] } };
const httpRoute = (name: string, filters: object[] = []) => ({
  apiVersion: V1,
  kind: 'HTTPRoute',
  metadata: { name, namespace: 'default' },
  spec: { parentRefs: [{ name: 'gw' }], hostnames: [`${name}.example.com`], rules: [{ filters, backendRefs: [{ name: 'echo', port: 80 }] }] },
});
const target = (name: string) => ({ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name });
const CORS = {
  allowOrigins: ['https://app.example.com', 'https://*.tenant.example.com'],
  allowMethods: ['GET', 'PUT'],
  allowHeaders: ['x-token'],
  exposeHeaders: ['x-upstream'],
  allowCredentials: true,
  maxAge: 600,
};
const preflight = (origin: string) => ({ origin, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'x-token' });

describe('CORS from a TrafficPolicy through sluice serve', () => {
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
      httpRoute('api'),
      httpRoute('own', [{ type: 'CORS', cors: { allowOrigins: ['https://own.example.com'], allowMethods: ['GET'] } }]),
      ingress('knative', [{ hosts: ['knative.example.com'], paths: [{ splits: [{ service: 'echo' }] }] }], { annotations: { 'sluice.dev/traffic-policy': 'browser' } }),
      trafficPolicy('browser', { cors: CORS }),
      trafficPolicy('browser-routes', { targetRefs: [target('api'), target('own')], cors: CORS }),
      ...backend('echo', [{ ip: '127.0.0.1', port: echo.port }]),
    ]);
    sluice = await startSluice(
      ['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--xds', '127.0.0.1:0', '--gateway-address', '127.0.0.1', '--port-offset', String(bound - 80)],
      ['http', 'local', 'admin', 'xds', `gateway/${port}`],
    );
    assert.ok(await eventually(async () => (await get(port, 'api.example.com', '/')).status === 200, 10_000));
  });

  after(async () => {
    await sluice?.stop();
    await echo?.close();
    await cfg?.cleanup();
  });

  for (const [what, addr, host] of [
    ['a Knative Ingress naming the policy', () => sluice.addresses.http!, 'knative.example.com'],
    ['an HTTPRoute the policy targets', () => port, 'api.example.com'],
  ] as const) {
    it(`answers a preflight itself on ${what}, and adds the headers to actual responses`, async () => {
      const before = echo.requests.length;
      const pre = await get(addr(), host, '/items', preflight('https://a.tenant.example.com'), { method: 'OPTIONS' });
      assert.ok(pre.status === 200 || pre.status === 204, String(pre.status));
      assert.equal(pre.headers['access-control-allow-origin'], 'https://a.tenant.example.com');
      assert.equal(pre.headers['access-control-allow-credentials'], 'true');
      assert.match(String(pre.headers['access-control-allow-methods']), /PUT/);
      assert.match(String(pre.headers['access-control-allow-headers']), /x-token/);
      assert.equal(pre.headers['access-control-max-age'], '600');
      assert.equal(echo.requests.length, before, 'the preflight never reaches the backend');

      const actual = await get(addr(), host, '/items', { origin: 'https://app.example.com' });
      assert.equal(actual.status, 200);
      assert.equal(actual.headers['access-control-allow-origin'], 'https://app.example.com');
      assert.equal(actual.headers['access-control-expose-headers'], 'x-upstream');

      const stranger = await get(addr(), host, '/items', preflight('https://evil.example.org'), { method: 'OPTIONS' });
      assert.equal(stranger.headers['access-control-allow-origin'], undefined);
      const plain = await get(addr(), host, '/items');
      assert.equal(plain.status, 200);
      assert.equal(plain.headers['access-control-allow-origin'], undefined);
    });
  }

  it('answers a preflight over HTTP/2 too (curl)', async () => {
    const out = await run('curl', ['-s', '-o', '/dev/null', '-D', '-', '--http2-prior-knowledge', '-X', 'OPTIONS', '-H', 'host: knative.example.com', '-H', 'origin: https://app.example.com', '-H', 'access-control-request-method: GET', `http://${sluice.addresses.http!}/`], { timeout: 10_000 });
    assert.match(out.stdout, /^HTTP\/2 20[04]/);
    assert.match(out.stdout, /access-control-allow-origin: https:\/\/app\.example\.com/i);
  });

  it("keeps an HTTPRoute's own CORS filter over the policy's", async () => {
    const own = await get(port, 'own.example.com', '/', preflight('https://own.example.com'), { method: 'OPTIONS' });
    assert.equal(own.headers['access-control-allow-origin'], 'https://own.example.com');
    const policyOrigin = await get(port, 'own.example.com', '/', { origin: 'https://app.example.com' });
    assert.equal(policyOrigin.headers['access-control-allow-origin'], undefined, "the policy's origins do not apply");
  });

  it('gives Envoy the cors filter and a per-route CorsPolicy over ADS', async () => {
    const c = sotw(sluice.addresses.xds!);
    try {
      const fetch = async (typeUrl: string, names: string[]): Promise<Obj[]> => {
        c.send({ node: node('e2e'), type_url: typeUrl, resource_names: names });
        const r = await c.next(10_000);
        c.send({ type_url: typeUrl, resource_names: names, version_info: r.version_info, response_nonce: r.nonce });
        return r.resources.map((a) => decodeAny(a) as Obj);
      };
      const [listener] = await fetch(TypeUrl.listener, ['external']);
      const filters = (listener!.filter_chains[0].filters[0].typed_config.http_filters as Obj[]).map((f) => f.name as string);
      assert.ok(filters.includes('envoy.filters.http.cors'), filters.join(', '));
      const [rc] = await fetch(TypeUrl.route, ['external']);
      const vhost = (rc!.virtual_hosts as Obj[]).find((v) => v.domains.includes('knative.example.com'))!;
      const route = (vhost.routes as Obj[]).find((r) => r.route !== undefined)!;
      const cors = route.typed_per_filter_config['envoy.filters.http.cors'];
      assert.equal(cors['@type'], 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy');
      assert.deepEqual(
        (cors.allow_origin_string_match as Obj[]).map((m) => m.exact ?? m.safe_regex?.regex),
        ['https://app.example.com', String((cors.allow_origin_string_match as Obj[])[1].safe_regex?.regex)],
      );
      assert.equal(cors.allow_credentials.value, true);
      assert.equal(cors.max_age, '600');
    } finally {
      c.close();
    }
  });

  it('sluice validate names a bad CORS field by its path', async () => {
    const bad = await ConfigDir.create();
    try {
      await bad.write('p.yaml', [trafficPolicy('p', { cors: { allowOrigins: ['https://ok.example.com'], allowMethods: ['FETCH'], maxAge: -1, allowCredentials: 'yes', extra: 1 } })]);
      const out = await runSluice(['validate', bad.dir]);
      assert.equal(out.code, 1);
      const text = out.stdout + out.stderr;
      assert.match(text, /spec\.cors\.allowMethods\[0\]: .*FETCH/);
      assert.match(text, /spec\.cors\.maxAge: /);
      assert.match(text, /spec\.cors\.allowCredentials: /);
      assert.match(text, /spec\.cors\.extra: unknown field/);
    } finally {
      await bad.cleanup();
    }
  });
});
