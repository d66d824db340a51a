// conformance/tests/httproute-exact-path-matching.go
import { InfrastructureNamespace } from '../support/base.ts';
import { runCases } from '../support/cases.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import type { ExpectedResponse } from '../support/http.ts';
import { gatewayAndHTTPRoutesMustBeAccepted, httpRouteMustHaveResolvedRefsConditionsTrue } from '../support/status.ts';

export const HTTPRouteExactPathMatching: ConformanceTest = {
  shortName: 'HTTPRouteExactPathMatching',
  description: 'A single HTTPRoute with exact path matching for different backends',
  features: ['Gateway', 'HTTPRoute'],
  manifests: ['tests/httproute-exact-path-matching.yaml'],
  async test(t, s) {
    const ns = InfrastructureNamespace;
    const routeNN = {name: "exact-matching", namespace: ns};
    const gwNN = {name: "same-namespace", namespace: ns};
    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, routeNN);
    await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN, gwNN);

    const testCases: ExpectedResponse[] = [
      {
        request:   {path: "/one"},
        backend:   'infra-backend-v1',
        namespace: ns,
      }, {
        request:   {path: "/two"},
        backend:   'infra-backend-v2',
        namespace: ns,
      }, {
        request:  {path: "/"},
        response: {statusCode: 404},
      }, {
        request:  {path: "/one/example"},
        response: {statusCode: 404},
      }, {
        request:  {path: "/two/"},
        response: {statusCode: 404},
      }, {
        request:  {path: "/Two"},
        response: {statusCode: 404},
      },
    ]

    await runCases(t, s, gwAddr, testCases);
  },
};
