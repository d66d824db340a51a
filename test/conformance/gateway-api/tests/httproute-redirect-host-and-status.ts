// conformance/tests/httproute-redirect-host-and-status.go
import { InfrastructureNamespace } from '../support/base.ts';
import { runCases } from '../support/cases.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import type { ExpectedResponse } from '../support/http.ts';
import { gatewayAndHTTPRoutesMustBeAccepted, httpRouteMustHaveResolvedRefsConditionsTrue } from '../support/status.ts';

export const HTTPRouteRedirectHostAndStatus: ConformanceTest = {
  shortName: 'HTTPRouteRedirectHostAndStatus',
  description: 'An HTTPRoute with hostname and statusCode redirect filters',
  features: ['Gateway', 'HTTPRoute'],
  manifests: ['tests/httproute-redirect-host-and-status.yaml'],
  async test(t, s) {
    const ns = InfrastructureNamespace;
    const routeNN = {name: "redirect-host-and-status", namespace: ns};
    const gwNN = {name: "same-namespace", namespace: ns};
    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, routeNN);
    await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN, gwNN);

    const testCases: ExpectedResponse[] = [
      {
        request: {
          path:             "/hostname-redirect",
          unfollowRedirect: true,
        },
        response: {
          statusCode: 302,
        },
        redirectRequest: {
          host: "example.org",
        },
        namespace: ns,
      }, {
        request: {
          path:             "/host-and-status",
          unfollowRedirect: true,
        },
        response: {
          statusCode: 301,
        },
        redirectRequest: {
          host: "example.org",
        },
        namespace: ns,
      },
    ]
    await runCases(t, s, gwAddr, testCases);
  },
};
