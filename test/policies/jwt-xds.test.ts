// JWT in Envoy's terms: jwt_authn with every provider and a requirement per policy, enabled per
// route by PerRouteConfig, and a cluster per remote JWKS origin.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JwtPolicy, JwtProvider, Route } from '../../src/snapshot/types.ts';
import { checkMessage, type ProtoObject } from '../../src/xds/encode.ts';
import { httpConnectionManager, hcmOptions } from '../../src/xds/listeners.ts';
import { jwksClusters, providerName, requirementName } from '../../src/xds/jwt-authn.ts';
import { envoyRoute } from '../../src/xds/route-action.ts';

const base: Route = { ingress: 'default/x', path: { type: 'prefix', value: '/' } as Route['path'], headers: [], query: [], filters: [], splits: [{ cluster: 'default/echo:80', weight: 100, filters: [] } as unknown as Route['splits'][number]] };
const JWT = 'envoy.filters.http.jwt_authn';
const remote: JwtProvider = {
  name: 'idp', issuer: 'https://idp.example.com', audiences: ['api'], remoteJwks: { uri: 'https://idp.example.com/.well-known/jwks.json', timeoutMs: 1500, cacheMs: 300_000 },
  fromHeaders: [{ name: 'authorization', prefix: 'Bearer ' }], fromParams: ['access_token'], claimsToHeaders: [{ claim: 'sub', header: 'x-user' }], forwardPayloadHeader: 'x-jwt-payload', clockSkewSeconds: 60,
};
const local: JwtProvider = { name: 'idp', audiences: [], localJwks: '{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}', fromHeaders: [{ name: 'x-token', prefix: '' }], fromParams: [], claimsToHeaders: [], clockSkewSeconds: 0 };
const required: JwtPolicy = { required: true, providers: [remote] };
const optional: JwtPolicy = { required: false, providers: [remote, local] };
const addresses = { externalAddress: '0.0.0.0:8080', externalTlsAddress: '0.0.0.0:8443', localAddress: '0.0.0.0:8081' };
const snapshot = (...policies: Array<JwtPolicy | undefined>) => ({ listeners: { external: [{ routes: policies.map((jwt) => ({ ...base, policies: jwt === undefined ? undefined : { jwt } })) }], local: [] }, ports: [], tls: [], clusters: [] }) as never;
const filtersOf = (hcm: ProtoObject) => (hcm.typed_config as ProtoObject).http_filters as ProtoObject[];

describe('JWT over xDS (jwt_authn)', () => {
  it('holds every provider (named by content) and one requirement per policy, disabled in the connection manager', () => {
    const filters = filtersOf(httpConnectionManager('l', hcmOptions(snapshot(required, optional, { ...required, disabled: true }), addresses)));
    const f = filters.find((x) => x.name === JWT)!;
    assert.equal(f.disabled, true);
    assert.deepEqual(checkMessage('envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter', f), []);
    const cfg = f.typed_config as ProtoObject;
    const providers = cfg.providers as Record<string, ProtoObject>;
    assert.deepEqual(Object.keys(providers).sort(), [providerName(remote), providerName(local)].sort());
    assert.notEqual(providerName(remote), providerName(local), 'same name, different settings');
    const p = providers[providerName(remote)]!;
    assert.deepEqual(p.remote_jwks, { http_uri: { uri: remote.remoteJwks!.uri, cluster: 'sluice.jwks/https/idp.example.com:443', timeout: { seconds: 1, nanos: 500_000_000 } }, cache_duration: { seconds: 300, nanos: undefined } });
    assert.deepEqual(p.claim_to_headers, [{ header_name: 'x-user', claim_name: 'sub' }]);
    assert.equal(p.forward, true);
    assert.deepEqual((providers[providerName(local)]!.local_jwks as ProtoObject).inline_string, local.localJwks);
    const reqs = cfg.requirement_map as Record<string, ProtoObject>;
    assert.deepEqual(reqs[requirementName(required)], { provider_name: providerName(remote) });
    assert.deepEqual(reqs[requirementName(optional)], { requires_any: { requirements: [{ provider_name: providerName(remote) }, { provider_name: providerName(local) }, { allow_missing: {} }] } });
    const order = filters.map((x) => x.name);
    assert.ok(order.indexOf(JWT) < order.indexOf('envoy.filters.http.router'));
  });

  it('enables the filter per route with its requirement; a disabled policy or none leaves it off', () => {
    const route = envoyRoute({ ...base, policies: { jwt: required } }, { cors: true, fault: true });
    assert.deepEqual(checkMessage('envoy.config.route.v3.Route', route), []);
    const cfg = (route.typed_per_filter_config as Record<string, ProtoObject>)[JWT]!;
    assert.deepEqual((cfg.config as ProtoObject).requirement_name, requirementName(required));
    assert.equal(envoyRoute({ ...base, policies: { jwt: { ...required, disabled: true } } }, { cors: true, fault: true }).typed_per_filter_config, undefined);
    assert.equal(filtersOf(httpConnectionManager('l', hcmOptions(snapshot(undefined), addresses))).some((x) => x.name === JWT), false);
  });

  it('adds one cluster per remote JWKS origin, TLS-verified for https', () => {
    const clusters = jwksClusters(snapshot(required, optional, { required: true, providers: [{ ...remote, remoteJwks: { uri: 'http://keys.internal:8080/jwks', timeoutMs: 1000, cacheMs: 1000 } }] }));
    assert.deepEqual(clusters.map((c) => c.name), ['sluice.jwks/http/keys.internal:8080', 'sluice.jwks/https/idp.example.com:443']);
    for (const c of clusters) assert.deepEqual(checkMessage('envoy.config.cluster.v3.Cluster', c.resource), []);
    const tls = (clusters[1]!.resource.transport_socket as ProtoObject).typed_config as ProtoObject;
    assert.equal(tls.sni, 'idp.example.com');
    assert.equal(clusters[0]!.resource.transport_socket, undefined);
  });
});
