// conformance/tests/httproute-redirect-port-and-scheme.go
import { InfrastructureNamespace } from '../support/base.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import { type ExpectedResponse, makeRequestAndExpectEventuallyConsistentResponse, testCaseName } from '../support/http.ts';
import { makeTLSRequestAndExpectEventuallyConsistentResponse } from '../support/tls.ts';
import { gatewayAndHTTPRoutesMustBeAccepted, httpRouteMustHaveResolvedRefsConditionsTrue } from '../support/status.ts';

export const HTTPRouteRedirectPortAndScheme: ConformanceTest = {
  shortName: 'HTTPRouteRedirectPortAndScheme',
  description: 'An HTTPRoute with port and scheme redirect filter',
  features: ['Gateway', 'HTTPRoute', 'HTTPRoutePortRedirect', 'GatewayPort8080'],
  manifests: ['tests/httproute-redirect-port-and-scheme.yaml'],
  async test(t, s) {
    const ns = InfrastructureNamespace;

    let gwNN = {name: "same-namespace", namespace: ns};
    let routeNN = {name: "http-route-for-listener-on-port-80", namespace: ns};
    const gwAddr80 = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, routeNN);
    await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN, gwNN);

    gwNN = {name: "same-namespace-with-http-listener-on-8080", namespace: ns};
    routeNN = {name: "http-route-for-listener-on-port-8080", namespace: ns};
    const gwAddr8080 = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, routeNN);
    await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN, gwNN);

    gwNN = {name: "same-namespace-with-https-listener", namespace: ns};
    routeNN = {name: "http-route-for-listener-on-port-443", namespace: ns};
    const gwAddr443 = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, routeNN);
    await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN, gwNN);

    const serverCertPem = s.tlsSecretCert(ns, 'tls-validity-checks-certificate');

    // nOTE: In all the test cases, a missing value of expected Port within
    //   RedirectRequest implies that it is still valid and acceptable for a
    //   port to be specified in the redirect if it corresponds to the scheme
    //   (80 and 443).

    ////////////////////////////////////////////////////////////////////////////
    // Test cases that use http-route-for-listener-on-port-80
    ////////////////////////////////////////////////////////////////////////////

    let testCases: ExpectedResponse[] = [
      {
        request: {
          path:             "/scheme-nil-and-port-nil",
          unfollowRedirect: true,
        },
        response: {statusCode: 302},
        redirectRequest: {
          scheme: "http",
          host:   "example.org",
        },
        namespace: ns,
      },
      {
        request: {
          path:             "/scheme-nil-and-port-80",
          unfollowRedirect: true,
        },
        response: {statusCode: 302},
        redirectRequest: {
          scheme: "http",
          host:   "example.org",
        },
        namespace: ns,
      },
      {
        request: {
          path:             "/scheme-nil-and-port-8080",
          unfollowRedirect: true,
        },
        response: {statusCode: 302},
        redirectRequest: {
          scheme: "http",
          port:   "8080",
          host:   "example.org",
        },
        namespace: ns,
      },
      {
        request: {
          path:             "/scheme-https-and-port-nil",
          unfollowRedirect: true,
        },
        response: {statusCode: 302},
        redirectRequest: {
          scheme: "https",
          host:   "example.org",
        },
        namespace: ns,
      },
      {
        request: {
          path:             "/scheme-https-and-port-443",
          unfollowRedirect: true,
        },
        response: {statusCode: 302},
        redirectRequest: {
          scheme: "https",
          host:   "example.org",
        },
        namespace: ns,
      },
      {
        request: {
          path:             "/scheme-https-and-port-8443",
          unfollowRedirect: true,
        },
        response: {statusCode: 302},
        redirectRequest: {
          scheme: "https",
          port:   "8443",
          host:   "example.org",
        },
        namespace: ns,
      },
    ]

    for (const [i, tc] of testCases.entries()) {
      await t.test("http-listener-on-80/" + testCaseName(tc, i), () => makeRequestAndExpectEventuallyConsistentResponse(s, gwAddr80, structuredClone(tc)));
    }

    ////////////////////////////////////////////////////////////////////////////
    // Test cases that use same-namespace-with-http-listener-on-8080
    ////////////////////////////////////////////////////////////////////////////

    testCases = [
      {
        request: {
          path:             "/scheme-nil-and-port-nil",
          unfollowRedirect: true,
        },
        response: {statusCode: 302},
        redirectRequest: {
          scheme: "http",
          port:   "8080",
          host:   "example.org",
        },
        namespace: ns,
      },
      {
        request: {
          path:             "/scheme-nil-and-port-80",
          unfollowRedirect: true,
        },
        response: {statusCode: 302},
        redirectRequest: {
          scheme: "http",
          host:   "example.org",
        },
        namespace: ns,
      },
      {
        request: {
          path:             "/scheme-https-and-port-nil",
          unfollowRedirect: true,
        },
        response: {statusCode: 302},
        redirectRequest: {
          scheme: "https",
          host:   "example.org",
        },
        namespace: ns,
      },
    ]

    for (const [i, tc] of testCases.entries()) {
      await t.test("http-listener-on-8080/" + testCaseName(tc, i), () => makeRequestAndExpectEventuallyConsistentResponse(s, gwAddr8080, structuredClone(tc)));
    }

    ////////////////////////////////////////////////////////////////////////////
    // Test cases that use http-route-for-listener-on-port-443
    ////////////////////////////////////////////////////////////////////////////

    testCases = [
      {
        request: {
          host:             "example.org",
          path:             "/scheme-nil-and-port-nil",
          unfollowRedirect: true,
        },
        response: {statusCode: 302},
        redirectRequest: {
          scheme: "https",
          host:   "example.org",
        },
        namespace: ns,
      },
      {
        request: {
          host:             "example.org",
          path:             "/scheme-nil-and-port-443",
          unfollowRedirect: true,
        },
        response: {statusCode: 302},
        redirectRequest: {
          scheme: "https",
          host:   "example.org",
        },
        namespace: ns,
      },
      {
        request: {
          host:             "example.org",
          path:             "/scheme-nil-and-port-8443",
          unfollowRedirect: true,
        },
        response: {statusCode: 302},
        redirectRequest: {
          scheme: "https",
          port:   "8443",
          host:   "example.org",
        },
        namespace: ns,
      },
      {
        request: {
          host:             "example.org",
          path:             "/scheme-http-and-port-nil",
          unfollowRedirect: true,
        },
        response: {statusCode: 302},
        redirectRequest: {
          scheme: "http",
          host:   "example.org",
        },
        namespace: ns,
      },
      {
        request: {
          host:             "example.org",
          path:             "/scheme-http-and-port-80",
          unfollowRedirect: true,
        },
        response: {statusCode: 302},
        redirectRequest: {
          scheme: "http",
          host:   "example.org",
        },
        namespace: ns,
      },
      {
        request: {
          host:             "example.org",
          path:             "/scheme-http-and-port-8080",
          unfollowRedirect: true,
        },
        response: {statusCode: 302},
        redirectRequest: {
          scheme: "http",
          port:   "8080",
          host:   "example.org",
        },
        namespace: ns,
      },
    ]

    for (const [i, tc] of testCases.entries()) {
      await t.test("https-listener-on-443/" + testCaseName(tc, i), () => makeTLSRequestAndExpectEventuallyConsistentResponse(s, gwAddr443, serverCertPem, undefined, undefined, "example.org", structuredClone(tc)));
    }
  },
};
