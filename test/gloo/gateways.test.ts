// Gloo Gateways -> ports: each binds bindAddress:bindPort (plus --port-offset) and serves the
// VirtualServices it selects, TLS ones on `ssl: true` Gateways with their sslConfig certificates.
// Without a Gloo Gateway, VirtualServices go to Knative's external listeners and their sslConfig
// certificates to --https.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { makeCert, tlsSecret } from '../proxy/certs.ts';
import { backend } from '../support/config.ts';
import { GW, glooHost, glooState, translateDocs, vs } from './support.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-gloo-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const pair = makeCert(dir, 'secure', ['secure.example.com']);
const svc = backend('svc', [{ ip: '10.0.0.1', port: 8080 }]);
const route = { routeAction: { single: { upstream: { name: 'default-svc-80' } } } };
const gateway = (name: string, spec: object) => ({ apiVersion: GW, kind: 'Gateway', metadata: { name, namespace: 'gloo-system' }, spec });
const plain = vs('plain', { virtualHost: { domains: ['plain.example.com'], routes: [route] } }, { labels: { expose: 'yes' } });
const secure = vs('secure', { sslConfig: { secretRef: { name: 'tls', namespace: 'default' } }, virtualHost: { domains: ['secure.example.com'], routes: [route] } });

describe('Gloo Gateways', () => {
  it('binds each Gateway and serves the VirtualServices it selects, TLS ones with their certificates', () => {
    const { result } = translateDocs(
      [
        ...svc,
        tlsSecret('tls', pair),
        plain,
        secure,
        vs('hidden', { virtualHost: { domains: ['hidden.example.com'], routes: [route] } }),
        gateway('http', { bindAddress: '127.0.0.1', bindPort: 8080, httpGateway: { virtualServiceSelector: { expose: 'yes' } } }),
        gateway('https', { bindAddress: '127.0.0.1', bindPort: 8443, ssl: true }),
      ],
      { portOffset: 10000 },
    );
    const ports = result.snapshot.ports;
    assert.deepEqual(
      ports.map((p) => [p.name, p.port, p.listenerPort, p.protocol, p.certificates, p.virtualHosts.map((v) => v.domains.join(','))]),
      [
        ['gloo/127.0.0.1:18080', 18080, 8080, 'HTTP', [], ['plain.example.com']],
        ['gloo/127.0.0.1:18443', 18443, 8443, 'HTTPS', ['gloo:default/tls'], ['secure.example.com']],
      ],
    );
    assert.deepEqual(result.snapshot.listeners.external, []);
    assert.deepEqual(result.snapshot.tls.map((t) => [t.name, t.gateway, t.hosts]), [['gloo:default/tls', true, ['secure.example.com']]]);
    assert.equal(glooState(result, 'VirtualService', 'hidden').reason, 'no Gateway selects this VirtualService: it is not served');
    assert.deepEqual(glooState(result, 'Gateway', 'http', 'gloo-system'), { state: 'Accepted', reportedBy: 'gateway' });
  });

  it('without a Gloo Gateway serves every VirtualService on the external listeners, sslConfig certificates on --https', () => {
    const { result } = translateDocs([...svc, tlsSecret('tls', pair), plain, secure]);
    assert.deepEqual(result.snapshot.listeners.external.map((v) => v.name), ['gloo:default/plain', 'gloo:default/secure']);
    assert.deepEqual(result.snapshot.tls.map((t) => [t.name, t.gateway ?? false, t.hosts]), [['default/tls', false, ['secure.example.com']]]);
    assert.deepEqual(result.snapshot.ports, []);
  });

  it('reports a missing TLS Secret and a second Gateway on one port, and keeps the first', () => {
    const { result } = translateDocs([
      ...svc,
      plain,
      secure,
      gateway('a', { bindAddress: '127.0.0.1', bindPort: 8080 }),
      gateway('b', { bindAddress: '127.0.0.1', bindPort: 8080 }),
    ]);
    assert.deepEqual(result.snapshot.ports.map((p) => p.name), ['gloo/127.0.0.1:8080']);
    assert.equal(glooState(result, 'Gateway', 'b', 'gloo-system').reason, 'spec.bindPort: 127.0.0.1:8080 is already bound by Gateway gloo-system/a');
    assert.equal(glooState(result, 'VirtualService', 'secure').state, 'Rejected');
    assert.match(glooState(result, 'VirtualService', 'secure').reason ?? '', /spec\.sslConfig\.secretRef: Secret "default\/tls" not found/);
  });

  it('gives a domain two VirtualServices claim to the first and tells the second', () => {
    const { result } = translateDocs([...svc, vs('a', { virtualHost: { domains: ['x.example.com', 'a.example.com'], routes: [route] } }), vs('b', { virtualHost: { domains: ['x.example.com'], routes: [route] } })]);
    assert.deepEqual(glooHost(result, 'a').domains, ['a.example.com', 'x.example.com']);
    assert.throws(() => glooHost(result, 'b'));
    assert.equal(glooState(result, 'VirtualService', 'b').reason, 'spec.virtualHost.domains: domain "x.example.com" is served by VirtualService default/a: not served here');
  });
});
