// Gateway spec.tls.frontend (client certificate validation) is not implemented yet: an HTTPS
// listener it applies to must not be served without it (fail closed), and says why; listeners it
// does not apply to (HTTP, or HTTPS ports it does not name when there is no default) are served.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveGateways } from '../../src/gateway-api/gateways.ts';
import { indexGrants } from '../../src/gateway-api/reference-grants.ts';
import type { Gateway, GatewayClass } from '../../src/gateway-api/types.ts';
import type { Lookups } from '../../src/translate/lookups.ts';

const cls: GatewayClass = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'sluice' }, spec: { controllerName: 'sluice.dev/gateway-controller' } };
const secret = { apiVersion: 'v1' as const, kind: 'Secret' as const, type: 'kubernetes.io/tls', metadata: { name: 'cert', namespace: 'default' }, data: {} };
const lookups: Lookups = { service: () => undefined, slices: () => undefined, endpoints: () => undefined, secret: () => undefined };
const https = (name: string, port: number) => ({ name, port, protocol: 'HTTPS', tls: { certificateRefs: [{ name: secret.metadata.name }] } });
const validation = { validation: { caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'ca' }] } };

function listenerConditions(frontend: object): Record<string, Record<string, string>> {
  const gw = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: 'gw', namespace: 'default' },
    spec: { gatewayClassName: 'sluice', tls: { frontend }, listeners: [https('https', 443), https('other', 8443), { name: 'http', port: 80, protocol: 'HTTP' }] },
  } as Gateway;
  const { gateways } = resolveGateways([cls], [gw], lookups, indexGrants([]), { gatewayAddress: '0.0.0.0', portOffset: 0 });
  return Object.fromEntries(gateways[0]!.listeners.map((l) => [l.spec.name, Object.fromEntries(l.conditions.map((c) => [c.type, `${c.status} ${c.reason}`]))]));
}

describe('Gateway frontend client certificate validation (not implemented)', () => {
  it('an HTTPS listener it applies to is not accepted nor programmed (UnsupportedValue), never served without the validation', () => {
    const c = listenerConditions({ default: validation });
    assert.equal(c.https!.Accepted, 'False UnsupportedValue');
    assert.equal(c.https!.Programmed, 'False Invalid');
    assert.equal(c.other!.Accepted, 'False UnsupportedValue');
    assert.equal(c.http!.Accepted, 'True Accepted', 'plain HTTP has no TLS to validate');
  });

  it('perPort applies to its own port only, and overrides the default there', () => {
    const c = listenerConditions({ perPort: [{ port: 8443, tls: validation }] });
    assert.equal(c.other!.Accepted, 'False UnsupportedValue');
    assert.notEqual(c.https!.Accepted, 'False UnsupportedValue');
    const d = listenerConditions({ default: validation, perPort: [{ port: 8443, tls: {} }] });
    assert.equal(d.https!.Accepted, 'False UnsupportedValue');
    assert.notEqual(d.other!.Accepted, 'False UnsupportedValue', 'a perPort entry without validation turns it off on its port');
  });
});
