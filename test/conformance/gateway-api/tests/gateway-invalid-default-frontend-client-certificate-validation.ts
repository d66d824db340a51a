// conformance/tests/gateway-invalid-default-frontend-client-certificate-validation.go
import { InfrastructureNamespace } from '../support/base.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import { type ExpectedResponse, makeRequestAndExpectEventuallyConsistentResponse } from '../support/http.ts';
import { type ExpectedCondition, gatewayListenerMustHaveConditions, waitForGatewayAddress } from '../support/status.ts';
import { makeTLSRequestAndExpectFailureResponse } from '../support/tls.ts';

export const GatewayFrontendInvalidDefaultClientCertificateValidation: ConformanceTest = {
  shortName: 'GatewayFrontendInvalidDefaultClientCertificateValidation',
  description: "Invalid Gateway's default Client Certificate Validation Config should only affect HTTPS traffic",
  features: ['Gateway', 'HTTPRoute', 'GatewayFrontendClientCertificateValidation'],
  manifests: ['tests/gateway-invalid-default-frontend-client-certificate-validation.yaml'],
  async test(t, s) {
    await s.clientValidationCerts();
    const ns = InfrastructureNamespace;
    const gwNN = { name: 'invalid-default-client-validation-config', namespace: ns };

    // Wait for gateway address to be assigned. Do not check the Status it will be done per each Listener later.
    // use gateway Adddress without port because we have 2 HTTPS listeners with different port
    const withPort = await waitForGatewayAddress(s, gwNN);
    const gwAddr = withPort.slice(0, withPort.lastIndexOf(':'));

    // Get Server certificate, this certificate is the same for both listeners
    const serverCertPem = s.tlsSecretCert(ns, 'tls-validity-checks-certificate');

    await t.test('Validate tls configuration does not impact HTTP listener', async () => {
      const expectedConditions: ExpectedCondition[] = [
        { type: 'ResolvedRefs', status: 'True', reason: '' }, // any reason
        { type: 'Accepted', status: 'True', reason: '' },
        { type: 'Programmed', status: 'True', reason: '' },
      ];
      await gatewayListenerMustHaveConditions(s, gwNN, 'http', expectedConditions);

      const httpAddr = `${gwAddr}:80`;
      const expectedSuccess: ExpectedResponse = {
        request: { host: 'example.org', path: '/' },
        response: { statusCode: 200 },
        backend: 'infra-backend-v1',
        namespace: InfrastructureNamespace,
      };
      // send request to the first listener and validate that it is passing
      await makeRequestAndExpectEventuallyConsistentResponse(s, httpAddr, expectedSuccess);
    });

    await t.test('Validate that invalid default configuration is impacting HTTPS listener', async () => {
      const expectedConditions: ExpectedCondition[] = [
        { type: 'ResolvedRefs', status: 'False', reason: 'InvalidCACertificateRef' },
        { type: 'Accepted', status: 'False', reason: 'NoValidCACertificate' },
        { type: 'Programmed', status: 'False', reason: '' }, // any reason
      ];
      await gatewayListenerMustHaveConditions(s, gwNN, 'https', expectedConditions);

      const httpsAddr = `${gwAddr}:443`;
      const expectedFailure: ExpectedResponse = { request: { host: 'example.org', path: '/' }, namespace: InfrastructureNamespace };
      // send request to the second listener and validate that it is failing
      await makeTLSRequestAndExpectFailureResponse(s, httpsAddr, serverCertPem, undefined, undefined, 'example.org', expectedFailure);
    });
  },
};
