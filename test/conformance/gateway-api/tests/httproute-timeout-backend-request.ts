// conformance/tests/httproute-timeout-backend-request.go
import { InfrastructureNamespace } from '../support/base.ts';
import { runCases } from '../support/cases.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import type { ExpectedResponse } from '../support/http.ts';
import { gatewayAndHTTPRoutesMustBeAccepted, httpRouteMustHaveResolvedRefsConditionsTrue } from '../support/status.ts';

export const HTTPRouteTimeoutBackendRequest: ConformanceTest = {
  shortName: 'HTTPRouteTimeoutBackendRequest',
  description: 'An HTTPRoute with backend request timeout',
  features: ['Gateway', 'HTTPRoute', 'HTTPRouteBackendTimeout'],
  manifests: ['tests/httproute-timeout-backend-request.yaml'],
  async test(t, s) {
    const ns = InfrastructureNamespace;
    const routeNN = {name: "backend-request-timeout", namespace: ns};
    const gwNN = {name: "same-namespace", namespace: ns};
    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, routeNN);
    await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN, gwNN);

    const testCases: ExpectedResponse[] = [
      {
        request:   {path: "/backend-timeout"},
        response:  {statusCode: 200},
        namespace: ns,
      }, {
        request:   {path: "/backend-timeout?delay=1s"},
        response:  {statusCode: 504},
        namespace: ns,
      }, {
        request:   {path: "/disable-backend-timeout?delay=1s"},
        response:  {statusCode: 200},
        namespace: ns,
      },
    ]

    await runCases(t, s, gwAddr, testCases);
  },
};
