// conformance/tests/httproute-308-redirect.go
import { InfrastructureNamespace } from '../support/base.ts';
import { runCases } from '../support/cases.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import type { ExpectedResponse } from '../support/http.ts';
import { gatewayAndHTTPRoutesMustBeAccepted, httpRouteMustHaveResolvedRefsConditionsTrue } from '../support/status.ts';

export const HTTPRoute308Redirect: ConformanceTest = {
  shortName: 'HTTPRoute308Redirect',
  description: 'An HTTPRoute with a 308 path redirect filter',
  features: ['Gateway', 'HTTPRoute', 'HTTPRoute308RedirectStatusCode'],
  manifests: ['tests/httproute-308-redirect.yaml'], provisional: true,
  async test(t, s) {
    const ns = InfrastructureNamespace;
    const routeNN = {name: "308-redirect", namespace: ns};
    const gwNN = {name: "same-namespace", namespace: ns};
    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, routeNN);
    await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN, gwNN);

    const testCases: ExpectedResponse[] = [
      {
        request: {
          path:             "/permanent",
          unfollowRedirect: true,
        },
        response: {
          statusCode: 308,
        },
        redirectRequest: {
          path: "/permanent",
        },
        namespace: ns,
      },
    ]
    await runCases(t, s, gwAddr, testCases);
  },
};
