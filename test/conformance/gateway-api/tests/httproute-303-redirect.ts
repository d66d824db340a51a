// conformance/tests/httproute-303-redirect.go
import { InfrastructureNamespace } from '../support/base.ts';
import { runCases } from '../support/cases.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import type { ExpectedResponse } from '../support/http.ts';
import { gatewayAndHTTPRoutesMustBeAccepted, httpRouteMustHaveResolvedRefsConditionsTrue } from '../support/status.ts';

export const HTTPRoute303Redirect: ConformanceTest = {
  shortName: 'HTTPRoute303Redirect',
  description: 'An HTTPRoute with a 303 redirect filter',
  features: ['Gateway', 'HTTPRoute', 'HTTPRoute303RedirectStatusCode'],
  manifests: ['tests/httproute-303-redirect.yaml'], provisional: true,
  async test(t, s) {
    const ns = InfrastructureNamespace;
    const routeNN = {name: "303-redirect", namespace: ns};
    const gwNN = {name: "same-namespace", namespace: ns};
    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, routeNN);
    await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN, gwNN);

    const testCases: ExpectedResponse[] = [
      {
        request: {
          path:             "/see-other",
          unfollowRedirect: true,
          method:           "POST",
        },
        response: {
          statusCode: 303,
        },
        redirectRequest: {
          path: "/see-other",
        },
        namespace: ns,
      },
    ]
    await runCases(t, s, gwAddr, testCases);
  },
};
