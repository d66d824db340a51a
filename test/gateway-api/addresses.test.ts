// A Gateway's status.addresses (gateway-api/addresses.ts): the bind address in file mode; in
// Kubernetes mode the Service in front of the listeners, never the pods' bind address.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Service } from '../../src/api/types.ts';
import { gatewayAddresses } from '../../src/gateway-api/addresses.ts';
import type { Lookups } from '../../src/translate/lookups.ts';

const lookups = (svc?: Service): Lookups => ({
  service: (key) => (key === 'sluice-system/sluice-gateway' ? svc : undefined),
  slices: () => undefined,
  endpoints: () => undefined,
  secret: () => undefined,
});
const k8s = { gatewayAddress: '0.0.0.0', gatewayService: 'sluice-system/sluice-gateway', clusterDomain: 'example.local' };
const svc = (spec: Service['spec'], status?: Service['status']): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'sluice-gateway', namespace: 'sluice-system' }, spec, ...(status ? { status } : {}) });

describe('Gateway status addresses', () => {
  it('file mode: the bind address, typed', () => {
    assert.deepEqual(gatewayAddresses({ gatewayAddress: '127.0.0.1' }, lookups()), [{ type: 'IPAddress', value: '127.0.0.1' }]);
    assert.deepEqual(gatewayAddresses({ gatewayAddress: '::1' }, lookups()), [{ type: 'IPAddress', value: '::1' }]);
  });

  it("Kubernetes mode: the Service's load balancer IPs and host names, in its order", () => {
    const s = svc({ type: 'LoadBalancer', clusterIP: '10.0.0.9' }, { loadBalancer: { ingress: [{ hostname: 'lb.example.net' }, { ip: '203.0.113.7' }, { ip: 'not-an-ip' }] } });
    assert.deepEqual(gatewayAddresses(k8s, lookups(s)), [{ type: 'Hostname', value: 'lb.example.net' }, { type: 'IPAddress', value: '203.0.113.7' }]);
  });

  it('Kubernetes mode: no load balancer address yet -> the cluster IP; headless or no Service -> its DNS name', () => {
    assert.deepEqual(gatewayAddresses(k8s, lookups(svc({ clusterIP: '10.0.0.9' }, { loadBalancer: {} }))), [{ type: 'IPAddress', value: '10.0.0.9' }]);
    const dns = [{ type: 'Hostname', value: 'sluice-gateway.sluice-system.svc.example.local' }];
    assert.deepEqual(gatewayAddresses(k8s, lookups(svc({ clusterIP: 'None' }))), dns);
    assert.deepEqual(gatewayAddresses(k8s, lookups()), dns);
  });
});
