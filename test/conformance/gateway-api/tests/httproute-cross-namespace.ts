// conformance/tests/httproute-cross-namespace.go
import { InfrastructureNamespace, WebBackendNamespace } from '../support/base.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import { makeRequestAndExpectEventuallyConsistentResponse } from '../support/http.ts';
import { gatewayAndHTTPRoutesMustBeAccepted, httpRouteMustHaveResolvedRefsConditionsTrue } from '../support/status.ts';

export const HTTPRouteCrossNamespace: ConformanceTest = {
  shortName: 'HTTPRouteCrossNamespace',
  description: 'A single HTTPRoute in the gateway-conformance-web-backend namespace should attach to Gateway in another namespace',
  features: ['Gateway', 'HTTPRoute'],
  manifests: ['tests/httproute-cross-namespace.yaml'],
  async test(t, s) {
    const routeNN = {name: "cross-namespace", namespace: WebBackendNamespace};
    const gwNN = {name: "backend-namespaces", namespace: InfrastructureNamespace};
    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, routeNN);
    await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN, gwNN);

    await t.test("Simple HTTP request should reach web-backend", async (_t) => {
      await makeRequestAndExpectEventuallyConsistentResponse(s, gwAddr, {
        request:   {path: "/"},
        response:  {statusCode: 200},
        backend:   "web-backend",
        namespace: WebBackendNamespace,
      });
    });
  },
};
