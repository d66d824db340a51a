// conformance/tests/httproute-redirect-port.go
import { InfrastructureNamespace } from '../support/base.ts';
import { runCases } from '../support/cases.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import type { ExpectedResponse } from '../support/http.ts';
import { gatewayAndHTTPRoutesMustBeAccepted, httpRouteMustHaveResolvedRefsConditionsTrue } from '../support/status.ts';

export const HTTPRouteRedirectPort: ConformanceTest = {
  shortName: 'HTTPRouteRedirectPort',
  description: 'An HTTPRoute with a port redirect filter',
  features: ['Gateway', 'HTTPRoute', 'HTTPRoutePortRedirect'],
  manifests: ['tests/httproute-redirect-port.yaml'],
  async test(t, s) {
    const ns = InfrastructureNamespace;
    const routeNN = {name: "redirect-port", namespace: ns};
    const gwNN = {name: "same-namespace", namespace: ns};
    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, routeNN);
    await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN, gwNN);

    const testCases: ExpectedResponse[] = [
      {
        request: {
          path:             "/port",
          unfollowRedirect: true,
        },
        response: {
          statusCode: 302,
        },
        redirectRequest: {
          port: "8083",
        },
        namespace: ns,
      }, {
        request: {
          path:             "/port-and-host",
          unfollowRedirect: true,
        },
        response: {
          statusCode: 302,
        },
        redirectRequest: {
          host: "example.org",
          port: "8083",
        },
        namespace: ns,
      }, {
        request: {
          path:             "/port-and-status",
          unfollowRedirect: true,
        },
        response: {
          statusCode: 301,
        },
        redirectRequest: {
          port: "8083",
        },
        namespace: ns,
      }, {
        request: {
          path:             "/port-and-host-and-status",
          unfollowRedirect: true,
        },
        response: {
          statusCode: 302,
        },
        redirectRequest: {
          port: "8083",
          host: "example.org",
        },
        namespace: ns,
      },
    ]
    await runCases(t, s, gwAddr, testCases);
  },
};
