// conformance/tests/gateway-with-clientcertificate-validation-insecure-fallback.go
import type { ConformanceTest } from '../support/conformance.ts';
import type { ExpectedResponse } from '../support/http.ts';
import { gatewayAndRoutesMustBeAccepted, gatewayMustHaveCondition, httpRouteMustHaveResolvedRefsConditionsTrue } from '../support/status.ts';
import { makeTLSRequestAndExpectEventuallyConsistentResponse } from '../support/tls.ts';

export const GatewayFrontendClientCertificateValidationInsecureFallback: ConformanceTest = {
  shortName: 'GatewayFrontendClientCertificateValidationInsecureFallback',
  description: "Gateway's client certificate validation set to AllowInsecureFallback allows any HTTPS traffic.",
  features: ['Gateway', 'HTTPRoute', 'GatewayFrontendClientCertificateValidation', 'GatewayFrontendClientCertificateValidationInsecureFallback'],
  manifests: ['tests/gateway-with-clientcertificate-validation-insecure-fallback.yaml'],
  async test(t, s) {
    const ns = 'gateway-conformance-infra';
    const certs = await s.clientValidationCerts();

    const routeNNs = [
      { name: 'client-cert-validation-insecure-fallback-test', namespace: ns },
      { name: 'client-cert-validation-insecure-fallback-test-no-hostname', namespace: ns },
    ];
    const gwNN = { name: 'client-validation-insecure-fallback', namespace: ns };

    // Use gateway address without port because we have 2 HTTPS listeners with different port
    const gwAddr = await gatewayAndRoutesMustBeAccepted(s, 'HTTPRoute', gwNN, routeNNs, false);
    for (const routeNN of routeNNs) await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN, gwNN);

    await t.test('Validate InsecureFrontendValidationMode status condition on the Gateway', () =>
      gatewayMustHaveCondition(s, gwNN, { type: 'InsecureFrontendValidationMode', reason: 'ConfigurationChanged', status: 'True' }),
    );

    // Get Server certificate, this certificate is the same for both listeners
    const serverCertPem = s.tlsSecretCert(ns, 'tls-validity-checks-certificate');
    // Get client certificate for default configuration
    const clientCert = certs.get(`${ns}/tls-validity-checks-client-certificate`)!;
    // Get client certificate for per port configuration
    const clientCertPerPort = certs.get(`${ns}/tls-validity-checks-per-port-client-certificate`)!;

    await t.test('Validate default TLS configuration', async (t) => {
      const defaultAddr = `${gwAddr}:443`;
      const expectedSuccess: ExpectedResponse = {
        request: { host: 'example.org', path: '/' },
        response: { statusCode: 200 },
        backend: 'infra-backend-v1',
        namespace: 'gateway-conformance-infra',
      };
      await t.test('Send request to the first listener with matching client certificate and validate that it is passing', () =>
        makeTLSRequestAndExpectEventuallyConsistentResponse(s, defaultAddr, serverCertPem, clientCert.cert, clientCert.key, 'example.org', expectedSuccess),
      );
      await t.test('Send request to the first listener with non-matching client certificate and validate that it is passing', () =>
        makeTLSRequestAndExpectEventuallyConsistentResponse(s, defaultAddr, serverCertPem, clientCertPerPort.cert, clientCertPerPort.key, 'example.org', expectedSuccess),
      );
      await t.test('Send request to the first listener without client certificate and validate that it is passing', () =>
        makeTLSRequestAndExpectEventuallyConsistentResponse(s, defaultAddr, serverCertPem, undefined, undefined, 'example.org', expectedSuccess),
      );
    });

    await t.test('Validate per port TLS configuration', async (t) => {
      const perPortAddr = `${gwAddr}:8443`;
      const expectedSucces: ExpectedResponse = {
        request: { host: 'second-example.org', path: '/' },
        response: { statusCode: 200 },
        backend: 'infra-backend-v2',
        namespace: 'gateway-conformance-infra',
      };
      await t.test('Send request to the second listener with matching client certificate and validate that it is passing', () =>
        makeTLSRequestAndExpectEventuallyConsistentResponse(s, perPortAddr, serverCertPem, clientCertPerPort.cert, clientCertPerPort.key, 'second-example.org', expectedSucces),
      );
      await t.test('Send request to the second listener with non-matching client certificate and validate that it is passing', () =>
        makeTLSRequestAndExpectEventuallyConsistentResponse(s, perPortAddr, serverCertPem, clientCert.cert, clientCert.key, 'second-example.org', expectedSucces),
      );
      await t.test('Send request to the second listener without client certificate and validate that it is passing', () =>
        makeTLSRequestAndExpectEventuallyConsistentResponse(s, perPortAddr, serverCertPem, undefined, undefined, 'second-example.org', expectedSucces),
      );
    });
  },
};
