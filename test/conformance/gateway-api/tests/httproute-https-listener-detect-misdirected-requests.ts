// conformance/tests/httproute-https-listener-detect-misdirected-requests.go
import { InfrastructureNamespace } from '../support/base.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import { type ExpectedResponse, testCaseName } from '../support/http.ts';
import { gatewayAndHTTPRoutesMustBeAccepted, httpRouteMustHaveResolvedRefsConditionsTrue } from '../support/status.ts';
import { makeTLSRequestAndExpectEventuallyConsistentResponse } from '../support/tls.ts';

export const HTTPRouteHTTPSListenerDetectMisdirectedRequests: ConformanceTest = {
  shortName: 'HTTPRouteHTTPSListenerDetectMisdirectedRequests',
  description: 'HTTPRoute attached to a HTTPS listener should detect misdirected requests',
  features: ['Gateway', 'GatewayHTTPSListenerDetectMisdirectedRequests', 'HTTPRoute'],
  manifests: ['tests/httproute-https-listener-detect-misdirected-requests.yaml'],
  async test(t, s) {
    const ns = InfrastructureNamespace;

    const routeNNs = [
      { name: 'https-listener-detect-misdirected-requests-test-1', namespace: ns },
      { name: 'https-listener-detect-misdirected-requests-test-2', namespace: ns },
      { name: 'https-listener-detect-misdirected-requests-test-3', namespace: ns },
      { name: 'https-listener-detect-misdirected-requests-test-4', namespace: ns },
    ];
    const gwNN = { name: 'same-namespace-with-https-listener', namespace: ns };
    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, ...routeNNs);
    for (const routeNN of routeNNs) {
      await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN, gwNN);
    }

    const serverCertPem = s.tlsSecretCert(ns, 'tls-validity-checks-certificate');

    const cases: Array<{ host: string; statusCode: number; backend?: string; serverName: string }> = [
      { serverName: 'example.org', host: 'example.org', statusCode: 200, backend: 'infra-backend-v1' },
      { serverName: 'example.org', host: 'second-example.org', statusCode: 421 },
      { serverName: 'example.org', host: 'unknown-example.org', statusCode: 404 },

      { serverName: 'second-example.org', host: 'second-example.org', statusCode: 200, backend: 'infra-backend-v2' },
      { serverName: 'second-example.org', host: 'example.org', statusCode: 421 },
      { serverName: 'second-example.org', host: 'unknown-example.org', statusCode: 421 },

      { serverName: 'third-example.wildcard.org', host: 'third-example.wildcard.org', statusCode: 200, backend: 'infra-backend-v3' },
      { serverName: 'third-example.wildcard.org', host: 'fith-example.wildcard.org', statusCode: 200, backend: 'infra-backend-v3' },
      { serverName: 'third-example.wildcard.org', host: 'fourth-example.wildcard.org', statusCode: 421 },
      { serverName: 'third-example.wildcard.org', host: 'second-example.org', statusCode: 421 },
      { serverName: 'third-example.wildcard.org', host: 'unknown-example.org', statusCode: 421 },

      { serverName: 'fourth-example.wildcard.org', host: 'fourth-example.wildcard.org', statusCode: 200, backend: 'infra-backend-v1' },
      { serverName: 'fourth-example.wildcard.org', host: 'fith-example.wildcard.org', statusCode: 421 },

      { serverName: 'unknown-example.org', host: 'example.org', statusCode: 200, backend: 'infra-backend-v1' },
      { serverName: 'unknown-example.org', host: 'unknown-example.org', statusCode: 404 },
    ];

    for (const [i, tc] of cases.entries()) {
      const expected: ExpectedResponse = {
        request: { host: tc.host, path: '/detect-misdirected-requests', protocol: 'H2' },
        response: { statusCodes: [tc.statusCode] },
        backend: tc.backend ?? '',
        namespace: InfrastructureNamespace,
      };
      await t.test(testCaseName(expected, i), () => makeTLSRequestAndExpectEventuallyConsistentResponse(s, gwAddr, serverCertPem, undefined, undefined, tc.serverName, expected));
    }
  },
};
