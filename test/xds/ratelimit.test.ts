// Global rate limits in Envoy's terms, from hand-built snapshots encoded through the protos and
// decoded back: envoy.filters.http.ratelimit in the connection managers (disabled; each limited
// route enables its own), the route's `rate_limits` actions, and a cluster for the service.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GlobalRateLimitPolicy, Route } from '../../src/snapshot/types.ts';
import { encodedResources, irRoute, irSnapshot } from './helpers.ts';

// biome-ignore lint/suspicious/noExplicitAny: the tests walk Envoy's JSON by path; a wrong path fails the assertion.
type Obj = Record<string, any>;

const FILTER = 'envoy.filters.http.ratelimit';
const LIMIT: GlobalRateLimitPolicy = {
  service: 'ratelimit.default.svc:8081',
  domain: 'edge',
  descriptors: [
    [
      { key: 'generic_key', value: 'api' },
      { key: 'user', fromHeader: 'x-user' },
    ],
    [{ key: 'remote_address', clientAddress: true }],
    [{ key: 'route', route: true }],
  ],
  timeout: 250,
  failureMode: 'deny',
};

const limited = irRoute({ path: { type: 'prefix', value: '/api' }, policies: { globalRateLimit: LIMIT } });
const free = irRoute();

function resources(routes: Route[]): { filters: Obj[]; routes: Obj[]; clusters: Map<string, Obj> } {
  const r = encodedResources(irSnapshot(routes));
  const hcm = (r.listener!.get('external')!.filter_chains as Obj[])[0]!.filters[0].typed_config as Obj;
  const vhost = (r.route!.get('external')!.virtual_hosts as Obj[]).find((v) => v.name === 'web')!;
  return { filters: hcm.http_filters as Obj[], routes: vhost.routes as Obj[], clusters: r.cluster as Map<string, Obj> };
}

describe('global rate limits over xDS', () => {
  it('puts a ratelimit filter, disabled, with the domain, service cluster, timeout and failure mode, before the router', () => {
    const { filters } = resources([limited, free]);
    const names = filters.map((f) => f.name as string);
    const rl = filters.find((f) => (f.name as string).startsWith(FILTER))!;
    assert.ok(rl, names.join(', '));
    assert.ok(names.indexOf(rl.name) < names.indexOf('envoy.filters.http.router'));
    assert.equal(rl.disabled, true);
    assert.deepEqual(rl.typed_config, {
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.ratelimit.v3.RateLimit',
      domain: 'edge',
      timeout: { nanos: 250_000_000 },
      failure_mode_deny: true,
      rate_limit_service: { grpc_service: { envoy_grpc: { cluster_name: 'sluice.service/h2/ratelimit.default.svc:8081' } }, transport_api_version: 'V3' },
      enable_x_ratelimit_headers: 'DRAFT_VERSION_03',
    });
  });

  it("gives a limited route its descriptors as rate_limits actions and enables its filter; other routes get neither", () => {
    const { filters, routes } = resources([limited, free]);
    const name = filters.find((f) => (f.name as string).startsWith(FILTER))!.name as string;
    const [api, other] = routes as [Obj, Obj];
    assert.deepEqual(api.route.rate_limits, [
      { actions: [{ generic_key: { descriptor_key: 'generic_key', descriptor_value: 'api' } }, { request_headers: { header_name: 'x-user', descriptor_key: 'user' } }] },
      { actions: [{ remote_address: {} }] },
      { actions: [{ generic_key: { descriptor_key: 'route', descriptor_value: 'HTTPRoute default/web' } }] },
    ]);
    assert.deepEqual(api.typed_per_filter_config[name], {
      '@type': 'type.googleapis.com/envoy.config.route.v3.FilterConfig',
      config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.ratelimit.v3.RateLimitPerRoute' },
    });
    assert.equal(other.route.rate_limits, undefined);
    assert.equal(other.typed_per_filter_config?.[name], undefined);
  });

  it('adds an HTTP/2 cluster for the service, by name (LOGICAL_DNS) or address (STATIC)', () => {
    const byIp = irRoute({ path: { type: 'prefix', value: '/ip' }, policies: { globalRateLimit: { ...LIMIT, service: '10.0.0.9:8081' } } });
    const { clusters, filters } = resources([limited, byIp]);
    const named = clusters.get('sluice.service/h2/ratelimit.default.svc:8081')!;
    assert.equal(named.type, 'LOGICAL_DNS');
    assert.deepEqual(named.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address, { address: 'ratelimit.default.svc', port_value: 8081 });
    assert.ok(named.typed_extension_protocol_options['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'].explicit_http_config.http2_protocol_options);
    assert.equal(clusters.get('sluice.service/h2/10.0.0.9:8081')!.type, 'STATIC');
    assert.equal(filters.filter((f) => (f.name as string).startsWith(FILTER)).length, 2, 'one filter per service and settings');
  });

  it('leaves the filter and clusters out when no route has a global limit', () => {
    const { filters, clusters } = resources([free]);
    assert.equal(filters.some((f) => (f.name as string).startsWith(FILTER)), false);
    assert.equal([...clusters.keys()].some((n) => n.startsWith('sluice.service/')), false);
  });
});
