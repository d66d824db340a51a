// Gateway spec.tls.frontend (client certificate validation): an HTTPS listener takes its port's
// perPort entry, else the default; its CA ConfigMaps resolve like certificateRefs (same namespace
// or a ReferenceGrant), with the spec's reasons when they do not. A listener with no usable CA is
// not served (NoValidCACertificate), never served without the check it asks for.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveGateways } from '../../src/gateway-api/gateways.ts';
import { RouteIndex } from '../../src/gateway-api/route-index.ts';
import { indexGrants } from '../../src/gateway-api/reference-grants.ts';
import type { ConfigMap, Gateway, GatewayClass, ReferenceGrant } from '../../src/gateway-api/types.ts';
import type { Secret } from '../../src/api/types.ts';
import type { Lookups } from '../../src/translate/lookups.ts';
import { makeCert, type TestCert } from '../proxy/certs.ts';

const cls: GatewayClass = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'sluice' }, spec: { controllerName: 'sluice.dev/gateway-controller' } };
const https = (name: string, port: number) => ({ name, port, protocol: 'HTTPS', tls: { certificateRefs: [{ name: 'cert' }] } });
const caRef = (name: string, extra: object = {}) => ({ validation: { caCertificateRefs: [{ group: '', kind: 'ConfigMap', name, ...extra }] } });
const configMap = (namespace: string, name: string, data: Record<string, string>): ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data });

describe('Gateway frontend client certificate validation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-frontend-'));
  let server: TestCert;
  let ca: TestCert;
  let lookups: Lookups;
  let configMaps: Map<string, ConfigMap>;
  before(() => {
    server = makeCert(dir, 'server', ['example.org']);
    ca = makeCert(dir, 'ca', ['ca.example']);
    const secret: Secret = { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: 'cert', namespace: 'default' }, stringData: { 'tls.crt': server.cert, 'tls.key': server.key } };
    lookups = { service: () => undefined, slices: () => undefined, endpoints: () => undefined, secret: (k) => (k === 'default/cert' ? secret : undefined) };
    configMaps = new Map([
      ['default/ca', configMap('default', 'ca', { 'ca.crt': ca.cert })],
      ['default/junk', configMap('default', 'junk', { 'ca.crt': 'not a certificate' })],
      ['other/ca', configMap('other', 'ca', { 'ca.crt': ca.cert })],
    ]);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function resolve(frontend: object, grants: ReferenceGrant[] = []) {
    const gw = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'gw', namespace: 'default' },
      spec: { gatewayClassName: 'sluice', tls: { frontend }, listeners: [https('https', 443), https('other', 8443), { name: 'http', port: 80, protocol: 'HTTP' }] },
    } as Gateway;
    const { gateways } = resolveGateways([cls], [gw], lookups, indexGrants(grants), { gatewayAddress: '0.0.0.0', portOffset: 0 }, configMaps);
    const conditions = Object.fromEntries(gateways[0]!.listeners.map((l) => [l.spec.name, Object.fromEntries(l.conditions.map((c) => [c.type, `${c.status} ${c.reason}`]))]));
    return { conditions, ports: new RouteIndex(gateways).ports() };
  }

  it('the default applies to every HTTPS port: the port asks for client certificates from the ConfigMap\'s ca.crt (AllowValidOnly unless told)', () => {
    const { conditions, ports } = resolve({ default: caRef('ca') });
    assert.equal(conditions.https!.Accepted, 'True Accepted');
    assert.equal(conditions.https!.ResolvedRefs, 'True ResolvedRefs');
    const byPort = Object.fromEntries(ports.map((p) => [p.port, p.clientValidation]));
    assert.equal(byPort[443]?.mode, 'AllowValidOnly');
    assert.ok(byPort[443]?.caCertificates.includes('BEGIN CERTIFICATE'));
    assert.equal(byPort[8443]?.mode, 'AllowValidOnly');
    assert.equal(byPort[80], undefined, 'plain HTTP has no TLS to validate');
  });

  it('perPort overrides the default on its own port only; a perPort entry without validation turns it off there', () => {
    const a = resolve({ perPort: [{ port: 8443, tls: { validation: { ...caRef('ca').validation, mode: 'AllowInsecureFallback' } } }] });
    const mode = (port: number) => a.ports.find((p) => p.port === port)?.clientValidation?.mode;
    assert.deepEqual([mode(443), mode(8443), mode(80)], [undefined, 'AllowInsecureFallback', undefined]);
    const b = resolve({ default: caRef('ca'), perPort: [{ port: 8443, tls: {} }] });
    assert.equal(b.ports.find((p) => p.port === 8443)!.clientValidation, undefined);
    assert.equal(b.ports.find((p) => p.port === 443)!.clientValidation?.mode, 'AllowValidOnly');
  });

  it('an unusable CA reference refuses the listener with the spec\'s reason; other listeners are untouched', () => {
    const cases: Array<[object, string]> = [
      [caRef('missing'), 'InvalidCACertificateRef'],
      [caRef('junk'), 'InvalidCACertificateRef'],
      [{ validation: { caCertificateRefs: [{ group: '', kind: 'Service', name: 'ca' }] } }, 'InvalidCACertificateKind'],
      [caRef('ca', { namespace: 'other' }), 'RefNotPermitted'],
    ];
    for (const [tls, reason] of cases) {
      const { conditions, ports } = resolve({ perPort: [{ port: 8443, tls }] });
      assert.equal(conditions.other!.ResolvedRefs, `False ${reason}`, reason);
      assert.equal(conditions.other!.Accepted, 'False NoValidCACertificate');
      assert.equal(conditions.other!.Programmed.split(' ')[0], 'False');
      assert.equal(ports.find((p) => p.port === 8443), undefined, 'not served without its check');
      assert.equal(conditions.https!.Accepted, 'True Accepted');
    }
  });

  it('a ReferenceGrant in the ConfigMap\'s namespace allows a cross-namespace CA', () => {
    const grant: ReferenceGrant = {
      apiVersion: 'gateway.networking.k8s.io/v1beta1',
      kind: 'ReferenceGrant',
      metadata: { name: 'g', namespace: 'other' },
      spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'default' }], to: [{ group: '', kind: 'ConfigMap' }] },
    };
    const { conditions, ports } = resolve({ default: caRef('ca', { namespace: 'other' }) }, [grant]);
    assert.equal(conditions.https!.Accepted, 'True Accepted');
    assert.equal(ports.find((p) => p.port === 443)!.clientValidation?.mode, 'AllowValidOnly');
  });

  it('one bad reference beside a good one: served with the good CA, ResolvedRefs False says which', () => {
    const { conditions, ports } = resolve({ default: { validation: { caCertificateRefs: [{ kind: 'ConfigMap', group: '', name: 'ca' }, { kind: 'ConfigMap', group: '', name: 'missing' }] } } });
    assert.equal(conditions.https!.Accepted, 'True Accepted');
    assert.equal(conditions.https!.ResolvedRefs, 'False InvalidCACertificateRef');
    assert.ok(ports.find((p) => p.port === 443)!.clientValidation);
  });
});
