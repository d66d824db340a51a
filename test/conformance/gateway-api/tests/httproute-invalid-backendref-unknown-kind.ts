// conformance/tests/httproute-invalid-backendref-unknown-kind.go
import { InfrastructureNamespace } from '../support/base.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import { makeRequestAndExpectEventuallyConsistentResponse } from '../support/http.ts';
import { gatewayAndHTTPRoutesMustBeAccepted, httpRouteMustHaveCondition, type ExpectedCondition } from '../support/status.ts';

export const HTTPRouteInvalidBackendRefUnknownKind: ConformanceTest = {
  shortName: 'HTTPRouteInvalidBackendRefUnknownKind',
  description: 'A single HTTPRoute in the gateway-conformance-infra namespace should set a ResolvedRefs status False with reason InvalidKind when attempting to bind to a Gateway in the same namespace if the route has a BackendRef that points to an unknown Kind.',
  features: ['Gateway', 'HTTPRoute'],
  manifests: ['tests/httproute-invalid-backendref-unknown-kind.yaml'],
  async test(t, s) {
    const routeNN = {name: "invalid-backend-ref-unknown-kind", namespace: InfrastructureNamespace};
    const gwNN = {name: "same-namespace", namespace: InfrastructureNamespace};

    // Both the Gateway and the Route are Accepted.
    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, routeNN);

    // The Route must have a ResolvedRefs Condition with a InvalidKind Reason.
    await t.test("HTTPRoute with Invalid Kind has a ResolvedRefs Condition with status False and Reason InvalidKind", async (_t) => {
      const resolvedRefsCond = <ExpectedCondition>{
        type:   'ResolvedRefs',
        status: 'False',
        reason: 'InvalidKind',
      }

      await httpRouteMustHaveCondition(s, routeNN, gwNN, resolvedRefsCond);
    });

    await t.test("HTTP Request to invalid backend with invalid Kind receives a 500", async (_t) => {
      await makeRequestAndExpectEventuallyConsistentResponse(s, gwAddr, {
        request: {
          method: "GET",
          path:   "/v2",
        },
        response: {statusCode: 500},
      });
    });
  },
};
