// ext_authz in Envoy's terms, from hand-built snapshots encoded through the protos and decoded
// back: envoy.filters.http.ext_authz in the connection managers only when some route uses it (gRPC
// to a cluster for the server, or HTTP with its URI and allowed headers), and ExtAuthzPerRoute
// `disabled: true` on every virtual host (Knative probes, redirects, and requests no route matches
// are not authorized, as on the data plane) and every route that does not use that filter; a route
// that does turns its own back on.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExtAuthzPolicy, Route } from '../../src/snapshot/types.ts';
import { encodedResources, irRoute, irSnapshot } from './helpers.ts';

// biome-ignore lint/suspicious/noExplicitAny: the tests walk Envoy's JSON by path; a wrong path fails the assertion.
type Obj = Record<string, any>;

const FILTER = 'envoy.filters.http.ext_authz';
const PER_ROUTE = 'type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute';
const GRPC: ExtAuthzPolicy = { protocol: 'grpc', url: '127.0.0.1:9000', timeout: 500, failureMode: 'deny', headersToSend: [], headersToUpstream: [] };
const HTTP: ExtAuthzPolicy = {
  protocol: 'http',
  url: 'http://authz.default.svc:8080/check',
  timeout: 200,
  failureMode: 'allow',
  headersToSend: ['authorization', 'x-trace'],
  headersToUpstream: ['x-user'],
};
const OFF: ExtAuthzPolicy = { disabled: true, protocol: 'http', url: '', timeout: 200, failureMode: 'deny', headersToSend: [], headersToUpstream: [] };

const at = (path: string, extAuthz?: ExtAuthzPolicy): Route => irRoute({ path: { type: 'prefix', value: path }, ...(extAuthz && { policies: { extAuthz } }) });

function resources(routes: Route[]): { filters: Obj[]; routes: Obj[]; clusters: Map<string, Obj>; vhost: Obj } {
  const r = encodedResources(irSnapshot(routes));
  const hcm = (r.listener!.get('external')!.filter_chains as Obj[])[0]!.filters[0].typed_config as Obj;
  const vhost = (r.route!.get('external')!.virtual_hosts as Obj[]).find((v) => v.name === 'web')!;
  return { filters: hcm.http_filters as Obj[], routes: vhost.routes as Obj[], clusters: r.cluster as Map<string, Obj>, vhost };
}

const authzFilters = (filters: Obj[]): Obj[] => filters.filter((f) => (f.name as string).startsWith(FILTER));
const configOf = (filters: Obj[], key: 'grpc_service' | 'http_service'): Obj => authzFilters(filters).find((f) => f.typed_config[key] !== undefined)!;

describe('ext_authz over xDS', () => {
  it('puts a gRPC ext_authz filter before the router, calling a cluster for the server, with timeout and failure mode', () => {
    const { filters, clusters } = resources([at('/g', GRPC), at('/h', HTTP)]);
    const f = configOf(filters, 'grpc_service');
    const names = filters.map((x) => x.name as string);
    assert.ok(names.indexOf(f.name) < names.indexOf('envoy.filters.http.router'));
    assert.equal(f.disabled, undefined, 'on by default; routes without it switch it off');
    assert.deepEqual(f.typed_config, {
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz',
      grpc_service: { envoy_grpc: { cluster_name: 'sluice.service/h2/127.0.0.1:9000' }, timeout: { nanos: 500_000_000 } },
      transport_api_version: 'V3',
    });
    const c = clusters.get('sluice.service/h2/127.0.0.1:9000')!;
    assert.equal(c.type, 'STATIC');
    assert.ok(c.typed_extension_protocol_options, 'gRPC needs HTTP/2');
  });

  it('puts an HTTP ext_authz filter with the server URI, path prefix, headers to send and to copy upstream', () => {
    const { filters, clusters } = resources([at('/g', GRPC), at('/h', HTTP)]);
    assert.deepEqual(configOf(filters, 'http_service').typed_config, {
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz',
      http_service: {
        server_uri: { uri: 'http://authz.default.svc:8080/check', cluster: 'sluice.service/http1/authz.default.svc:8080', timeout: { nanos: 200_000_000 } },
        path_prefix: '/check',
        authorization_response: { allowed_upstream_headers: { patterns: [{ exact: 'x-user' }] } },
      },
      failure_mode_allow: true,
      allowed_headers: { patterns: [{ exact: 'authorization' }, { exact: 'x-trace' }] },
    });
    const c = clusters.get('sluice.service/http1/authz.default.svc:8080')!;
    assert.equal(c.type, 'LOGICAL_DNS');
    assert.equal(c.typed_extension_protocol_options, undefined, 'HTTP/1.1');
  });

  it('switches each filter off with ExtAuthzPerRoute disabled on every route that does not use it, and back on on those that do', () => {
    const { filters, routes, vhost } = resources([at('/g', GRPC), at('/h', HTTP), at('/off', OFF), at('/none')]);
    const grpc = configOf(filters, 'grpc_service').name as string;
    const http = configOf(filters, 'http_service').name as string;
    const disabled = { '@type': PER_ROUTE, disabled: true };
    const enabled = { '@type': PER_ROUTE, check_settings: {} };
    assert.deepEqual(vhost.typed_per_filter_config, { [grpc]: disabled, [http]: disabled }, 'off for whatever no route turns on');
    const perRoute = (r: Obj) => ({ grpc: r.typed_per_filter_config?.[grpc], http: r.typed_per_filter_config?.[http] });
    const [g, h, off, none] = routes as [Obj, Obj, Obj, Obj];
    assert.deepEqual(perRoute(g), { grpc: enabled, http: disabled });
    assert.deepEqual(perRoute(h), { grpc: disabled, http: enabled });
    assert.deepEqual(perRoute(off), { grpc: disabled, http: disabled });
    assert.deepEqual(perRoute(none), { grpc: disabled, http: disabled });
  });

  it('sends the same filter to routes with the same settings, and none when no route uses ext_authz', () => {
    assert.equal(authzFilters(resources([at('/a', GRPC), at('/b', { ...GRPC })]).filters).length, 1);
    const { filters, routes, clusters, vhost } = resources([at('/off', OFF), at('/none')]);
    assert.deepEqual(authzFilters(filters), []);
    assert.equal(routes[0]!.typed_per_filter_config, undefined);
    assert.equal(vhost.typed_per_filter_config, undefined);
    assert.equal([...clusters.keys()].some((n) => n.startsWith('sluice.service/')), false);
  });
});

describe('ext_authz request body and context extensions over xDS', () => {
  it('gives the filter with_request_body, and a route its context_extensions in check_settings', () => {
    const body: ExtAuthzPolicy = { ...GRPC, withRequestBody: { maxBytes: 4096, allowPartial: true, packAsBytes: true } };
    const { filters, routes } = resources([at('/b', body), at('/c', { ...GRPC, contextExtensions: { tenant: 'a' } })]);
    const withBody = authzFilters(filters).find((f) => f.typed_config.with_request_body !== undefined)!;
    assert.deepEqual(withBody.typed_config.with_request_body, { max_request_bytes: 4096, allow_partial_message: true, pack_as_bytes: true });
    assert.equal(authzFilters(filters).length, 2, 'a body setting is a filter of its own');
    const plain = authzFilters(filters).find((f) => f !== withBody)!;
    assert.deepEqual(routes[1]!.typed_per_filter_config[plain.name], { '@type': PER_ROUTE, check_settings: { context_extensions: { tenant: 'a' } } });
  });
});
