// conformance/tests/gateway-with-clientcertificate-validation.go
import { InfrastructureNamespace } from '../support/base.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import type { ExpectedResponse } from '../support/http.ts';
import { gatewayAndRoutesMustBeAccepted, httpRouteMustHaveResolvedRefsConditionsTrue } from '../support/status.ts';
import { makeTLSRequestAndExpectEventuallyConsistentResponse, makeTLSRequestAndExpectFailureResponse } from '../support/tls.ts';

export const GatewayFrontendClientCertificateValidation: ConformanceTest = {
  shortName: 'GatewayFrontendClientCertificateValidation',
  description: "Gateway's client certificate validation config should be used for HTTPS traffic",
  features: ['Gateway', 'HTTPRoute', 'GatewayFrontendClientCertificateValidation'],
  manifests: ['tests/gateway-with-clientcertificate-validation.yaml'],
  async test(t, s) {
    const ns = InfrastructureNamespace;
    const certs = await s.clientValidationCerts();

    const routeNNs = [
      { name: 'client-certificate-validation-https-test', namespace: ns },
      { name: 'client-certificate-validation-https-test-no-hostname', namespace: ns },
    ];
    const gwNN = { name: 'client-validation-default', namespace: ns };

    // Use gateway address without port because we have 2 HTTPS listeners with different port
    const gwAddr = await gatewayAndRoutesMustBeAccepted(s, 'HTTPRoute', gwNN, routeNNs, false);
    for (const routeNN of routeNNs) await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN, gwNN);

    // Get Server certificate, this certificate is the same for both listeners
    const serverCertPem = s.tlsSecretCert(ns, 'tls-validity-checks-certificate');
    // Get client certificate for default configuration
    const clientCert = certs.get(`${ns}/tls-validity-checks-client-certificate`)!;
    // Get client certificate for per port configuration
    const clientCertPerPort = certs.get(`${ns}/tls-validity-checks-per-port-client-certificate`)!;

    await t.test('Validate default configuration', async () => {
      const defaultAddr = `${gwAddr}:443`;

      // Send request to the first listener and validate that it is passing
      const expectedSuccess: ExpectedResponse = {
        request: { host: 'example.org', path: '/' },
        response: { statusCode: 200 },
        backend: 'infra-backend-v1',
        namespace: InfrastructureNamespace,
      };
      await makeTLSRequestAndExpectEventuallyConsistentResponse(s, defaultAddr, serverCertPem, clientCert.cert, clientCert.key, 'example.org', expectedSuccess);

      // Send request to the first listener with a non-matching and validate that it is failing
      const expectedFailure: ExpectedResponse = { request: { host: 'example.org', path: '/' }, namespace: InfrastructureNamespace };
      await makeTLSRequestAndExpectFailureResponse(s, defaultAddr, serverCertPem, clientCertPerPort.cert, clientCertPerPort.key, 'example.org', expectedFailure);
    });

    await t.test('Validate per port configuration', async () => {
      const perPortAddr = `${gwAddr}:8443`;

      // Send request to the second listener and validate that it is passing
      const expectedSuccess: ExpectedResponse = {
        request: { host: 'second-example.org', path: '/' },
        response: { statusCode: 200 },
        backend: 'infra-backend-v2',
        namespace: InfrastructureNamespace,
      };
      await makeTLSRequestAndExpectEventuallyConsistentResponse(s, perPortAddr, serverCertPem, clientCertPerPort.cert, clientCertPerPort.key, 'second-example.org', expectedSuccess);

      // Send request to the second listener with a non-matching and validate that it is failing
      const expectedFailure: ExpectedResponse = { request: { host: 'second-example.org', path: '/' }, namespace: InfrastructureNamespace };
      await makeTLSRequestAndExpectFailureResponse(s, perPortAddr, serverCertPem, clientCert.cert, clientCert.key, 'second-example.org', expectedFailure);
    });
  },
};
