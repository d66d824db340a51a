// `sluice serve --xds` with TrafficPolicies from the config directory: a Knative Ingress naming a
// policy with a global rate limit and ext_authz reaches an ADS client as the ratelimit and
// ext_authz filters, the route's rate_limits, and clusters for both services; another ingress's
// route switches ext_authz off.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { startSluice } from '../support/sluice.ts';
import { trafficPolicy } from '../policies/helpers.ts';
import { decodeAny } from '../../src/xds/encode.ts';
import { TypeUrl } from '../../src/xds/protos.ts';
import { node, sotw } from './ads-client.ts';

// biome-ignore lint/suspicious/noExplicitAny: the test walks Envoy's JSON by path; a wrong path fails the assertion.
type Obj = Record<string, any>;

it('serves a TrafficPolicy with a global rate limit and ext_authz to Envoy over ADS', { timeout: 60_000 }, async () => {
  const cfg = await ConfigDir.create();
  await cfg.write('a.yaml', [
    ...backend('hello', [{ ip: '127.0.0.1', port: 9999 }]),
    ingress('guarded', [{ hosts: ['guarded.example.com'], paths: [{ splits: [{ service: 'hello' }] }] }], { annotations: { 'sluice.dev/traffic-policy': 'guard' } }),
    ingress('open', [{ hosts: ['open.example.com'], paths: [{ splits: [{ service: 'hello' }] }] }]),
    trafficPolicy('guard', {
      rateLimit: { global: { service: '127.0.0.1:8081', domain: 'edge', descriptors: [[{ key: 'user', fromHeader: 'x-user' }]], failureMode: 'deny' } },
      extAuthz: { grpc: { address: '127.0.0.1:9000' } },
    }),
  ]);
  const sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--xds', ':0'], ['http', 'local', 'admin', 'xds']);
  const c = sotw(sluice.addresses.xds!);
  try {
    const fetch = async (typeUrl: string, names: string[]): Promise<Obj[]> => {
      c.send({ node: node('e2e'), type_url: typeUrl, resource_names: names });
      const r = await c.next(10_000);
      c.send({ type_url: typeUrl, resource_names: names, version_info: r.version_info, response_nonce: r.nonce });
      return r.resources.map((a) => decodeAny(a) as Obj);
    };
    const clusters = (await fetch(TypeUrl.cluster, [])).map((x) => x.name as string);
    assert.ok(clusters.includes('sluice.service/h2/127.0.0.1:8081'), clusters.join(', '));
    assert.ok(clusters.includes('sluice.service/h2/127.0.0.1:9000'), clusters.join(', '));

    const [listener] = await fetch(TypeUrl.listener, ['external']);
    const filters = (listener!.filter_chains[0].filters[0].typed_config.http_filters as Obj[]).map((f) => f.name as string);
    const rl = filters.find((n) => n.startsWith('envoy.filters.http.ratelimit/'))!;
    const authz = filters.find((n) => n.startsWith('envoy.filters.http.ext_authz/'))!;
    assert.ok(rl && authz && filters.indexOf(rl) < filters.indexOf(authz), filters.join(', '));

    const [rc] = await fetch(TypeUrl.route, ['external']);
    // The forwarding route (Knative probes are answered by Envoy itself, on routes before it).
    const routeOf = (host: string) => ((rc!.virtual_hosts as Obj[]).find((v) => v.domains.includes(host))!.routes as Obj[]).find((r) => r.route !== undefined)!;
    const guarded = routeOf('guarded.example.com');
    assert.deepEqual(guarded.route.rate_limits, [{ actions: [{ request_headers: { header_name: 'x-user', descriptor_key: 'user' } }] }]);
    assert.ok(guarded.typed_per_filter_config[rl]);
    const perRoute = 'type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute';
    assert.deepEqual(guarded.typed_per_filter_config[authz], { '@type': perRoute, check_settings: {} }, 'ext_authz on for the route');
    const vhost = (rc!.virtual_hosts as Obj[]).find((v) => v.domains.includes('guarded.example.com'))!;
    assert.deepEqual(vhost.typed_per_filter_config[authz], { '@type': perRoute, disabled: true }, 'and off for Knative probes');
    const open = routeOf('open.example.com');
    assert.equal(open.route.rate_limits, undefined);
    assert.deepEqual(open.typed_per_filter_config[authz], { '@type': perRoute, disabled: true });
  } finally {
    c.close();
    await sluice.stop();
    await cfg.cleanup();
  }
});
