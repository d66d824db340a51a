// Gateway API ports (Snapshot.ports) as Envoy listeners, each with its own route configuration,
// from hand-built snapshots encoded through the protos; served over SotW and delta ADS alike.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SettableFeed } from '../../src/snapshot/feed.ts';
import type { PortListener, RouteFilter, Snapshot, TlsCertificate, VirtualHost } from '../../src/snapshot/types.ts';
import { decodeAny } from '../../src/xds/encode.ts';
import { TypeUrl } from '../../src/xds/protos.ts';
import { startXdsServer, type XdsServer } from '../../src/xds/server.ts';
import { evaluate } from '../support/envoy-route-eval.ts';
import type { RouteConfiguration } from '../support/envoy-resources.ts';
import { delta, node, recordingLog, sotw } from './ads-client.ts';
import { DEFAULT_ADDRESSES, encodedResources, irRoute, irSnapshot, resultOf } from './helpers.ts';

// biome-ignore lint/suspicious/noExplicitAny: the tests walk Envoy's JSON by path; a wrong path fails the assertion.
type Obj = Record<string, any>;

const vhost = (name: string, domains: string[]): VirtualHost => ({ name, domains, ingress: 'HTTPRoute default/web', httpOption: 'Enabled', routes: [irRoute()] });
const cert = (name: string, hosts: string[]): TlsCertificate => ({ name, hosts, certChain: `chain of ${name}`, privateKey: `key of ${name}` });

const HTTP: PortListener = {
  name: 'gateway/0.0.0.0:9000',
  address: '0.0.0.0',
  port: 9000,
  protocol: 'HTTP',
  certificates: [],
  virtualHosts: [vhost('gateway/0.0.0.0:9000/*', ['*']), vhost('gateway/0.0.0.0:9000/*.example.com', ['*.example.com']), vhost('gateway/0.0.0.0:9000/a.example.com', ['a.example.com'])],
};
const HTTPS: PortListener = {
  name: 'gateway/127.0.0.1:9443',
  address: '127.0.0.1',
  port: 9443,
  protocol: 'HTTPS',
  certificates: ['default/wild', 'default/missing', 'default/api'],
  virtualHosts: [vhost('gateway/127.0.0.1:9443/api.example.com', ['api.example.com'])],
};
const TLS = [cert('default/api', ['api.example.com', '*.example.com']), cert('default/wild', ['*.example.com'])];

function snapshot(ports: PortListener[], version = 1): Snapshot {
  return { ...irSnapshot([irRoute()], { ports, tls: TLS }), version };
}

const hcmOf = (chain: Obj) => chain.filters[0].typed_config;

describe('Gateway API ports as Envoy listeners', () => {
  it('an HTTP port: its address, a connection manager loading the route configuration named after it', () => {
    const res = encodedResources(snapshot([HTTP]));
    const listener = res.listener!.get(HTTP.name)!;
    assert.deepEqual(listener.address, { socket_address: { address: '0.0.0.0', port_value: 9000 } });
    const hcm = hcmOf((listener.filter_chains as Obj[])[0]!);
    assert.equal(hcm.rds.route_config_name, HTTP.name);
    assert.deepEqual(hcm.http_filters.map((f: Obj) => f.name), ['envoy.filters.http.cors', 'envoy.filters.http.router']);
    assert.deepEqual(hcm.normalize_path, { value: true });
    const config = res.route!.get(HTTP.name)!;
    assert.deepEqual((config.virtual_hosts as Obj[]).map((v) => v.domains), [['*.example.com'], ['a.example.com'], ['*']], 'wildcards as Envoy takes them, * last');
    assert.equal((config.virtual_hosts as Obj[])[0]!.routes.length, 1, 'no Knative probe routes on a Gateway port');
  });

  it('an HTTPS port: tls_inspector, a chain per certificate by SNI (names first come first served), the first certificate as default', () => {
    const res = encodedResources(snapshot([HTTPS]));
    const listener = res.listener!.get(HTTPS.name)!;
    assert.deepEqual(listener.address, { socket_address: { address: '127.0.0.1', port_value: 9443 } });
    assert.deepEqual((listener.listener_filters as Obj[]).map((f) => f.name), ['envoy.filters.listener.tls_inspector']);
    const chains = listener.filter_chains as Obj[];
    assert.deepEqual(chains.map((c) => [c.name, c.filter_chain_match.server_names]), [['default/wild', ['*.example.com']], ['default/api', ['api.example.com']]]);
    const fallback = listener.default_filter_chain as Obj;
    assert.equal(fallback.name, 'default/wild');
    assert.equal(fallback.filter_chain_match, undefined);
    for (const chain of [...chains, fallback]) {
      assert.equal(hcmOf(chain).rds.route_config_name, HTTPS.name);
      const tls = chain.transport_socket.typed_config.common_tls_context;
      assert.deepEqual(tls.tls_certificate_sds_secret_configs, [{ name: chain.name, sds_config: { ads: {}, resource_api_version: 'V3' } }]);
    }
    assert.ok(!JSON.stringify(listener).includes('key of'), 'no private key in a listener');
    assert.ok(res.route!.has(HTTPS.name));
  });

  it("a Gateway listener's certificate is served on its port only, never on Knative's external-tls listener", () => {
    const gw = { ...cert('gateway:default/gw', ['gw.example.com']), gateway: true };
    const port: PortListener = { ...HTTPS, certificates: [gw.name] };
    const res = encodedResources({ ...irSnapshot([irRoute()], { ports: [port], tls: [cert('default/api', ['api.example.com']), gw] }), version: 1 });
    const names = (l: Obj) => (l.filter_chains as Obj[]).map((c) => c.name);
    assert.deepEqual(names(res.listener!.get('external-tls')!), ['default/api']);
    assert.deepEqual(names(res.listener!.get(port.name)!), ['gateway:default/gw']);
  });

  it("an HTTPS port with client validation: every chain trusts the port's CAs and requires a client certificate (AllowValidOnly) or accepts an untrusted one (AllowInsecureFallback)", () => {
    const ca = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const strict = encodedResources(snapshot([{ ...HTTPS, clientValidation: { caCertificates: ca, mode: 'AllowValidOnly' } }])).listener!.get(HTTPS.name)!;
    for (const chain of [...(strict.filter_chains as Obj[]), strict.default_filter_chain as Obj]) {
      const ctx = chain.transport_socket.typed_config;
      assert.deepEqual(ctx.require_client_certificate, { value: true });
      assert.deepEqual(ctx.common_tls_context.validation_context.trusted_ca, { inline_string: ca });
      assert.equal(ctx.common_tls_context.validation_context.trust_chain_verification, undefined);
    }
    const lax = encodedResources(snapshot([{ ...HTTPS, clientValidation: { caCertificates: ca, mode: 'AllowInsecureFallback' } }])).listener!.get(HTTPS.name)!;
    const ctx = (lax.default_filter_chain as Obj).transport_socket.typed_config;
    assert.equal(ctx.require_client_certificate, undefined);
    assert.equal(ctx.common_tls_context.validation_context.trust_chain_verification, 'ACCEPT_UNTRUSTED');
    const none = encodedResources(snapshot([HTTPS])).listener!.get(HTTPS.name)!;
    assert.equal((none.default_filter_chain as Obj).transport_socket.typed_config.common_tls_context.validation_context, undefined);
  });

  it('an HTTPS port with no known certificate, a port on a Knative listener address, or one Envoy cannot bind is left out (Envoy would refuse the update)', () => {
    const noCert = { ...HTTPS, certificates: ['default/missing'] };
    const clash = { ...HTTP, name: 'gateway/0.0.0.0:8080', port: 8080 };
    const unbindable = { ...HTTP, name: 'gateway/0.0.0.0:70000', port: 70000 };
    const res = encodedResources(snapshot([noCert, clash, unbindable]));
    assert.deepEqual([...res.listener!.keys()], ['external', 'external-tls', 'local', 'web.example.com']);
  });
});

describe('Gateway API ports over ADS', () => {
  const feed = new SettableFeed();
  let server: XdsServer;
  before(async () => {
    const s = snapshot([HTTP]);
    feed.publish(s, resultOf(s));
    server = await startXdsServer({ address: '127.0.0.1:0', feed, listenerAddresses: DEFAULT_ADDRESSES, log: recordingLog() });
  });
  after(() => server.close());

  it("a redirect without a port or scheme names the listener's declared port, not the bound one (--port-offset is invisible)", () => {
    const location = (filter: Extract<RouteFilter, { type: 'redirect' }>, authority: string) => {
      const redirects: VirtualHost = { ...vhost('gateway/0.0.0.0:28080/*', ['*']), routes: [irRoute({ splits: [], filters: [filter] })] };
      const port: PortListener = { ...HTTP, name: 'gateway/0.0.0.0:28080', port: 28080, listenerPort: 8080, virtualHosts: [redirects] };
      const config = encodedResources(snapshot([port])).route!.get(port.name)! as unknown as RouteConfiguration;
      const hcm = { routeConfigName: port.name, normalizePath: true, mergeSlashes: true, stripAnyHostPort: false, stripTrailingHostDot: true, useRemoteAddress: true };
      const d = evaluate(hcm, config, { authority, path: '/x', scheme: 'http' });
      return d.kind === 'redirect' ? d.location : d.kind;
    };
    assert.equal(location({ type: 'redirect', hostname: 'new.example', statusCode: 302 }, 'a.example.com:28080'), 'http://new.example:8080/x');
    assert.equal(location({ type: 'redirect', path: { type: 'full', value: '/y' }, statusCode: 302 }, 'a.example.com:28080'), 'http://a.example.com:8080/y');
    assert.equal(location({ type: 'redirect', scheme: 'https', statusCode: 302 }, 'a.example.com:28080'), 'https://a.example.com/x', 'a scheme brings its own port');
    assert.equal(location({ type: 'redirect', port: 9090, statusCode: 302 }, 'a.example.com:28080'), 'http://a.example.com:9090/x');
  });

  it('state of the world: a wildcard LDS request gets the port listener; a new port is pushed', async () => {
    const c = sotw(server.address);
    try {
      c.send({ node: node('sotw-ports'), type_url: TypeUrl.listener });
      const r1 = await c.next();
      assert.deepEqual(r1.resources.map((a) => String(decodeAny(a).name)).sort(), ['external', 'external-tls', HTTP.name, 'local']);
      c.send({ type_url: TypeUrl.listener, version_info: r1.version_info, response_nonce: r1.nonce });
      const s = snapshot([HTTP, HTTPS], 2);
      feed.publish(s, resultOf(s));
      const r2 = await c.next();
      assert.deepEqual(r2.resources.map((a) => String(decodeAny(a).name)).sort(), ['external', 'external-tls', HTTP.name, HTTPS.name, 'local']);
    } finally {
      c.close();
    }
  });

  it("delta: the port's route configuration is served by name", async () => {
    const c = delta(server.address);
    try {
      c.send({ node: node('delta-ports'), type_url: TypeUrl.route, resource_names_subscribe: [HTTP.name] });
      const r = await c.next();
      assert.deepEqual(r.resources.map((x) => x.name), [HTTP.name]);
    } finally {
      c.close();
    }
  });
});
