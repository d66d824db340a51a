// conformance/tests/httproute-redirect-path.go
import { InfrastructureNamespace } from '../support/base.ts';
import { runCases } from '../support/cases.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import type { ExpectedResponse } from '../support/http.ts';
import { gatewayAndHTTPRoutesMustBeAccepted, httpRouteMustHaveResolvedRefsConditionsTrue } from '../support/status.ts';

export const HTTPRouteRedirectPath: ConformanceTest = {
  shortName: 'HTTPRouteRedirectPath',
  description: 'An HTTPRoute with scheme redirect filter',
  features: ['Gateway', 'HTTPRoute', 'HTTPRoutePathRedirect'],
  manifests: ['tests/httproute-redirect-path.yaml'],
  async test(t, s) {
    const ns = InfrastructureNamespace;
    const routeNN = {name: "redirect-path", namespace: ns};
    const gwNN = {name: "same-namespace", namespace: ns};
    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, routeNN);
    await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN, gwNN);

    const testCases: ExpectedResponse[] = [
      {
        request: {
          path:             "/original-prefix/lemon",
          unfollowRedirect: true,
        },
        response: {
          statusCode: 302,
        },
        redirectRequest: {
          path: "/replacement-prefix/lemon",
        },
        namespace: ns,
      }, {
        request: {
          path:             "/full/path/original",
          unfollowRedirect: true,
        },
        response: {
          statusCode: 302,
        },
        redirectRequest: {
          path: "/full-path-replacement",
        },
        namespace: ns,
      }, {
        request: {
          path:             "/path-and-host",
          unfollowRedirect: true,
        },
        response: {
          statusCode: 302,
        },
        redirectRequest: {
          host: "example.org",
          path: "/replacement-prefix",
        },
        namespace: ns,
      }, {
        request: {
          path:             "/path-and-status",
          unfollowRedirect: true,
        },
        response: {
          statusCode: 301,
        },
        redirectRequest: {
          path: "/replacement-prefix",
        },
        namespace: ns,
      }, {
        request: {
          path:             "/full-path-and-host",
          unfollowRedirect: true,
        },
        response: {
          statusCode: 302,
        },
        redirectRequest: {
          host: "example.org",
          path: "/replacement-full",
        },
        namespace: ns,
      }, {
        request: {
          path:             "/full-path-and-status",
          unfollowRedirect: true,
        },
        response: {
          statusCode: 301,
        },
        redirectRequest: {
          path: "/replacement-full",
        },
        namespace: ns,
      },
    ]
    await runCases(t, s, gwAddr, testCases);
  },
};
