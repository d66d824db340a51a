// The `config-sluice` ConfigMap: validation (file, line and key of a bad value), translation into
// the snapshot's gatewayDefaults (only the gateway namespace's, only keys set), and the listener
// settings the gateway derives from flags and those defaults.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateDocument } from '../../src/api/validate.ts';
import type { ConfigMap } from '../../src/gateway-api/types.ts';
import { defaultListenerSettings, LiveListenerSettings, withDefaults } from '../../src/proxy/listener-settings.ts';
import { gatewayDefaults } from '../../src/sources/config-sluice.ts';

const cm = (data: Record<string, string>, namespace = 'sluice-system', name = 'config-sluice'): ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data });

describe('config-sluice', () => {
  it('accepts its keys and notes starting with _', () => {
    const out = validateDocument(cm({ _example: '# notes', 'enable-proxy-protocol': 'true', 'trusted-hops-count': '2', 'tls-min-version': '1.3', 'cipher-suites': 'ECDHE-ECDSA-AES128-GCM-SHA256' }), { file: 'c.yaml', doc: 0 });
    assert.equal(out.kind, 'resource');
  });

  it('rejects bad values and unknown keys at data.<key>', () => {
    const out = validateDocument(cm({ 'trusted-hops-count': 'many', 'tls-min-version': '1.0', 'cipher-suites': 'RC4-NOPE', 'enable-proxy-protocol': 'sometimes', 'trusted-hop-count': '1' }), { file: 'c.yaml', doc: 0 });
    assert.equal(out.kind, 'rejected');
    const paths = out.kind === 'rejected' ? out.rejection.errors.map((e) => e.path).sort() : [];
    assert.deepEqual(paths, ['data.cipher-suites', 'data.enable-proxy-protocol', 'data.tls-min-version', 'data.trusted-hop-count', 'data.trusted-hops-count']);
  });

  it('leaves other ConfigMaps alone', () => {
    assert.equal(validateDocument(cm({ 'trusted-hops-count': 'many' }, 'default', 'other'), { file: 'c.yaml', doc: 0 }).kind, 'resource');
  });

  it("reads only the gateway namespace's config-sluice, and only the keys set", () => {
    const maps = new Map([
      ['default/config-sluice', cm({ 'trusted-hops-count': '5' }, 'default')],
      ['sluice-system/config-sluice', cm({ 'enable-proxy-protocol': 'true', 'tls-min-version': '1.3', _example: 'x' })],
    ]);
    assert.deepEqual(gatewayDefaults(maps, 'sluice-system'), { proxyProtocol: ['gateway', 'http', 'https'], tlsMinVersion: 'TLSv1.3' });
    assert.deepEqual(gatewayDefaults(maps, 'default'), { trustedHops: 5 });
    assert.equal(gatewayDefaults(maps, 'elsewhere'), undefined);
    assert.equal(gatewayDefaults(new Map([['sluice-system/config-sluice', cm({ _example: 'x' })]]), 'sluice-system'), undefined);
  });

  it('keys set override the flags; a key removed gives the flag back', () => {
    const flags = { ...defaultListenerSettings, trustedHops: 1, tls: { minVersion: 'TLSv1.2' as const, cipherSuites: ['ECDHE-ECDSA-AES128-GCM-SHA256'] } };
    const merged = withDefaults(flags, { trustedHops: 3, tlsMinVersion: 'TLSv1.3' });
    assert.equal(merged.trustedHops, 3);
    assert.deepEqual(merged.tls, { minVersion: 'TLSv1.3', cipherSuites: ['ECDHE-ECDSA-AES128-GCM-SHA256'] });
    const live = new LiveListenerSettings(flags);
    const seen: number[] = [];
    live.subscribe((next) => seen.push(next.trustedHops));
    assert.equal(live.applyDefaults({ trustedHops: 3 }), true);
    assert.equal(live.applyDefaults({ trustedHops: 3 }), false, 'the same defaults change nothing');
    assert.equal(live.applyDefaults(undefined), true);
    assert.deepEqual(seen, [3, 1]);
    assert.equal(live.proxyProtocolFor('http')(), undefined);
    live.applyDefaults({ proxyProtocol: ['http'] });
    assert.ok(live.proxyProtocolFor('http')() !== undefined);
    assert.equal(live.proxyProtocolFor('local')(), undefined);
  });
});

describe('config-sluice default-certificate', () => {
  it('joins the named TLS Secret to the snapshot without SNI names, and warns when it is missing', async () => {
    const { withGatewayDefaults } = await import('../../src/translate/gateway-defaults.ts');
    const { execFileSync } = await import('node:child_process');
    const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'sluice-dc-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=default.example', '-keyout', join(dir, 'k'), '-out', join(dir, 'c')], { stdio: 'ignore' });
      const secret = { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: 'wild', namespace: 'certs' }, stringData: { 'tls.crt': readFileSync(join(dir, 'c'), 'utf8'), 'tls.key': readFileSync(join(dir, 'k'), 'utf8') } };
      const base = { snapshot: { hash: 'h', listeners: { external: [], local: [] }, ports: [], clusters: [], tls: [], ingresses: [] }, statuses: [], diagnostics: [] } as unknown as Parameters<typeof withGatewayDefaults>[0];
      const maps = new Map([['sluice-system/config-sluice', cm({ 'default-certificate': 'certs/wild' })]]);
      const ok = withGatewayDefaults(base, maps, new Map([['certs/wild', secret as never]]), 'sluice-system');
      assert.equal(ok.snapshot.gatewayDefaults?.defaultCertificate, 'certs/wild');
      assert.deepEqual(ok.snapshot.tls.map((c) => [c.name, c.hosts]), [['certs/wild', []]]);
      assert.notEqual(ok.snapshot.hash, 'h');
      const missing = withGatewayDefaults(base, maps, new Map(), 'sluice-system');
      assert.equal(missing.snapshot.gatewayDefaults, undefined);
      assert.match(missing.diagnostics[0]!.message, /default-certificate: Secret "certs\/wild" not found/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
