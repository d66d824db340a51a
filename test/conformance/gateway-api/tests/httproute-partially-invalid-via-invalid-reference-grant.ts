// conformance/tests/httproute-partially-invalid-via-invalid-reference-grant.go
import { AppBackendNamespace, InfrastructureNamespace } from '../support/base.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import { makeRequestAndExpectEventuallyConsistentResponse } from '../support/http.ts';
import { gatewayAndHTTPRoutesMustBeAccepted, httpRouteMustHaveCondition, type ExpectedCondition } from '../support/status.ts';

export const HTTPRoutePartiallyInvalidViaInvalidReferenceGrant: ConformanceTest = {
  shortName: 'HTTPRoutePartiallyInvalidViaInvalidReferenceGrant',
  description: 'A single HTTPRoute in the gateway-conformance-infra namespace should attach to a Gateway in the same namespace if the route has a backendRef Service in the gateway-conformance-app-backend namespace and a ReferenceGrant exists but does not grant permission to route to that specific Service',
  features: ['Gateway', 'HTTPRoute', 'ReferenceGrant'],
  manifests: ['tests/httproute-partially-invalid-via-invalid-reference-grant.yaml'],
  async test(t, s) {
    const routeNN = {name: "invalid-reference-grant", namespace: InfrastructureNamespace};
    const gwNN = {name: "same-namespace", namespace: InfrastructureNamespace};

    // Route and Gateway must be Attached.
    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, routeNN);

    await t.test("HTTPRoute with BackendRef in another namespace and no ReferenceGrant covering the Service has a ResolvedRefs Condition with status False and Reason RefNotPermitted", async (_t) => {
      const resolvedRefsCond = <ExpectedCondition>{
        type:   'ResolvedRefs',
        status: 'False',
        reason: 'RefNotPermitted',
      }

      await httpRouteMustHaveCondition(s, routeNN, gwNN, resolvedRefsCond);
    });

    await t.test("HTTP Request to invalid backend with missing referenceGrant should receive a 500", async (_t) => {
      await makeRequestAndExpectEventuallyConsistentResponse(s, gwAddr, {
        request: {
          method: "GET",
          path:   "/v2",
        },
        response: {statusCode: 500},
      });
    });

    await t.test("HTTP Request to valid sibling backend should succeed", async (_t) => {
      await makeRequestAndExpectEventuallyConsistentResponse(s, gwAddr, {
        request: {
          method: "GET",
          path:   "/",
        },
        response:  {statusCode: 200},
        backend:   "app-backend-v1",
        namespace: AppBackendNamespace,
      });
    });
  },
};
