// conformance/tests/httproute-https-listener.go
import { InfrastructureNamespace } from '../support/base.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import { type ExpectedResponse, testCaseName } from '../support/http.ts';
import { gatewayAndHTTPRoutesMustBeAccepted, httpRouteMustHaveResolvedRefsConditionsTrue } from '../support/status.ts';
import { makeTLSRequestAndExpectEventuallyConsistentResponse } from '../support/tls.ts';

export const HTTPRouteHTTPSListener: ConformanceTest = {
  shortName: 'HTTPRouteHTTPSListener',
  description: "HTTPRoute attaches to a Gateway's HTTPS listener in the same namespace",
  features: ['Gateway', 'HTTPRoute'],
  manifests: ['tests/httproute-https-listener.yaml'],
  async test(t, s) {
    const ns = InfrastructureNamespace;
    const routeNN = {name: "httproute-https-test", namespace: ns};
    const routeNoHostNN = {name: "httproute-https-test-no-hostname", namespace: ns};

    const gwNN = {name: "same-namespace-with-https-listener", namespace: ns};
    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, routeNN, routeNoHostNN);
    await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN, gwNN);
    await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNoHostNN, gwNN);

    const serverCertPem = s.tlsSecretCert(ns, 'tls-validity-checks-certificate');

    const cases: Array<{ host: string; statusCode: number; backend?: string }> = [
      { host: 'example.org', statusCode: 200, backend: 'infra-backend-v1' },
      { host: 'unknown-example.org', statusCode: 404 },
      { host: 'second-example.org', statusCode: 200, backend: 'infra-backend-v2' },
    ];

    for (const [i, tc] of cases.entries()) {
      const expected: ExpectedResponse = {
        request: { host: tc.host, path: '/' },
        response: { statusCode: tc.statusCode },
        backend: tc.backend ?? '',
        namespace: InfrastructureNamespace,
      };
      await t.test(testCaseName(expected, i), () => makeTLSRequestAndExpectEventuallyConsistentResponse(s, gwAddr, serverCertPem, undefined, undefined, tc.host, expected));
    }
  },
};
