// conformance/tests/httproute-invalid-reference-grant.go
import { InfrastructureNamespace, WebBackendNamespace } from '../support/base.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import { makeRequestAndExpectEventuallyConsistentResponse } from '../support/http.ts';
import { gatewayAndHTTPRoutesMustBeAccepted, httpRouteMustHaveCondition, type ExpectedCondition } from '../support/status.ts';

export const HTTPRouteInvalidReferenceGrant: ConformanceTest = {
  shortName: 'HTTPRouteInvalidReferenceGrant',
  description: 'A single HTTPRoute in the gateway-conformance-infra namespace, with a backendRef in another namespace without valid ReferenceGrant, should have the ResolvedRefs condition set to False and not forward HTTP requests to any backend',
  features: ['Gateway', 'HTTPRoute', 'ReferenceGrant'],
  manifests: ['tests/httproute-invalid-reference-grant.yaml'],
  async test(t, s) {
    const routeNN = {name: "reference-grant", namespace: InfrastructureNamespace};
    const gwNN = {name: "same-namespace", namespace: InfrastructureNamespace};
    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, routeNN);

    await t.test("HTTPRoute with BackendRef in another namespace and no ReferenceGrant covering the Service has a ResolvedRefs Condition with status False and Reason RefNotPermitted", async (_t) => {
      const resolvedRefsCond = <ExpectedCondition>{
        type:   'ResolvedRefs',
        status: 'False',
        reason: 'RefNotPermitted',
      }

      await httpRouteMustHaveCondition(s, routeNN, gwNN, resolvedRefsCond);
    });

    await t.test("Simple HTTP request not should reach web-backend", async (_t) => {
      await makeRequestAndExpectEventuallyConsistentResponse(s, gwAddr, {
        request: {
          method: "GET",
          path:   "/",
        },
        response:  {statusCode: 500},
        backend:   "web-backend",
        namespace: WebBackendNamespace,
      });
    });
  },
};
