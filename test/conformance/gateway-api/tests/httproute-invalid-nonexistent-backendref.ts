// conformance/tests/httproute-invalid-nonexistent-backendref.go
import { InfrastructureNamespace } from '../support/base.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import { makeRequestAndExpectEventuallyConsistentResponse } from '../support/http.ts';
import { gatewayAndHTTPRoutesMustBeAccepted, httpRouteMustHaveCondition, type ExpectedCondition } from '../support/status.ts';

export const HTTPRouteInvalidNonExistentBackendRef: ConformanceTest = {
  shortName: 'HTTPRouteInvalidNonExistentBackendRef',
  description: 'A single HTTPRoute in the gateway-conformance-infra namespace should set a ResolvedRefs status False with reason BackendNotFound and return 500 when binding to a Gateway in the same namespace if the route has a BackendRef Service that does not exist',
  features: ['Gateway', 'HTTPRoute'],
  manifests: ['tests/httproute-invalid-nonexistent-backendref.yaml'],
  async test(t, s) {
    const routeNN = {name: "invalid-nonexistent-backend-ref", namespace: InfrastructureNamespace};
    const gwNN = {name: "same-namespace", namespace: InfrastructureNamespace};

    // Gateway and Route must be Accepted.
    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, routeNN);

    await t.test("HTTPRoute with only a nonexistent BackendRef has a ResolvedRefs Condition with status False and Reason BackendNotFound", async (_t) => {
      const resolvedRefsCond = <ExpectedCondition>{
        type:   'ResolvedRefs',
        status: 'False',
        reason: 'BackendNotFound',
      }

      await httpRouteMustHaveCondition(s, routeNN, gwNN, resolvedRefsCond);
    });

    await t.test("HTTP Request to invalid nonexistent backend receive a 500", async (_t) => {
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
