// conformance/tests/httproute-invalid-cross-namespace-backend-ref.go
import { InfrastructureNamespace } from '../support/base.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import { makeRequestAndExpectEventuallyConsistentResponse } from '../support/http.ts';
import { gatewayAndHTTPRoutesMustBeAccepted, httpRouteMustHaveCondition, type ExpectedCondition } from '../support/status.ts';

export const HTTPRouteInvalidCrossNamespaceBackendRef: ConformanceTest = {
  shortName: 'HTTPRouteInvalidCrossNamespaceBackendRef',
  description: 'A single HTTPRoute in the gateway-conformance-infra namespace should set a ResolvedRefs status False with reason RefNotPermitted when attempting to bind to a Gateway in the same namespace if the route has a BackendRef Service in the gateway-conformance-web-backend namespace and a ReferenceGrant granting permission to route to that Service does not exist',
  features: ['Gateway', 'HTTPRoute', 'ReferenceGrant'],
  manifests: ['tests/httproute-invalid-cross-namespace-backend-ref.yaml'],
  async test(t, s) {
    const routeNN = {name: "invalid-cross-namespace-backend-ref", namespace: InfrastructureNamespace};
    const gwNN = {name: "same-namespace", namespace: InfrastructureNamespace};

    // The Route must be Attached.
    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, routeNN);

    await t.test("HTTPRoute with a cross-namespace BackendRef and no ReferenceGrant has a ResolvedRefs Condition with status False and Reason RefNotPermitted", async (_t) => {
      const resolvedRefsCond = <ExpectedCondition>{
        type:   'ResolvedRefs',
        status: 'False',
        reason: 'RefNotPermitted',
      }

      await httpRouteMustHaveCondition(s, routeNN, gwNN, resolvedRefsCond);
    });

    await t.test("HTTP Request to invalid cross-namespace backend must receive a 500", async (_t) => {
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
