// conformance/tests/gateway-invalid-tls-configuration.go
import { InfrastructureNamespace } from '../support/base.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import { type ExpectedListener, GatewayGroup, gatewayStatusMustHaveListeners } from '../support/status.ts';

export const GatewayInvalidTLSConfiguration: ConformanceTest = {
  shortName: 'GatewayInvalidTLSConfiguration',
  description: 'A Gateway should fail to become ready if the Gateway has an invalid TLS configuration',
  features: ['Gateway'],
  manifests: ['tests/gateway-invalid-tls-configuration.yaml'],
  async test(t, s) {
    const listeners: ExpectedListener[] = [
      {
        name: 'https',
        supportedKinds: [{ group: GatewayGroup, kind: 'HTTPRoute' }],
        conditions: [{ type: 'ResolvedRefs', status: 'False', reason: 'InvalidCertificateRef' }],
        attachedRoutes: 0,
      },
    ];

    const testCases = [
      { name: 'Nonexistent secret referenced as CertificateRef in a Gateway listener', gatewayNamespacedName: { name: 'gateway-certificate-nonexistent-secret', namespace: InfrastructureNamespace } },
      { name: 'Unsupported group resource referenced as CertificateRef in a Gateway listener', gatewayNamespacedName: { name: 'gateway-certificate-unsupported-group', namespace: InfrastructureNamespace } },
      { name: 'Unsupported kind resource referenced as CertificateRef in a Gateway listener', gatewayNamespacedName: { name: 'gateway-certificate-unsupported-kind', namespace: InfrastructureNamespace } },
      { name: 'Malformed secret referenced as CertificateRef in a Gateway listener', gatewayNamespacedName: { name: 'gateway-certificate-malformed-secret', namespace: InfrastructureNamespace } },
    ];

    for (const tc of testCases) {
      await t.test(tc.name, () => gatewayStatusMustHaveListeners(s, tc.gatewayNamespacedName, listeners));
    }
  },
};
