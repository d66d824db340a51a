// conformance/tests/httproute-omitted-backendrefs.go
import { InfrastructureNamespace } from '../support/base.ts';
import { runCases } from '../support/cases.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import type { ExpectedResponse } from '../support/http.ts';
import { gatewayAndHTTPRoutesMustBeAccepted, httpRouteMustHaveResolvedRefsConditionsTrue } from '../support/status.ts';

export const HTTPRouteNoBackendRefs: ConformanceTest = {
  shortName: 'HTTPRouteNoBackendRefs',
  description: 'HTTPRoute rules with omitted or empty backendRefs explicitly respond with 500',
  features: ['Gateway', 'HTTPRoute'],
  manifests: ['tests/httproute-omitted-backendrefs.yaml'],
  async test(t, s) {
    const ns = InfrastructureNamespace;
    const routeNN = {name: "omitted-backendrefs", namespace: ns};
    const gwNN = {name: "same-namespace", namespace: ns};
    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, routeNN);
    await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN, gwNN);

    const testCases: ExpectedResponse[] = [
      {
        request:   {path: "/forward"},
        backend:   'infra-backend-v1',
        namespace: ns,
      }, {
        request:  {path: "/omitted-no-forward"},
        response: {statusCode: 500},
      }, {
        request:  {path: "/empty-no-forward"},
        response: {statusCode: 500},
      },
    ]

    await runCases(t, s, gwAddr, testCases);
  },
};
