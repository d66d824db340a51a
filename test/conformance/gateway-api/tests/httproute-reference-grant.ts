// conformance/tests/httproute-reference-grant.go
import { InfrastructureNamespace, WebBackendNamespace } from '../support/base.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import { makeRequestAndExpectEventuallyConsistentResponse } from '../support/http.ts';
import { gatewayAndHTTPRoutesMustBeAccepted, httpRouteMustHaveResolvedRefsConditionsTrue } from '../support/status.ts';

export const HTTPRouteReferenceGrant: ConformanceTest = {
  shortName: 'HTTPRouteReferenceGrant',
  description: 'A single HTTPRoute in the gateway-conformance-infra namespace, with a backendRef in the gateway-conformance-web-backend namespace, should attach to Gateway in the gateway-conformance-infra namespace',
  features: ['Gateway', 'HTTPRoute', 'ReferenceGrant'],
  manifests: ['tests/httproute-reference-grant.yaml'],
  async test(t, s) {
    const routeNN = {name: "reference-grant", namespace: InfrastructureNamespace};
    const gwNN = {name: "same-namespace", namespace: InfrastructureNamespace};
    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, routeNN);
    await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN, gwNN);

    await t.test("Simple HTTP request should reach web-backend", async (_t) => {
      await makeRequestAndExpectEventuallyConsistentResponse(s, gwAddr, {
        request: {
          method: "GET",
          path:   "/",
        },
        response:  {statusCode: 200},
        backend:   "web-backend",
        namespace: WebBackendNamespace,
      });
    });

    await s.delete('ReferenceGrant', WebBackendNamespace, 'reference-grant');

    await t.test("Simple HTTP request should return 500 after deleting the relevant reference grant", async (_t) => {
      await makeRequestAndExpectEventuallyConsistentResponse(s, gwAddr, {
        request: {
          method: "GET",
          path:   "/",
        },
        response: {statusCode: 500},
      });
    });
  },
};
