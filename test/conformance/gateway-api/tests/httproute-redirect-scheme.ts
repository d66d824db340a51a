// conformance/tests/httproute-redirect-scheme.go
import { InfrastructureNamespace } from '../support/base.ts';
import { runCases } from '../support/cases.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import type { ExpectedResponse } from '../support/http.ts';
import { gatewayAndHTTPRoutesMustBeAccepted, httpRouteMustHaveResolvedRefsConditionsTrue } from '../support/status.ts';

export const HTTPRouteRedirectScheme: ConformanceTest = {
  shortName: 'HTTPRouteRedirectScheme',
  description: 'An HTTPRoute with a scheme redirect filter',
  features: ['Gateway', 'HTTPRoute', 'HTTPRouteSchemeRedirect'],
  manifests: ['tests/httproute-redirect-scheme.yaml'],
  async test(t, s) {
    const ns = InfrastructureNamespace;
    const routeNN = {name: "redirect-scheme", namespace: ns};
    const gwNN = {name: "same-namespace", namespace: ns};
    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, routeNN);
    await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN, gwNN);

    const testCases: ExpectedResponse[] = [
      {
        request: {
          path:             "/scheme",
          unfollowRedirect: true,
        },
        response: {
          statusCode: 302,
        },
        redirectRequest: {
          scheme: "https",
        },
        namespace: ns,
      }, {
        request: {
          path:             "/scheme-and-host",
          unfollowRedirect: true,
        },
        response: {
          statusCode: 302,
        },
        redirectRequest: {
          host:   "example.org",
          scheme: "https",
        },
        namespace: ns,
      }, {
        request: {
          path:             "/scheme-and-status",
          unfollowRedirect: true,
        },
        response: {
          statusCode: 301,
        },
        redirectRequest: {
          scheme: "https",
        },
        namespace: ns,
      }, {
        request: {
          path:             "/scheme-and-host-and-status",
          unfollowRedirect: true,
        },
        response: {
          statusCode: 302,
        },
        redirectRequest: {
          scheme: "https",
          host:   "example.org",
        },
        namespace: ns,
      },
    ]
    await runCases(t, s, gwAddr, testCases);
  },
};
