// Listener settings (flags, then config-sluice's gatewayDefaults) as Envoy listeners: the
// proxy_protocol listener filter first on the listeners that require it, xff_num_trusted_hops on
// every connection manager, tls_params on every TLS chain; encoded through Envoy's protos.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PortListener, Snapshot, TlsCertificate } from '../../src/snapshot/types.ts';
import { DEFAULT_ADDRESSES, encodedResources, irRoute, irSnapshot } from './helpers.ts';

// biome-ignore lint/suspicious/noExplicitAny: the tests walk Envoy's JSON by path; a wrong path fails the assertion.
type Obj = Record<string, any>;

const cert: TlsCertificate = { name: 'default/web', hosts: ['web.example.com'], certChain: 'chain', privateKey: 'key' };
const HTTPS: PortListener = { name: 'gateway/127.0.0.1:9443', address: '127.0.0.1', port: 9443, protocol: 'HTTPS', certificates: ['default/web'], virtualHosts: [] };
const snapshot = (gatewayDefaults?: Snapshot['gatewayDefaults']): Snapshot => ({ ...irSnapshot([irRoute()], { ports: [HTTPS], tls: [cert] }), version: 1, ...(gatewayDefaults && { gatewayDefaults }) });

const filterNames = (l: Obj | undefined): string[] => ((l?.listener_filters ?? []) as Obj[]).map((f) => f.name);
const hcm = (l: Obj): Obj => l.filter_chains[0].filters[0].typed_config;
const tlsParams = (l: Obj): Obj | undefined => l.filter_chains[0].transport_socket.typed_config.common_tls_context.tls_params;

describe('listener settings over xDS', () => {
  it('nothing set: no proxy_protocol filter, no trusted hops, no tls_params (as before)', () => {
    const res = encodedResources(snapshot());
    assert.deepEqual(filterNames(res.listener!.get('external')), []);
    assert.deepEqual(filterNames(res.listener!.get('external-tls')), ['envoy.filters.listener.tls_inspector']);
    assert.equal(hcm(res.listener!.get('external')!).xff_num_trusted_hops ?? 0, 0);
    assert.equal(tlsParams(res.listener!.get('external-tls')!), undefined);
  });

  it('flags: PROXY protocol first on the named listeners, trusted hops on every connection manager, TLS parameters on every TLS chain', () => {
    const res = encodedResources(snapshot(), {
      ...DEFAULT_ADDRESSES,
      listenerSettings: { proxyProtocol: new Set(['https', 'gateway']), trustedHops: 2, tls: { minVersion: 'TLSv1.3', cipherSuites: ['ECDHE-RSA-AES128-GCM-SHA256', 'TLS_AES_128_GCM_SHA256'] } },
    });
    assert.deepEqual(filterNames(res.listener!.get('external')), []);
    assert.deepEqual(filterNames(res.listener!.get('external-tls')), ['envoy.filters.listener.proxy_protocol', 'envoy.filters.listener.tls_inspector']);
    assert.deepEqual(filterNames(res.listener!.get(HTTPS.name)), ['envoy.filters.listener.proxy_protocol', 'envoy.filters.listener.tls_inspector']);
    for (const name of ['external', 'local', 'external-tls', HTTPS.name]) assert.equal(hcm(res.listener!.get(name)!).xff_num_trusted_hops, 2, name);
    // Envoy configures no TLS 1.3 suites: only the TLS 1.2 names go.
    assert.deepEqual(tlsParams(res.listener!.get('external-tls')!), { tls_minimum_protocol_version: 'TLSv1_3', cipher_suites: ['ECDHE-RSA-AES128-GCM-SHA256'] });
    assert.deepEqual(tlsParams(res.listener!.get(HTTPS.name)!)?.tls_minimum_protocol_version, 'TLSv1_3');
  });

  it("config-sluice's defaults override the flags", () => {
    const res = encodedResources(snapshot({ proxyProtocol: ['http', 'local'], trustedHops: 1 }), { ...DEFAULT_ADDRESSES, listenerSettings: { proxyProtocol: new Set(['https']), trustedHops: 3, tls: { minVersion: 'TLSv1.2', cipherSuites: [] } } });
    assert.deepEqual(filterNames(res.listener!.get('external')), ['envoy.filters.listener.proxy_protocol']);
    assert.deepEqual(filterNames(res.listener!.get('local')), ['envoy.filters.listener.proxy_protocol']);
    assert.deepEqual(filterNames(res.listener!.get('external-tls')), ['envoy.filters.listener.tls_inspector']);
    assert.equal(hcm(res.listener!.get('external')!).xff_num_trusted_hops, 1);
  });
});
