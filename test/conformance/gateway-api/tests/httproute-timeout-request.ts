// conformance/tests/httproute-timeout-request.go
import { InfrastructureNamespace } from '../support/base.ts';
import { runCases } from '../support/cases.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import type { ExpectedResponse } from '../support/http.ts';
import { gatewayAndHTTPRoutesMustBeAccepted, httpRouteMustHaveResolvedRefsConditionsTrue } from '../support/status.ts';

export const HTTPRouteTimeoutRequest: ConformanceTest = {
  shortName: 'HTTPRouteTimeoutRequest',
  description: 'An HTTPRoute with request timeout',
  features: ['Gateway', 'HTTPRoute', 'HTTPRouteRequestTimeout'],
  manifests: ['tests/httproute-timeout-request.yaml'],
  async test(t, s) {
    const ns = InfrastructureNamespace;
    const routeNN = {name: "request-timeout", namespace: ns};
    const gwNN = {name: "same-namespace", namespace: ns};
    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, routeNN);
    await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN, gwNN);

    const testCases: ExpectedResponse[] = [
      {
        request:   {path: "/request-timeout"},
        response:  {statusCode: 200},
        namespace: ns,
      }, {
        request:   {path: "/request-timeout?delay=1s"},
        response:  {statusCode: 504},
        namespace: ns,
      }, {
        request:   {path: "/disable-request-timeout?delay=1s"},
        response:  {statusCode: 200},
        namespace: ns,
      },
    ]

    await runCases(t, s, gwAddr, testCases);
  },
};
