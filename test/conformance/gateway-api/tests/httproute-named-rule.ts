// conformance/tests/httproute-named-rule.go
import { InfrastructureNamespace } from '../support/base.ts';
import { runCases } from '../support/cases.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import type { ExpectedResponse } from '../support/http.ts';
import { gatewayAndHTTPRoutesMustBeAccepted, httpRouteMustHaveResolvedRefsConditionsTrue } from '../support/status.ts';

export const HTTPRouteNamedRule: ConformanceTest = {
  shortName: 'HTTPRouteNamedRule',
  description: 'An HTTPRoute with a named HTTPRouteRule',
  features: ['Gateway', 'HTTPRoute', 'HTTPRouteNamedRouteRule'],
  manifests: ['tests/httproute-named-rule.yaml'], provisional: true,
  async test(t, s) {
    const ns = InfrastructureNamespace;
    const routeNN = {name: "http-named-rules", namespace: ns};
    const gwNN = {name: "same-namespace", namespace: ns};
    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, routeNN);
    await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN, gwNN);

    const testCases: ExpectedResponse[] = [
      {
        request:   {path: "/named"},
        response:  {statusCode: 200},
        namespace: ns,
      }, {
        request:   {path: "/unnamed"},
        response:  {statusCode: 200},
        namespace: ns,
      },
    ]

    await runCases(t, s, gwAddr, testCases);
  },
};
