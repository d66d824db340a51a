// conformance/tests/httproute-307-redirect.go
import { InfrastructureNamespace } from '../support/base.ts';
import { runCases } from '../support/cases.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import type { ExpectedResponse } from '../support/http.ts';
import { gatewayAndHTTPRoutesMustBeAccepted, httpRouteMustHaveResolvedRefsConditionsTrue } from '../support/status.ts';

export const HTTPRoute307Redirect: ConformanceTest = {
  shortName: 'HTTPRoute307Redirect',
  description: 'An HTTPRoute with a 307 path redirect filter',
  features: ['Gateway', 'HTTPRoute', 'HTTPRoute307RedirectStatusCode'],
  manifests: ['tests/httproute-307-redirect.yaml'], provisional: true,
  async test(t, s) {
    const ns = InfrastructureNamespace;
    const routeNN = {name: "307-redirect", namespace: ns};
    const gwNN = {name: "same-namespace", namespace: ns};
    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, routeNN);
    await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN, gwNN);

    const testCases: ExpectedResponse[] = [
      {
        request: {
          path:             "/temporary",
          unfollowRedirect: true,
        },
        response: {
          statusCode: 307,
        },
        redirectRequest: {
          path: "/temporary",
        },
        namespace: ns,
      },
    ]
    await runCases(t, s, gwAddr, testCases);
  },
};
