// conformance/tests/gateway-with-invalid-clientcertificate-validation.go
import { InfrastructureNamespace } from '../support/base.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import { type ExpectedCondition, gatewayListenerMustHaveConditions } from '../support/status.ts';

export const GatewayInvalidFrontendClientCertificateValidation: ConformanceTest = {
  shortName: 'GatewayInvalidFrontendClientCertificateValidation',
  description: "Gateway's should reject invalid Client Certificate Validation Config",
  features: ['Gateway', 'HTTPRoute', 'ReferenceGrant', 'GatewayFrontendClientCertificateValidation'],
  manifests: ['tests/gateway-with-invalid-clientcertificate-validation.yaml'],
  async test(t, s) {
    await s.clientValidationCerts();
    // Validate that invalid configuration for Default and PerPort client certificate validation
    // impacts only status of affected Listener.
    await t.test('Validate status for invalid client certificate configuration', async (t) => {
      const gwNN = { name: 'gateway-with-invalid-client-cert-validation', namespace: InfrastructureNamespace };
      const invalid = (resolvedRefsReason: string): ExpectedCondition[] => [
        { type: 'ResolvedRefs', status: 'False', reason: resolvedRefsReason },
        { type: 'Accepted', status: 'False', reason: 'NoValidCACertificate' },
        { type: 'Programmed', status: 'False', reason: '' }, // any reason
      ];
      const cases: Array<{ name: string; lName: string; expectedConditions: ExpectedCondition[] }> = [
        {
          name: 'default valid configuration',
          lName: 'https',
          expectedConditions: [
            { type: 'ResolvedRefs', status: 'True', reason: '' }, // any reason
            { type: 'Accepted', status: 'True', reason: '' },
            { type: 'Programmed', status: 'True', reason: '' },
          ],
        },
        { name: 'unresolved reference', lName: 'https-unresolved', expectedConditions: invalid('InvalidCACertificateRef') },
        { name: 'invalid kind', lName: 'https-invalid-kind', expectedConditions: invalid('InvalidCACertificateKind') },
        { name: 'reference grant missing', lName: 'https-grant-missing', expectedConditions: invalid('RefNotPermitted') },
      ];
      for (const tc of cases) {
        await t.test(tc.name, () => gatewayListenerMustHaveConditions(s, gwNN, tc.lName, tc.expectedConditions));
      }
    });
  },
};
